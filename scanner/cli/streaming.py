"""Reports written while they are evaluated: `evaluate` and `merge` stream their file formats.

When every requested format has a streaming writer (json, sarif, csv, ocsf, junit) and nothing needs
the whole report in memory (--baseline compares every finding; the table and Markdown summaries are
rendered from the whole report), the findings go to the writers as they are produced and memory stays
bounded by one scope (evaluate) or one finding per shard (merge). Each output is written to a
temporary file beside it (standard output: to a spool) and moved into place only once complete, so
an error half way leaves no half-written report.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import timezone
from typing import IO, Any

import click

from scanner.errors import ConfigurationError


def output_targets(formats: tuple[str, ...], output: str | None) -> list[tuple[str, str | None]]:
    """(format, path or None for standard output) for each --format, --output applied; unknown formats refused."""
    from scanner import formatters
    from scanner.cli import outputs

    targets = outputs.targets(formats, output)
    for name, _ in targets:
        formatters.get(name)  # fail before writing anything
    return targets


def streamable(formats: tuple[str, ...], output: str | None, baseline: Any = None) -> bool:
    """Whether this run's outputs can be written as a stream (formats asked for, each with a writer, no baseline)."""
    if not formats:
        return False
    return streamable_targets(output_targets(formats, output), baseline)


def streamable_targets(targets: list[tuple[str, str | None]], baseline: Any = None) -> bool:
    """Whether these outputs can all be written as a stream (each format has a writer; no baseline)."""
    from scanner import formatters

    return bool(targets) and baseline is None and all(formatters.writer(name) is not None for name, _ in targets)


class Outputs:
    """The run's outputs as streaming writers over temporary files, moved into place by `commit`.

    As for an in-memory report (scanner.cli.outputs.write_output), an output that cannot be written
    (disk full, a folder removed meanwhile) is reported in one line naming it and dropped, and the
    others are still written (main() then exits 2)."""

    def __init__(self, targets: list[tuple[str, str | None]]) -> None:
        self.targets = targets
        self._files: list[_File] = []

    def factories(self) -> list[Any]:
        """One writer factory per target (scanner.engine.stream.WriterFactory), each opening its file."""
        from scanner import formatters

        return [self._factory(name, formatters.writer(name), path) for name, path in self.targets]

    def _factory(self, name: str, writer: Any, path: str | None) -> Any:
        def make(report: Any) -> Any:
            file = self._open(name, path)
            guarded = _Guarded(file)
            if not file.failed:
                guarded.run(lambda: setattr(guarded, "writer", writer(file.handle, report)))
            return guarded

        return make

    def _open(self, name: str, path: str | None) -> _File:
        if path is None:
            handle: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024, mode="w+b")  # noqa: SIM115
            return self._add(_File(name, None, handle, None))
        if os.path.exists(path) and not os.path.isfile(path):  # a device or a pipe: no file to replace
            try:
                return self._add(_File(name, path, open(path, "wb", buffering=1024 * 1024), None))  # noqa: SIM115
            except OSError as exc:
                return self._add(_File(name, path, None, None)).fail(exc)
        directory = os.path.dirname(os.path.abspath(path))
        try:
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part")
        except OSError as exc:
            return self._add(_File(name, path, None, None)).fail(exc)
        return self._add(_File(name, path, os.fdopen(descriptor, "wb", buffering=1024 * 1024), temporary))

    def _add(self, file: _File) -> _File:
        self._files.append(file)
        return file

    def commit(self) -> None:
        for file in self._files:
            if file.failed or file.handle is None:
                continue
            try:
                if file.path is None:
                    file.handle.seek(0)
                    _copy_to_stdout(file.handle)
                    file.handle.close()
                else:
                    file.handle.close()
                    if file.temporary is not None:
                        os.replace(file.temporary, file.path)
                        os.chmod(file.path, 0o666 & ~_umask())
            except OSError as exc:
                file.fail(exc)
        for file in self._files:
            if file.path is not None and not file.failed:
                click.echo(f"wrote {file.path}", err=True)
        self._files = []

    def discard(self) -> None:
        for file in self._files:
            file.drop()
        self._files = []


class _File:
    """One output being written: its destination, open handle and temporary file."""

    def __init__(self, name: str, path: str | None, handle: IO[bytes] | None, temporary: str | None) -> None:
        self.name, self.path, self.handle, self.temporary = name, path, handle, temporary
        self.failed = False

    def fail(self, exc: OSError) -> _File:
        from scanner.cli import outputs

        if not self.failed:
            self.failed = True
            where = self.path or "standard output"
            outputs.fail(f"could not write {self.name} to {where}: {exc.strerror or exc} (the other outputs were written)")
            self.drop()
        return self

    def drop(self) -> None:
        if self.handle is not None:
            with contextlib.suppress(OSError):
                self.handle.close()
            self.handle = None
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            self.temporary = None


class _Guarded:
    """A writer whose output failing stops it alone (scanner.engine.stream.ReportWriter)."""

    def __init__(self, file: _File) -> None:
        self.file = file
        self.writer: Any = None

    def run(self, step: Callable[[], Any]) -> None:
        if self.file.failed:
            return
        try:
            step()
        except OSError as exc:
            self.file.fail(exc)

    def add(self, finding: Any) -> None:
        if self.file.failed:
            return
        try:
            self.writer.add(finding)
        except OSError as exc:
            self.file.fail(exc)

    def encoder(self) -> Callable[[list[Any]], Any] | None:
        """The writer's `encode` (scanner.engine.stream: findings encoded in worker processes), if it has one."""
        if self.file.failed:
            return _nothing
        return getattr(self.writer, "encode", None)

    def add_encoded(self, data: Any, count: int) -> None:
        self.run(lambda: self.writer.add_encoded(data, count))

    def expect_checks(self, check_ids: list[str]) -> None:
        expect = getattr(self.writer, "expect_checks", None)
        if expect is not None:
            self.run(lambda: expect(check_ids))

    def finish(self, report: Any) -> None:
        self.run(lambda: self.writer.finish(report))


def _nothing(findings: list[Any]) -> None:
    return None  # a failed output: its writer is not called again


def _copy_to_stdout(handle: IO[bytes]) -> None:
    """The spooled bytes to standard output: its byte stream when it has one, else (a text stream
    put in its place, as by an embedding program) decoded as they go."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is not None:
        while chunk := handle.read(1024 * 1024):
            binary.write(chunk)
        binary.flush()
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    while chunk := handle.read(1024 * 1024):
        sys.stdout.write(decoder.decode(chunk))
    sys.stdout.write(decoder.decode(b"", final=True))
    sys.stdout.flush()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def outputs(targets: list[tuple[str, str | None]]) -> Iterator[Outputs]:
    """Outputs committed when the block finishes, discarded if it raises."""
    result = Outputs(targets)
    try:
        yield result
    except BaseException:
        result.discard()
        raise
    result.commit()


def finish_policy(report: Any) -> None:
    """What `finalize` prints for a streamed report: one line per waiver that needs a person."""
    if report.waivers:
        from scanner.waivers import warnings

        for line in warnings(report):
            click.echo(f"trustscan: warning: {line}", err=True)


def write_report(report: Any, name: str, path: str) -> bool:
    """An in-memory report written to a file through its format's streaming writer (no whole text in
    memory); a failure is reported as scanner.cli.outputs.write_output reports it."""
    from scanner import formatters
    from scanner.cli import outputs

    writer_class = formatters.writer(name)
    assert writer_class is not None
    try:
        with open(path, "wb") as handle:
            writer = writer_class(handle, report)
            for finding in report.findings:
                writer.add(finding)
            writer.finish(report)
    except OSError as exc:
        outputs.fail(f"could not write {name} to {path}: {exc.strerror or exc} (the other outputs were written)")
        return False
    click.echo(f"wrote {path}", err=True)
    return True


def evaluate_streamed(source: Any, options: Any, formats: tuple[str, ...], output: str | None, fail_on: str, started: Any) -> int | None:
    """`trustscan evaluate` as a stream; its exit status, or None when the report must be built in memory."""
    from scanner.cli.policy import current_policy
    from scanner.engine.stream import OutOfOrder, stream_report

    policy = current_policy()
    config = policy.config
    try:
        with outputs(output_targets(formats, output)) as files:
            streamed = stream_report(source, options, files.factories(), source_label="snapshot", started_at=started,
                                     waivers=config.waivers if config is not None else (),
                                     zone=config.zone if config is not None else timezone.utc)
            finish_policy(streamed.report)
    except OutOfOrder:
        return None
    return exit_code(streamed.report, streamed.tally, fail_on)


def merge_streamed(shards: list[Any], targets: list[tuple[str, str | None]], fail_on: str) -> int | None:
    """`trustscan merge` as a stream (memory: one finding per shard); its exit status, or None when
    a shard's findings are out of report order and the report must be merged in memory."""
    from scanner.cli.policy import current_policy
    from scanner.engine.merge import OutOfOrder, stream_merge

    config = current_policy().config
    try:
        with outputs(targets) as files:
            report, tally = stream_merge(shards, files.factories(), waivers=config.waivers if config is not None else (),
                                         zone=config.zone if config is not None else timezone.utc)
            finish_policy(report)
    except OutOfOrder:
        return None
    return exit_code(report, tally, fail_on)


def exit_code(report: Any, tally: Any, fail_on: str) -> int:
    """The exit status of a streamed report: scanner.cli.main.exit_status, read from the tally (a
    streamed run has no baseline, so "new only" does not arise)."""
    from scanner.cli.main import EXIT_FAIL, EXIT_INCOMPLETE, EXIT_OK
    from scanner.cli.policy import current_policy
    from scanner.gate import gating_count
    from scanner.models.common import Status
    from scanner.text import count

    if gating_count(tally.failing, fail_on):
        return EXIT_FAIL
    if report.metadata.incomplete:
        return EXIT_INCOMPLETE
    errors = report.summary.get(Status.ERROR, 0)
    if errors and current_policy().fail_on_errors:
        return EXIT_INCOMPLETE
    if errors:
        click.echo(f"trustscan: warning: {count(errors, 'ERROR finding')} tolerated (--no-fail-on-errors): see the outputs", err=True)
    return EXIT_OK
