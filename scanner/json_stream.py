"""A JSON text file read in chunks, the part already read dropped as it goes.

The snapshot reader (scanner/snapshot.py) and the shard report reader (scanner/engine/shard_reports.py)
walk large files whose layout they know, decoding only what they need; both stand on this reader.
"""

from __future__ import annotations

import json
from typing import Any


class ChunkedJsonReader:
    """Reads `path` `chunk` characters at a time. A file that cannot be opened or decoded, or JSON that
    does not parse where a value is expected, raises `unreadable` (the caller's own exception)."""

    read_errors: tuple[type[BaseException], ...] = (UnicodeDecodeError,)

    def __init__(self, path: str, *, chunk: int, unreadable: type[Exception]) -> None:
        self.path = path
        self.chunk = chunk
        self.unreadable = unreadable
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()
        try:
            self.handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise unreadable() from exc

    def close(self) -> None:
        self.handle.close()

    def more(self, at_least: int = 0) -> bool:
        """Read the next chunk (at least `at_least` characters), keeping only the unread text."""
        if self.eof:
            return False
        try:
            data = self.handle.read(max(self.chunk, at_least))
        except self.read_errors as exc:
            raise self.unreadable() from exc
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + data
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.unreadable()
        self.pos += 1

    def value(self) -> Any:
        """The next JSON value, decoded."""
        self.peek()  # raw_decode takes no leading whitespace (`"metadata": {...}`)
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except (ValueError, RecursionError):  # not JSON (yet), a number of 4,300+ digits, nesting too deep
                if self.more(2 * (len(self.buf) - self.pos)):
                    continue
                raise self.unreadable() from None
            if end == len(self.buf) and not self.eof and self.more():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return value
