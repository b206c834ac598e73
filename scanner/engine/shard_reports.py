"""Shard reports read as streams: the report around the findings first, then its findings one at a time.

`trustscan merge` of many large shards keeps one finding per shard in memory, not every shard's
findings. A report laid out as trustscan writes it (scanner/formatters/json_format.py: indent 2, so
the findings list is the top-level line `  "findings": [`, each finding runs from a line `    {` to
a line `    }`, and the list ends at a line `  ]`; JSON strings hold no raw newline, so these lines
are structure) is read twice: once for everything but the findings (skipped without decoding), then
finding by finding. A file laid out otherwise (compact, hand-edited) is read whole, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.errors import ConfigurationError
from scanner.json_stream import ChunkedJsonReader
from scanner.models.report import Finding

CHUNK = 256 * 1024  # two hundred shards open at once: a small buffer each
FINDINGS = '\n  "findings": ['
ITEM_START = "\n    {"
ITEM_END = "\n    }"
LIST_END = "\n  ]"


class NotLaidOut(Exception):
    """The file is not laid out as trustscan writes reports (or is broken): read it whole."""


class _Reader(ChunkedJsonReader):
    """A shard report read in chunks; any read error means: read it whole instead."""

    read_errors = (UnicodeDecodeError, OSError)

    def __init__(self, path: str) -> None:
        super().__init__(path, chunk=CHUNK, unreadable=NotLaidOut)

    def at(self, text: str) -> bool:
        """Whether the unread text starts with `text` (reading on as needed)."""
        while len(self.buf) - self.pos < len(text):
            if not self.more():
                break
        return self.buf.startswith(text, self.pos)

    def find(self, text: str) -> int:
        """The position of the next `text` (-1 at the end of the file), reading on as needed."""
        start = self.pos
        while True:
            found = self.buf.find(text, start)
            if found >= 0:
                return found
            start = max(self.pos, len(self.buf) - len(text) + 1)
            offset = start - self.pos
            if not self.more(2 * (len(self.buf) - self.pos)):
                return -1
            start = offset  # more() moved the unread text to the start of buf

    def skip_to(self, text: str) -> None:
        """Past the next `text`, dropping what comes before it."""
        while True:
            found = self.buf.find(text, self.pos)
            if found >= 0:
                self.pos = found + len(text)
                return
            self.pos = max(self.pos, len(self.buf) - len(text) + 1)
            if not self.more():
                raise NotLaidOut()


def read_head(path: str) -> dict[str, Any]:
    """The report's JSON but its findings (an empty list in their place); NotLaidOut when the file is
    not laid out as trustscan writes reports."""
    reader = _Reader(path)
    try:
        if not reader.at("{\n  "):
            raise NotLaidOut()
        reader.expect("{")
        head: dict[str, Any] = {}
        if reader.peek() != '"' or reader.value() != "schema_version":  # a report's first key (a snapshot's is metadata)
            raise NotLaidOut()
        reader.expect(":")
        head["schema_version"] = reader.value()
        reader.expect(",")
        while True:
            if reader.peek() != '"':
                raise NotLaidOut()
            key = reader.value()
            reader.expect(":")
            if key in head:
                raise NotLaidOut()
            if key == "findings":
                reader.expect("[")
                if reader.at(ITEM_START):
                    reader.skip_to(LIST_END)
                elif reader.peek() == "]":
                    reader.pos += 1
                else:
                    raise NotLaidOut()
                head[key] = []
            else:
                head[key] = reader.value()
            char = reader.peek()
            if char == "}":
                reader.pos += 1
                if reader.peek() != "":
                    raise NotLaidOut()
                if "findings" not in head:
                    raise NotLaidOut()
                return head
            if char != ",":
                raise NotLaidOut()
            reader.pos += 1
    finally:
        reader.close()


def read_findings(path: str) -> Iterator[Finding]:
    """The report's findings in file order, each validated; a broken one is a one-line error."""
    from pydantic import ValidationError

    reader = _Reader(path)
    try:
        try:
            reader.skip_to(FINDINGS)
        except NotLaidOut:
            raise ConfigurationError(f"{path} changed while it was read") from None
        index = 0
        while True:
            if reader.at("]"):
                return
            if not reader.at(ITEM_START):
                if reader.at(LIST_END):
                    return
                raise ConfigurationError(f"{path} changed while it was read")
            end = reader.find(ITEM_END)
            if end < 0:
                raise ConfigurationError(f"{path} is not valid JSON (truncated?) (in finding {index})")
            end += len(ITEM_END)
            text = reader.buf[reader.pos + 1 : end]
            reader.pos = end
            try:
                yield Finding.model_validate_json(text)
            except ValidationError as exc:
                error = exc.errors()[0]
                where = ".".join(str(p) for p in ("findings", index, *error.get("loc", ())))
                raise ConfigurationError(f"{path} is not a valid trustscan report ({where}: {error.get('msg')})") from None
            index += 1
            if reader.at(","):
                reader.pos += 1
    finally:
        reader.close()
