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
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii  # the C encoders json.dumps uses
from typing import IO, Any, NamedTuple, Protocol

from scanner.models.report import Finding, Report

SPOOL_IN_MEMORY = 16 * 1024 * 1024  # a spool bigger than this goes to a temporary file


class ReportWriter(Protocol):
    def add(self, finding: Finding) -> None: ...

    def finish(self, report: Report) -> None:
        """Write the document; `report.findings` is not read (the findings came through `add`)."""


class Parked(NamedTuple):
    """Bytes a worker process wrote to a file of its own (scanner.engine.stream), handed to a writer's
    `add_encoded` in place of the bytes themselves: the writer copies them from there into its
    output when it writes it (in the kernel where it can), so they never pass through this process.
    `alone`: the file holds these bytes alone, and the writer that copies them removes it."""

    path: str
    offset: int
    length: int
    alone: bool = False


class Spool:
    """Bytes set aside until the document around them is known: in memory up to SPOOL_IN_MEMORY, then
    in a temporary file; small writes gathered into large ones. Parked bytes (another process's file)
    are spliced in where they are written, by reference."""

    GATHER = 256 * 1024

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")  # noqa: SIM115 - closed by close()
        self._parts: list[bytes] = []
        self._size = 0
        # In order, what was written once parked bytes came: (None, start, end) of this spool's own
        # file, or a Parked. Empty while nothing is parked (the spool is its file alone).
        self._pieces: list[tuple[None, int, int] | Parked] = []
        self._own_from = 0  # the start of this spool's own bytes not yet in _pieces

    def write(self, data: bytes | Parked) -> None:
        if type(data) is Parked:
            self._splice(data)
            return
        self._parts.append(data)  # type: ignore[arg-type]
        self._size += len(data)
        if self._size >= self.GATHER:
            self.flush()

    def _splice(self, parked: Parked) -> None:
        if not parked.length:
            return
        self.flush()
        end = self._file.tell()
        if end > self._own_from:
            self._pieces.append((None, self._own_from, end))
        self._own_from = end
        self._pieces.append(parked)

    def flush(self) -> None:
        if self._parts:
            self._file.write(b"".join(self._parts))
            self._parts = []
            self._size = 0

    def tell(self) -> int:
        """The size of this spool's own bytes (parked bytes not counted)."""
        return self._file.tell() + self._size

    def reader(self) -> IO[bytes]:
        """The spool from its start, for reading (no more writes)."""
        self.flush()
        if self._pieces:
            return _PiecesReader(self._file, self._all_pieces())  # type: ignore[return-value]
        self._file.seek(0)
        return self._file

    def enclose(self, out: IO[bytes], before: bytes, after: bytes) -> None:
        """The document to `out`: `before`, this spool's bytes, `after`."""
        out.write(before)
        self.copy_to(out)
        out.write(after)

    def copy_to(self, out: IO[bytes]) -> None:
        self.flush()
        if not self._pieces:
            self._file.seek(0)
            shutil.copyfileobj(self._file, out, 1024 * 1024)
        else:
            for piece in self._all_pieces():
                if piece[0] is None:
                    _, start, end = piece
                    self._file.seek(start)
                    _copy_file(self._file, out, end - start)
                else:
                    write_parked(piece, out)  # type: ignore[arg-type]
        self.close()

    def _all_pieces(self) -> list[tuple[None, int, int] | Parked]:
        end = self._file.tell()
        return self._pieces + ([(None, self._own_from, end)] if end > self._own_from else [])

    def close(self) -> None:
        self._parts = []
        self._pieces = []
        self._file.close()


def spool() -> Spool:
    return Spool()


class InPlace:
    """A document's findings written straight into its output file, at its start, where they stay but
    for one move: what comes before them depends on all of them, so once it is known they are moved
    up in place (read and written back, from the end) to make room for it. This replaces a spool
    file and the copy of it into the output (a 100k-resource report is ~250 MB): the move costs a
    fraction of that copy (~0.03 s against ~0.1 s), and the report's bytes take fresh memory once,
    not twice; on these virtual machines a fresh page can cost ~30 times what a reused one does.
    Parked bytes are copied in as they come, and their file removed when it holds them alone."""

    MOVE_CHUNK = 1024 * 1024

    def __init__(self, out: IO[bytes], descriptor: int) -> None:
        self._out = out
        self._descriptor = descriptor
        self._start = out.tell()
        self._copy: IO[bytes] | None = None  # see reader

    def write(self, data: bytes | Parked) -> None:
        if type(data) is Parked:
            write_parked(data, self._out)  # type: ignore[arg-type]
            if data.alone:  # type: ignore[union-attr]
                os.unlink(data.path)  # type: ignore[union-attr]  # its pages freed now, for the next ones to reuse
        else:
            self._out.write(data)  # type: ignore[arg-type]

    def enclose(self, out: IO[bytes], before: bytes, after: bytes) -> None:
        """The document in the output: `before`, the findings (moved up by its length), `after`."""
        assert out is self._out
        out.flush()
        end = out.tell()
        _move_up(self._descriptor, self._start, end - self._start, len(before))
        _write_at(self._descriptor, before, self._start)
        out.seek(end + len(before))
        out.write(after)

    def reader(self) -> IO[bytes]:
        """The findings written so far, for a writer that must lay them out again (no more writes): moved
        to a temporary file to read, and the output cut back to where they started. (A fallback:
        copying them costs what a spool would have.)"""
        out = self._out
        out.flush()
        length = out.tell() - self._start
        copy = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._copy = copy
        out.seek(self._start)
        _copy_file(out, copy, length)
        out.seek(self._start)
        out.truncate()
        copy.seek(0)
        return copy

    def close(self) -> None:
        if self._copy is not None:
            self._copy.close()


class Kept(dict):  # type: ignore[type-arg]
    """Texts made from strings at their first use (`kept[value]`; at most `limit` kept, then all
    dropped): the writers' strings that recur from finding to finding (resource ids and names,
    messages, accounts, regions), escaped once. A hit costs a lookup; an escape reads every character."""

    def __init__(self, make: Callable[[str], str], limit: int) -> None:
        super().__init__()
        self._make = make
        self._limit = limit

    def __missing__(self, value: str) -> str:
        text = self._make(value)
        if len(self) >= self._limit:
            self.clear()
        self[value] = text
        return text


def body_for(out: IO[bytes]) -> Spool | InPlace:
    """Where a writer puts the findings of its document until the rest is known: in `out` itself when it
    is a regular file this process can read back (InPlace), else a spool."""
    descriptor = _regular_fd(out)
    if descriptor is None or not hasattr(os, "preadv"):  # (Windows has neither fcntl nor pread)
        return Spool()
    import fcntl

    try:
        readable = fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDWR
    except OSError:
        readable = False
    return InPlace(out, descriptor) if readable else Spool()


def _move_up(descriptor: int, start: int, length: int, by: int) -> None:
    """Bytes [start, start + length) of a file moved to start + by, in chunks from the end backwards (so
    that no chunk is overwritten before it is read)."""
    if not by or not length:
        return
    buffer = memoryview(bytearray(min(length, InPlace.MOVE_CHUNK)))
    end = start + length
    while end > start:
        size = min(len(buffer), end - start)
        end -= size
        chunk = buffer[:size]
        read = 0
        while read < size:
            got = os.preadv(descriptor, [chunk[read:]], end + read)
            if not got:
                raise OSError(f"{size - read} bytes of findings missing from the output")
            read += got
        _write_at(descriptor, chunk, end + by)


def _write_at(descriptor: int, data: bytes | memoryview, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(descriptor, view, offset)
        view = view[written:]
        offset += written


def write_bytes(data: bytes | Parked, out: IO[bytes]) -> None:
    """Bytes, or parked bytes, written to `out`."""
    if type(data) is Parked:
        write_parked(data, out)  # type: ignore[arg-type]
    else:
        out.write(data)  # type: ignore[arg-type]


def write_parked(parked: Parked, out: IO[bytes]) -> None:
    """Parked bytes appended to `out`: by copy_file_range when both are regular files (the bytes stay
    in the kernel), else read and written."""
    with open(parked.path, "rb", buffering=0) as source:
        source.seek(parked.offset)
        _copy_file(source, out, parked.length)


def _copy_file(source: IO[bytes], out: IO[bytes], length: int) -> None:
    """`length` bytes from `source`'s position to `out`'s end."""
    target = _regular_fd(out)
    source_fd = _regular_fd(source)
    if target is not None and source_fd is not None and length:
        out.flush()
        offset = source.tell()
        try:
            while length:
                copied = os.copy_file_range(source_fd, target, length, offset)
                if not copied:
                    break
                offset += copied
                length -= copied
        except OSError:  # no copy_file_range here (an old kernel, another file system): read and write the rest
            pass
        out.seek(os.lseek(target, 0, os.SEEK_CUR))  # the buffered file learns where its descriptor now is
        source.seek(offset)
    while length > 0:
        chunk = source.read(min(length, 1024 * 1024))
        if not chunk:
            raise OSError(f"{length} bytes missing from a spool")
        out.write(chunk)
        length -= len(chunk)


def _regular_fd(handle: IO[bytes]) -> int | None:
    """The descriptor of a regular file behind `handle`, or None (in memory, a pipe, a terminal)."""
    if isinstance(handle, tempfile.SpooledTemporaryFile):
        if not handle._rolled:  # type: ignore[attr-defined]  # in memory: asking for its descriptor would write it out
            return None
        handle = handle._file  # type: ignore[attr-defined]
    if not isinstance(handle, (io.BufferedWriter, io.BufferedRandom, io.BufferedReader, io.FileIO)):
        return None
    try:
        descriptor = handle.fileno()
        return descriptor if stat.S_ISREG(os.fstat(descriptor).st_mode) else None
    except (OSError, ValueError):
        return None


class _PiecesReader:
    """A spool's pieces (its own file's ranges and parked bytes) read in order as one stream."""

    def __init__(self, own: IO[bytes], pieces: list[tuple[None, int, int] | Parked]) -> None:
        self._own = own
        self._pieces = list(reversed(pieces))
        self._current: IO[bytes] | None = None
        self._left = 0

    def read(self, size: int) -> bytes:
        chunks = []
        while size > 0:
            if not self._left:
                if not self._next():
                    break
                continue  # (an empty piece)
            assert self._current is not None
            chunk = self._current.read(min(size, self._left))
            if not chunk:
                raise OSError("a spool's parked bytes are missing")
            chunks.append(chunk)
            size -= len(chunk)
            self._left -= len(chunk)
        return b"".join(chunks)

    def _next(self) -> bool:
        if self._current is not None and self._current is not self._own:
            self._current.close()
        self._current = None
        if not self._pieces:
            return False
        piece = self._pieces.pop()
        if piece[0] is None:
            _, start, end = piece
            self._own.seek(start)
            self._current, self._left = self._own, end - start
        else:
            parked: Parked = piece  # type: ignore[assignment]
            self._current = open(parked.path, "rb")  # noqa: SIM115 - closed by _next
            self._current.seek(parked.offset)
            self._left = parked.length
        return True


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


def scalar_text(item: Any, encode: Callable[[str], str]) -> str | None:
    """A string, boolean, None or 64-bit integer as json.dumps writes it; None for anything else."""
    kind = type(item)
    if kind is str:
        return encode(item)
    if kind is bool:
        return "true" if item else "false"
    if item is None:
        return "null"
    if kind is int and -(2**63) <= item < 2**64:
        return int.__repr__(item)
    return None


def plain_json(value: Any, indent: str, *, ascii_only: bool) -> str:
    """`value` (str, int, bool, None, dicts with str keys and lists of those) as json.dumps(value,
    indent=2) lays it out, nested at `indent`. Strings are escaped as json.dumps does: with
    `ascii_only` like its default, otherwise like ensure_ascii=False (which is also how pydantic's
    serialiser escapes). Anything else raises Unsupported."""
    encode = encode_basestring_ascii if ascii_only else encode_basestring
    if type(value) is dict:  # the common case, a flat dict of strings, numbers, booleans: without recursing
        if not value:
            return "{}"
        inner = indent + "  "
        items = []
        for key, item in value.items():
            text = scalar_text(item, encode)
            if text is None or type(key) is not str:
                break
            items.append(f"{inner}{encode(key)}: {text}")
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
