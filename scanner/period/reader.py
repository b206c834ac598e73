"""Stream a trustscan report file: top-level values whole, `findings` one element at a time.

The parser is ours, on the standard library's C JSON scanner: it walks the top-level object itself
and hands each value (and each element of the `findings` array) to `JSONDecoder.raw_decode` on a
sliding text buffer. Memory is one read chunk plus the largest single value (one finding, the
metadata, the criteria rollup), never the whole file; a year of daily reports of 10,000 findings is
3.65 million findings, several gigabytes of JSON.

Errors name the file and say what is wrong: not JSON, truncated (the file ends inside a value),
not a trustscan report, or a report schema this version cannot read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

CHUNK = 1 << 20  # characters read at a time
MAX_VALUE = 64 << 20  # a single top-level value or finding larger than this is treated as corrupt
SUPPORTED_MAJOR = "1"
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class ReportFileError(Exception):
    """A report file that cannot be read; the message names the file."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple:  # picklable, for files parsed in worker processes
        return (type(self), (self.path, self.reason))


class _Stream:
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise ReportFileError(path, f"cannot read ({exc.strerror})") from exc
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.consumed = 0  # characters dropped from the front of the buffer

    def close(self) -> None:
        self.handle.close()

    def offset(self) -> int:
        return self.consumed + self.pos

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.handle.read(CHUNK)
        except UnicodeDecodeError as exc:
            raise ReportFileError(self.path, f"is not UTF-8 text (byte offset about {self.offset()}: {exc.reason})") from exc
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            self.consumed += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += chunk
        return True

    def skip_ws(self) -> None:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self._more():
                return

    def peek(self) -> str:
        self.skip_ws()
        if self.pos >= len(self.buf):
            raise ReportFileError(self.path, f"is truncated (ends at character {self.offset()})")
        return self.buf[self.pos]

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {what}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the JSON value at the cursor, reading more when the buffer ends inside it."""
        self.skip_ws()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                near_end = exc.pos >= len(self.buf) - 16 or exc.msg.startswith("Unterminated string")
                if near_end and len(self.buf) - self.pos < MAX_VALUE and self._more():
                    continue
                if self.eof and near_end:
                    raise ReportFileError(self.path, f"is truncated (ends inside a value that starts at character {self.offset()})") from exc
                raise ReportFileError(self.path, f"is not valid JSON ({exc.msg} at character {self.consumed + exc.pos})") from exc
            # A number or literal that touches the end of the buffer may continue in the next chunk.
            if end >= len(self.buf) - 1 and not self.eof and self._more():
                continue
            self.pos = end
            return value

    def error(self, what: str) -> ReportFileError:
        if self.pos >= len(self.buf) and self.eof:
            return ReportFileError(self.path, f"is truncated (ends at character {self.offset()})")
        found = self.buf[self.pos : self.pos + 20]
        return ReportFileError(self.path, f"is not valid JSON ({what} at character {self.offset()}, found {found!r})")


def iter_report(path: str) -> Iterator[tuple[str, Any]]:
    """Yield (key, value) for each top-level member of a report, and ("finding", item) per finding.

    Raises ReportFileError for anything that is not a complete JSON object.
    """
    stream = _Stream(path)
    try:
        if stream.peek() != "{":
            raise ReportFileError(path, "is not a JSON object (not a trustscan report)")
        stream.pos += 1
        first = True
        while True:
            if stream.peek() == "}":
                stream.pos += 1
                break
            if not first:
                stream.expect(",", "',' between members")
            first = False
            if stream.peek() != '"':
                raise stream.error("a member name")
            key = stream.value()
            stream.expect(":", "':'")
            if key == "findings" and stream.peek() == "[":
                stream.pos += 1
                yield "findings", None
                if stream.peek() == "]":
                    stream.pos += 1
                    continue
                while True:
                    yield "finding", stream.value()
                    char = stream.peek()
                    stream.pos += 1
                    if char == "]":
                        break
                    if char != ",":
                        stream.pos -= 1
                        raise stream.error("',' or ']' in findings")
            else:
                yield key, stream.value()
        stream.skip_ws()
        if stream.pos < len(stream.buf):
            raise stream.error("the end of the file after the report")
    finally:
        stream.close()


def check_schema_version(path: str, version: Any) -> str:
    """Reports of any 1.x schema are read (newer minors only add fields); anything else is refused."""
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        hint = " (is it a snapshot?)" if version == "1" else ""
        raise ReportFileError(path, f"has schema_version {version!r}, not a trustscan report schema{hint}")
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise ReportFileError(path, f"has report schema_version {version}; this trustscan reads {SUPPORTED_MAJOR}.x")
    return version


def read_header(path: str) -> dict[str, Any]:
    """schema_version and metadata, reading only as far as they go (they come first in a report)."""
    header: dict[str, Any] = {}
    events = iter_report(path)
    try:
        for key, value in events:
            if key in ("schema_version", "metadata"):
                header[key] = value
                if len(header) == 2:
                    break
            # any other key (or findings first, an unusual order): keep scanning for the metadata
    finally:
        events.close()
    if "schema_version" not in header:
        raise ReportFileError(path, "has no schema_version (not a trustscan report)")
    check_schema_version(path, header["schema_version"])
    metadata = header.get("metadata")
    if not isinstance(metadata, dict) or "collected_at" not in metadata:
        raise ReportFileError(path, "has no metadata.collected_at (not a trustscan report)")
    return header
