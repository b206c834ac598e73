"""Reports written while they are evaluated: `evaluate` and `merge` stream their file formats.

When every requested format has a streaming writer (json, sarif, csv, ocsf, junit) and nothing needs
the whole report in memory (--baseline compares every finding; the table and Markdown summaries are
rendered from the whole report), the findings go to the writers as they are produced and memory stays
bounded by one scope (evaluate) or one finding per shard (merge). Each output is written to a
temporary file beside it (standard output: to a spool) and moved into place only once complete, so
an error half way leaves no half-written report.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timezone
import sys
import tempfile
from collections.abc import Iterator
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
    from scanner import formatters

    if not formats or baseline is not None:
        return False
    return all(formatters.writer(name) is not None for name, _ in output_targets(formats, output))


class Outputs:
    """The run's outputs as streaming writers over temporary files, moved into place by `commit`."""

    def __init__(self, targets: list[tuple[str, str | None]]) -> None:
        self.targets = targets
        self._files: list[tuple[str | None, IO[bytes], str | None]] = []  # (destination, handle, temporary path)

    def factories(self) -> list[Any]:
        """One writer factory per target (scanner.engine.stream.WriterFactory), each opening its file."""
        from scanner import formatters

        return [self._factory(formatters.writer(name), path) for name, path in self.targets]

    def _factory(self, writer: Any, path: str | None) -> Any:
        def make(report: Any) -> Any:
            return writer(self._open(path), report)

        return make

    def _open(self, path: str | None) -> IO[bytes]:
        if path is None:
            handle: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024, mode="w+b")  # noqa: SIM115
            self._files.append((None, handle, None))
            return handle
        directory = os.path.dirname(os.path.abspath(path))
        try:
            descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part")
        except OSError as exc:
            raise ConfigurationError(f"cannot write {path}: {exc.strerror}") from exc
        handle = os.fdopen(descriptor, "wb", buffering=1024 * 1024)
        self._files.append((path, handle, temporary))
        return handle

    def commit(self) -> None:
        for path, handle, temporary in self._files:
            if path is None:
                handle.seek(0)
                sys.stdout.flush()
                out = sys.stdout.buffer
                while chunk := handle.read(1024 * 1024):
                    out.write(chunk)
                out.flush()
                handle.close()
            else:
                handle.close()
                assert temporary is not None
                os.replace(temporary, path)
                os.chmod(path, 0o666 & ~_umask())
        for path, _, _ in self._files:
            if path is not None:
                click.echo(f"wrote {path}", err=True)
        self._files = []

    def discard(self) -> None:
        for _, handle, temporary in self._files:
            handle.close()
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        self._files = []


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


def exit_code(report: Any, tally: Any, fail_on: str) -> int:
    """The exit status of a streamed report (as scanner.cli.main.exit_status, from the tally)."""
    from scanner.gate import gating_count
    from scanner.models.common import Status

    if gating_count(tally.failing, fail_on):
        return 1
    if report.summary.get(Status.ERROR) or report.metadata.incomplete:
        return 3
    return 0
