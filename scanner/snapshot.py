"""Snapshots: the inventory saved as evidence. Keys sorted, resources sorted, stable bytes.

A snapshot file is a `Snapshot` (schema "2": a scan's scopes) or, from trustscan before
organizations, one `Inventory` (schema "1"); both load, and both evaluate.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from scanner.errors import ConfigurationError
from scanner.json_stream import ChunkedJsonReader
from scanner.models.inventory import (
    INVENTORY_SCHEMA_VERSION,
    SNAPSHOT_SCHEMA_VERSION,
    Inventory,
    Snapshot,
    SnapshotMetadata,
    validate_scope_json,
)


def dump_snapshot(snapshot: Inventory | Snapshot) -> str:
    # Round-trip through JSON mode so datetimes, enums and nested models are plain values, then
    # sort keys: the same inventory always gives the same bytes, so a snapshot can be hashed.
    data = snapshot.model_dump(mode="json")
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_json(path: str, what: str) -> Any:
    """A JSON file, or one line saying why it cannot be read (missing, not text, truncated)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ConfigurationError(f"{path} is a folder, not a {what} file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not a text file") from exc
    except json.JSONDecodeError as exc:
        hint = " (truncated?)" if "Expecting" in exc.msg or "Unterminated" in exc.msg else ""
        raise ConfigurationError(f"{path} is not valid JSON{hint} (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError:
        raise ConfigurationError(f"{path} nests arrays or objects too deeply to be a {what}") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        from scanner.safe_load import one_line

        raise ConfigurationError(f"{path} is not a readable {what} ({one_line(exc)})") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror}") from exc


def parse_snapshot(data: Any, path: str) -> Inventory | Snapshot:
    from pydantic import ValidationError

    from scanner.safe_load import clip

    if isinstance(data, dict) and "findings" in data and "metadata" in data:
        raise ConfigurationError(
            f"{path} is a trustscan report, not a snapshot: save the inventory with `trustscan scan ... --snapshot PATH` "
            "or `trustscan collect <provider> --out PATH`, then evaluate that"
        )
    if not isinstance(data, dict) or "metadata" not in data:
        raise ConfigurationError(f"{path} is not a trustscan snapshot (no metadata)")
    version = data.get("schema_version")
    models = {SNAPSHOT_SCHEMA_VERSION: Snapshot, INVENTORY_SCHEMA_VERSION: Inventory}
    if not isinstance(version, str) or version not in models:
        raise ConfigurationError(
            f"{path} has snapshot schema_version {clip(version)}; this trustscan reads {SNAPSHOT_SCHEMA_VERSION!r} and {INVENTORY_SCHEMA_VERSION!r}"
        )
    try:
        return models[version].model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan snapshot ({where}: {error.get('msg')})") from exc


def load_snapshot(path: str) -> Inventory | Snapshot:
    return parse_snapshot(read_json(path, "snapshot"), path)


def restrict(inventory: Inventory, keys: Iterable[str], *, redacted: bool = True) -> Inventory:
    """The inventory with only `keys` (their values and coverage): what a shard carries for the
    checks it defers. Secrets are redacted, as in an evidence bundle, since it travels in a report."""
    wanted = set(keys)
    provider = inventory.metadata.provider
    source = getattr(inventory, provider)
    kept = type(source)()
    for key in sorted(wanted):
        _, service, attribute = key.split(".", 2)
        section = getattr(kept, service).model_copy(update={attribute: getattr(getattr(source, service), attribute)})
        kept = kept.model_copy(update={service: section})
    result = inventory.model_copy(update={provider: kept, "coverage": [c for c in inventory.coverage if c.key in wanted]})
    if not redacted:
        return result
    from scanner.evidence.redact import redact

    return Inventory.model_validate(redact(result.model_dump(mode="json")))


def merge_snapshots(snapshots: list[Snapshot]) -> Snapshot:
    """One snapshot from the shard snapshots of one scan (validated by the caller): every scope once."""
    first = snapshots[0]
    scopes = sorted((scope for s in snapshots for scope in s.scopes), key=lambda inv: inv.scope_id)
    calls: dict[str, int] = {}
    for snapshot in snapshots:
        for name, n in snapshot.metadata.api_calls.items():
            calls[name] = calls.get(name, 0) + n
    finished = [s.metadata.finished_at for s in snapshots if s.metadata.finished_at is not None]
    metadata = first.metadata.model_copy(
        update={
            "collected_at": min(s.metadata.collected_at for s in snapshots),
            "finished_at": max(finished) if finished else None,
            "regions": sorted({r for s in snapshots for r in s.metadata.regions}),
            "incomplete": any(s.metadata.incomplete for s in snapshots),
            "api_calls": dict(sorted(calls.items())),
            "shard": None,
        }
    )
    return Snapshot(metadata=metadata, scopes=scopes)


# -- reading a snapshot scope by scope ----------------------------------------------------------------


class SnapshotSource:
    """A snapshot's metadata and its scopes, one at a time: evaluation holds one scope in memory.

    `open_snapshot(path)` reads a schema-2 file scope by scope (the files trustscan writes: metadata
    and schema_version before the scopes); anything else (schema 1, another key order) is loaded
    whole. `of(snapshot)` wraps one already in memory. `organization()` finds the organization scope
    wherever it sits in the file (a second pass, only when a check needs it for every member).
    """

    def __init__(self, metadata: Any, scopes: Any, organization: Any, *, legacy: bool = False, raw: Any = None,
                 size: int = 0) -> None:
        self.metadata = metadata  # SnapshotMetadata
        self._scopes = scopes  # () -> Iterator[Inventory]
        self._organization = organization  # () -> Inventory | None
        self.legacy = legacy  # a schema-1 inventory: one scope, evaluated as a whole scan was
        self._found: list[Any] = []
        # A file's scopes before validation: () -> Iterator[RawScope], each loaded by `load_raw`
        # (in a worker process: the text travels, the validation is the worker's)
        self._raw = raw
        self.size = size  # the file's size in bytes (0 in memory)

    def raw_scopes(self) -> Iterator[RawScope] | None:
        """The scopes as read but not validated (a file's), or None (a snapshot in memory)."""
        return self._raw() if self._raw is not None else None

    @classmethod
    def of(cls, source: Inventory | Snapshot) -> SnapshotSource:
        from scanner.engine.evaluate import as_snapshot

        snapshot = as_snapshot(source)
        legacy = len(snapshot.scopes) == 1 and snapshot.scopes[0].metadata.scope_kind is None
        return cls(snapshot.metadata, lambda: iter(snapshot.scopes), snapshot.organization_scope, legacy=legacy)

    def scopes(self) -> Iterator[Inventory]:
        return self._scopes()

    def organization(self) -> Inventory | None:
        if not self._found:
            self._found.append(self._organization())
        return self._found[0]


def open_snapshot(path: str) -> SnapshotSource:
    """A snapshot file as a SnapshotSource, scope by scope where its layout allows (one-line errors as load_snapshot)."""
    try:
        with _SnapshotFile(path) as reader:
            header = reader.header()
    except _Unreadable:
        header = None
    if header is None:  # not the layout streamed: load it whole (and say why it cannot be, if it cannot)
        return SnapshotSource.of(load_snapshot(path))
    metadata = _validated(SnapshotMetadata, header, path, "metadata")
    provider = metadata.provider

    def scopes() -> Iterator[Inventory]:
        with _SnapshotFile(path) as reader:
            for index, text, data in reader.scope_items():
                yield _scope(text, data, path, index, provider)

    def raw() -> Iterator[RawScope]:
        with _SnapshotFile(path) as reader:
            start = reader.scopes_offset()
        if start is not None:  # laid out as dump_snapshot writes it: where each scope lies, not its text
            for index, (offset, length) in enumerate(_scope_spans(path, start)):
                yield RawScope(path, index, None, None, provider, (offset, length))
            return
        with _SnapshotFile(path) as reader:
            for index, text, data in reader.scope_items():
                yield RawScope(path, index, text, data, provider)

    def organization() -> Inventory | None:
        with _SnapshotFile(path) as reader:
            for index, text, data in reader.scope_items():
                if text is not None and _ORGANIZATION_KIND not in text:
                    continue  # its metadata cannot say scope_kind "organization"
                if data is not None and (data.get("metadata") or {}).get("scope_kind") != "organization":
                    continue
                scope = _scope(text, data, path, index, provider)
                if scope.metadata.scope_kind == "organization":
                    return scope
        return None

    return SnapshotSource(metadata, scopes, organization, raw=raw, size=os.path.getsize(path))


class RawScope(NamedTuple):
    """One scope of a snapshot file as read, not yet validated: its text, its decoded value, or (a file
    laid out as dump_snapshot writes it) where its text lies in the file, read by `load` (so that a
    process that evaluates a scope is the only one to read it)."""

    path: str
    index: int
    text: str | bytes | None
    data: Any
    provider: str | None = None  # the snapshot's provider: its field of the scope is validated from the text directly
    span: tuple[int, int] | None = None  # (offset, length) in bytes of its text in the file

    def load(self) -> Inventory:
        text = self.text
        if self.span is not None:
            offset, length = self.span
            try:
                descriptor = os.open(self.path, os.O_RDONLY)
                try:
                    text = os.pread(descriptor, length, offset)
                finally:
                    os.close(descriptor)
            except OSError as exc:
                raise ConfigurationError(f"cannot read snapshot {self.path}: {exc.strerror}") from exc
            if len(text) != length:
                raise ConfigurationError(f"{self.path} changed while it was read")
        return _scope(text, self.data, self.path, self.index, self.provider)


_ORGANIZATION_KIND = '"scope_kind": "organization"'


def _scope(text: str | bytes | None, data: Any, path: str, index: int, provider: str | None = None) -> Inventory:
    from pydantic import ValidationError

    if text is not None:
        try:
            return validate_scope_json(text, provider) if provider is not None else Inventory.model_validate_json(text)
        except ValidationError as exc:
            if exc.errors()[0]["type"] == "json_invalid":
                raise _broken(path) from exc
            data = json.loads(text)  # for the error's location, as a whole-file load reports it
    return _validated(Inventory, data, path, f"scopes.{index}")


def _validated(model: Any, data: Any, path: str, where: str) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = ".".join([where, *(str(p) for p in error.get("loc", ()))])
        raise ConfigurationError(f"{path} is not a valid trustscan snapshot ({location}: {error.get('msg')})") from exc


class _Unreadable(Exception):
    """The file is not laid out as streamed (or is broken): load_snapshot reads it and says why."""


class _SnapshotFile(ChunkedJsonReader):
    """A schema-2 snapshot file read in chunks: the header (metadata, schema_version), then each scope.

    Scopes are found without parsing them twice where the file is laid out as dump_snapshot writes it
    (indent 1: a scope ends at the first line that is two spaces and "}"); a scope is then validated
    from its text by pydantic. Elsewhere each scope is decoded with the json module."""

    CHUNK = 8 * 1024 * 1024
    SCOPE_END = "\n  }"

    def __init__(self, path: str) -> None:
        super().__init__(path, chunk=self.CHUNK, unreadable=_Unreadable)
        self.dropped = 0  # characters read and dropped before `buf`

    def more(self, at_least: int = 0) -> bool:
        dropped = self.pos
        if not super().more(at_least):
            return False
        self.dropped += dropped
        return True

    def __enter__(self) -> _SnapshotFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def header(self) -> dict[str, Any] | None:
        """The metadata, if the file is a schema-2 snapshot whose scopes come after it; else None."""
        self.expect("{")
        seen: dict[str, Any] = {}
        while True:
            if self.peek() != '"':
                return None
            key = self.value()
            self.expect(":")
            if key == "scopes":
                if seen.get("schema_version") != "2" or not isinstance(seen.get("metadata"), dict):
                    return None
                return seen["metadata"]
            seen[key] = self.value()
            if self.peek() != ",":
                return None  # no scopes after the metadata: not streamed
            self.pos += 1

    def scopes_offset(self) -> int | None:
        """Where the scopes' list starts in the file (in bytes), if the file is laid out as dump_snapshot
        writes it (its first scope begins "[\\n  {"); else None (the scopes are then read by scope_items)."""
        if self.header() is None:
            return None
        self.peek()
        if not self.buf.startswith("[\n  {", self.pos):
            return None
        characters = self.dropped + self.pos
        with open(self.path, encoding="utf-8") as handle:
            return len(handle.read(characters).encode("utf-8"))

    def scope_items(self) -> Iterator[tuple[int, str | None, Any]]:
        """(index, the scope's text or None, its decoded value or None) for each scope, in file order."""
        if self.header() is None:
            raise ConfigurationError(f"{self.path} changed while it was read")
        self.peek()
        layout = self.buf.startswith("[\n  {", self.pos)  # dump_snapshot's: a scope's text ends at SCOPE_END
        self.expect("[")
        index = 0
        if self.peek() == "]":
            return
        while True:
            if self.peek() != "{":
                raise _broken(self.path)
            text = self._scope_text() if layout else None
            if text is not None:
                yield index, text, None
            else:
                try:
                    value = self.value()
                except _Unreadable:
                    raise _broken(self.path) from None
                yield index, None, value
            index += 1
            char = self.peek()
            if char == "]":
                return
            if char != ",":
                raise _broken(self.path)
            self.pos += 1

    def _scope_text(self) -> str | None:
        while True:
            end = self.buf.find(self.SCOPE_END, self.pos)
            if end >= 0:
                end += len(self.SCOPE_END)
                text = self.buf[self.pos : end]
                self.pos = end
                return text
            if not self.more(2 * (len(self.buf) - self.pos)):
                return None


_SCOPE_END = re.compile(rb"\n  \}")  # (re finds it about twice as fast as bytes.find in indented JSON)
_SPAN_CHUNK = 8 * 1024 * 1024


def _scope_spans(path: str, start: int) -> Iterator[tuple[int, int]]:
    """(offset, length) of each scope's text, in file order, for a file laid out as dump_snapshot writes
    it from byte `start` (the scopes' "["): a scope runs from its "{" to the first line that is two
    spaces and "}". Read in chunks by pread, without a file position: a forked process may go on with a
    copy of this generator. A file laid out otherwise past that point gets read_json's one-line error."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise ConfigurationError(f"cannot read snapshot {path}: {exc.strerror}") from exc
    try:
        chunks = _ByteChunks(descriptor, start)
        if chunks.peek() != b"[":
            raise _broken(path)
        chunks.pos += 1
        while True:
            if chunks.peek() != b"{":
                raise _broken(path)
            tried = 0  # how far past the scope's start its end was looked for
            while (end := _SCOPE_END.search(chunks.buf, chunks.pos + tried, chunks.end)) is None:
                tried = max(0, chunks.end - chunks.pos - len(b"\n  }") + 1)
                if not chunks.more():
                    raise _broken(path)
            yield chunks.base + chunks.pos, end.end() - chunks.pos
            chunks.pos = end.end()
            char = chunks.peek()
            if char == b"]":
                return
            if char != b",":
                raise _broken(path)
            chunks.pos += 1
    finally:
        os.close(descriptor)


class _ByteChunks:
    """A file's bytes from `start`, read by pread into one buffer (reused: no fresh pages per chunk), the
    part before `pos` dropped as it goes."""

    def __init__(self, descriptor: int, start: int) -> None:
        self.descriptor = descriptor
        self.buf = bytearray(_SPAN_CHUNK)
        self.end = 0  # buf[:end] holds the file's bytes from `base`
        self.base = start
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        kept = self.end - self.pos
        self.buf[:kept] = self.buf[self.pos : self.end]
        self.base += self.pos
        self.pos = 0
        if len(self.buf) - kept < _SPAN_CHUNK // 2:  # a scope larger than the buffer
            self.buf.extend(bytes(len(self.buf)))
        read = os.preadv(self.descriptor, [memoryview(self.buf)[kept:]], self.base + kept)
        self.end = kept + read
        if not read:
            self.eof = True
        return bool(read)

    def peek(self) -> bytes:
        """The next byte that is not whitespace (b"" at the end of the file)."""
        while True:
            while self.pos < self.end and self.buf[self.pos] in b" \t\r\n":
                self.pos += 1
            if self.pos < self.end:
                return bytes(self.buf[self.pos : self.pos + 1])
            if not self.more():
                return b""


def _broken(path: str) -> ConfigurationError:
    """The one-line error read_json gives for this file (it is read whole to find where it breaks)."""
    try:
        read_json(path, "snapshot")
    except ConfigurationError as exc:
        return exc
    return ConfigurationError(f"{path} is not a valid trustscan snapshot (its scopes are not a list of objects)")
