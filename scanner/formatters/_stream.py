"""What the streaming writers share: an indented JSON encoder for plain values, a spool, and the
writer protocol.

A writer takes findings one at a time (`add`, in report order) and, once the rest of the report is
known, writes the whole document (`finish(report)`: the report without its findings; summaries,
rollups and metadata are final). Parts of a document that come before the findings but depend on
all of them (the JSON summary, SARIF's rules) are why findings go to a spool first: memory stays
bounded by what one finding takes, not by the report. `render(report)` in each format module runs
its writer over an in-memory report, so both paths give the same bytes.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii  # the C encoders json.dumps uses
from typing import IO, Any, Protocol

from scanner.models.report import Finding, Report

SPOOL_IN_MEMORY = 16 * 1024 * 1024  # a spool bigger than this goes to a temporary file


class ReportWriter(Protocol):
    def add(self, finding: Finding) -> None: ...

    def finish(self, report: Report) -> None:
        """Write the document; `report.findings` is not read (the findings came through `add`)."""


class Spool:
    """Bytes set aside until the document around them is known: in memory up to SPOOL_IN_MEMORY, then
    in a temporary file; small writes gathered into large ones."""

    GATHER = 256 * 1024

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")  # noqa: SIM115 - closed by close()
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= self.GATHER:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._file.write(b"".join(self._parts))
            self._parts = []
            self._size = 0

    def tell(self) -> int:
        return self._file.tell() + self._size

    def reader(self) -> IO[bytes]:
        """The spool from its start, for reading (no more writes)."""
        self.flush()
        self._file.seek(0)
        return self._file

    def copy_to(self, out: IO[bytes]) -> None:
        shutil.copyfileobj(self.reader(), out, 1024 * 1024)
        self.close()

    def close(self) -> None:
        self._parts = []
        self._file.close()


def spool() -> Spool:
    return Spool()


def copy_spool(source: Spool, out: IO[bytes]) -> None:
    source.copy_to(out)


def render_with(make: Callable[[IO[bytes], Report], ReportWriter], report: Report) -> str:
    """A whole report through a streaming writer, as text."""
    buffer = io.BytesIO()
    writer = make(buffer, report)
    for finding in report.findings:
        writer.add(finding)
    writer.finish(report)
    return buffer.getvalue().decode("utf-8")


class Unsupported(Exception):
    """A value the plain encoder leaves to the general serialiser (floats, enums, datetimes...)."""


def plain_json(value: Any, indent: str, *, ascii_only: bool) -> str:
    """`value` (str, int, bool, None, dicts with str keys and lists of those) as json.dumps(value,
    indent=2) lays it out, nested at `indent`. Strings are escaped as json.dumps does: with
    `ascii_only` like its default, otherwise like ensure_ascii=False (which is also how pydantic's
    serialiser escapes). Anything else raises Unsupported."""
    encode = encode_basestring_ascii if ascii_only else encode_basestring
    if type(value) is dict and value:  # the common case, a flat dict of strings: without recursing
        inner = indent + "  "
        items = []
        for key, item in value.items():
            if type(key) is not str or type(item) is not str:
                break
            items.append(f"{inner}{encode(key)}: {encode(item)}")
        else:
            return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    parts: list[str] = []
    _encode(value, indent, encode, parts)
    return "".join(parts)


def _encode(value: Any, indent: str, encode: Callable[[str], str], parts: list[str]) -> None:
    kind = type(value)
    if kind is str:
        parts.append(encode(value))
    elif value is None:
        parts.append("null")
    elif kind is bool:
        parts.append("true" if value else "false")
    elif kind is int:
        if not -(2**63) <= value < 2**64:
            raise Unsupported(value)
        parts.append(int.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = indent + "  "
        parts.append("{\n")
        first = True
        for key, item in value.items():
            if type(key) is not str:
                raise Unsupported(key)
            if not first:
                parts.append(",\n")
            first = False
            parts.append(inner)
            parts.append(encode(key))
            parts.append(": ")
            _encode(item, inner, encode, parts)
        parts.append("\n" + indent + "}")
    elif kind is list:
        if not value:
            parts.append("[]")
            return
        inner = indent + "  "
        parts.append("[\n")
        for i, item in enumerate(value):
            if i:
                parts.append(",\n")
            parts.append(inner)
            _encode(item, inner, encode, parts)
        parts.append("\n" + indent + "]")
    else:
        raise Unsupported(value)
