"""Bytes laid out again with some of their ranges replaced, a megabyte at a time: how the SARIF writer
corrects the rule indexes it wrote into its results as they came, when the rules turn out other than
it was told to expect."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from typing import IO

CHUNK = 1024 * 1024


def write_replaced(reader: IO[bytes], spans: Iterable[tuple[int, int, bytes]], out: IO[bytes]) -> None:
    """`reader`'s bytes (to their end) to `out`, each range (offset, length) replaced by the bytes given
    with it; the ranges in increasing order, none overlapping another."""
    buffer = b""
    start = 0  # where buffer[0] is in the reader's bytes
    at = 0  # where the next byte to write is
    pending: list[bytes] = []
    size = 0
    for offset, length, text in spans:
        end = offset + length
        while end > start + len(buffer):  # the range is not all read yet: read on (what is written dropped)
            more = reader.read(CHUNK)
            if not more:
                raise OSError("the bytes end before a range to replace")
            buffer, start = buffer[at - start :] + more, at
        pending += (buffer[at - start : offset - start], text)
        size += offset - at + len(text)
        at = end
        if size >= CHUNK:
            out.write(b"".join(pending))
            pending, size = [], 0
    pending.append(buffer[at - start :])
    out.write(b"".join(pending))
    shutil.copyfileobj(reader, out, CHUNK)
