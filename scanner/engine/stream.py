"""Evaluation that streams: one scope in memory at a time, its findings handed to the writers.

`stream_report` evaluates a snapshot scope by scope (scanner.snapshot.SnapshotSource: a file read
scope by scope, or a snapshot in memory) and gives each finding, in report order, to the writers
(scanner/formatters: JSON, SARIF, CSV, OCSF, JUnit), after the configuration's waivers. What the
report says besides its findings (summary, per-criterion rollup, per-scope summaries, collection
errors, waivers' states) is kept as it goes (`Tally`, `ScopesSeen`), so neither the findings nor
the serialised report are ever held whole. The report it returns is that report without its
findings; the bytes written are those of the in-memory path (`report_for` + `render`).

A large snapshot file (PARALLEL_FROM_BYTES, two scopes or more) is evaluated on every core: forked
worker processes (one per extra core) and this one each take the next scope in the file that no
process has taken yet; each worker validates and evaluates the scopes it takes and sends back the
findings already encoded by the writers that can (`encode`: JSON, SARIF, CSV, OCSF), large parts
parked in a file of its own (`Parked`: the writers copy them into their outputs at the end), with
the scope's summary and the findings' tally; the parent writes each scope's part in file order, so
the bytes are those of one process. With waivers, or a writer that only takes findings (JUnit), the findings' values
come back.

Findings are written in report order (by scope, then check, resource and region) as each scope
finishes, which is the order of the whole report as long as every finding of a scope carries that
scope's id as its account (what every check does). A finding that would have to go earlier stops
the stream with `OutOfOrder`; the caller then evaluates in memory.
"""

from __future__ import annotations

import gc
import itertools
import operator
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from scanner.engine.evaluate import (
    ScopesSeen,
    Tally,
    check_level,
    fields_of,
    finding_of,
    finding_order,
    organization_keys,
    report_head,
    scope_findings,
    scope_judge,
    values_order,
)
from scanner.engine.plan import recompute
from scanner.engine.scan import ScanOptions, frameworks, resolved_parameters
from scanner.formatters._stream import Parked, ReportWriter
from scanner.models.inventory import SnapshotMetadata
from scanner.models.report import DeferredChecks, Finding, Report
from scanner.snapshot import RawScope, SnapshotSource

PARALLEL_FROM_BYTES = 4 * 1024 * 1024  # a smaller snapshot file (~4,000 resources) costs more to fork for than it saves
AHEAD_PER_WORKER = 4  # scopes taken but not yet written, per process (bounds memory)
# A worker's encoded part at least this large is parked: written to a file of the worker's own, and
# only where it lies travels back; the writers copy it from there into their outputs (in the kernel).
PARK_FROM_BYTES = 64 * 1024
YOUNG_COLLECTION_EVERY = 100_000  # container objects allocated between the cyclic collector's young passes

WriterFactory = Callable[[Report], ReportWriter]  # given the report as known before any finding


class OutOfOrder(Exception):
    """A finding belongs before one already written: the report cannot be streamed in its order."""


@dataclass
class Streamed:
    report: Report  # the whole report but its findings
    tally: Tally  # its findings, counted (the gate reads it)


def stream_report(
    source: SnapshotSource,
    options: ScanOptions,
    writers: Sequence[WriterFactory],
    *,
    source_label: str,
    started_at: datetime | None = None,
    waivers: Sequence[Any] = (),
    zone: tzinfo = timezone.utc,
    processes: int | None = None,
) -> Streamed:
    """Evaluate `source` scope by scope into `writers`; the report without its findings, and their tally.
    `processes`: how many to evaluate a large snapshot file in (by default, one per core)."""
    started = started_at or datetime.now(timezone.utc)
    metadata = replanned(source.metadata, options)
    loaded = frameworks(options.frameworks)
    checks = options.checks
    skip, deferred_ids, carried, carry_keys = _deferral(source, metadata, options)
    provisional = report_head(metadata, ScopesSeen(), Tally(), checks, loaded, source=source_label, started_at=started,
                              params=options.params)
    sinks = [make(provisional) for make in writers]
    expected = expected_checks(metadata, checks, skip, source.legacy)
    for sink in sinks:  # before any finding, and before workers are forked: they encode with it
        expect = getattr(sink, "expect_checks", None)
        if expect is not None:
            expect(expected)
    applier = None
    if waivers:
        from scanner.waivers import WaiverApplier

        applier = WaiverApplier(waivers, metadata.collected_at, zone)
    tally, seen = Tally(), ScopesSeen()
    processes = processes or cores()
    raw = source.raw_scopes() if processes > 1 and carry_keys is None and source.size >= PARALLEL_FROM_BYTES else None
    parking = tempfile.mkdtemp(prefix="trustscan-parts-") if raw is not None else None
    young = gc.get_threshold()
    # Each scope makes and drops hundreds of thousands of objects, nearly all without cycles: a young
    # collection every 700 of them cost 10-20 % of the evaluation, every YOUNG_COLLECTION_EVERY next to nothing.
    gc.set_threshold(max(young[0], YOUNG_COLLECTION_EVERY), *young[1:])
    try:
        if raw is not None:
            judge = scope_judge(source.organization, checks, loaded, options.params, deferred=skip)
            _stream_parallel(raw, judge, sinks, applier, tally, seen, processes, parking, checks)
        else:
            _stream_here(source, checks, loaded, options, skip, carried, carry_keys, sinks, applier, tally, seen)
        deferred = DeferredChecks(checks=deferred_ids, scopes=carried) if deferred_ids and seen.bases else None
        head = report_head(
            metadata, seen, tally, checks, loaded, source=source_label, started_at=started, params=options.params, deferred=deferred,
            providers=({metadata.provider} | tally.providers) if applier is not None else None,
        )
        if applier is not None:
            head = head.model_copy(update={"waivers": applier.records()})
        for sink in sinks:
            sink.finish(head)  # parked parts are copied from the workers' files here
    finally:
        gc.set_threshold(*young)
        if parking is not None:
            shutil.rmtree(parking, ignore_errors=True)
    return Streamed(head, tally)


def expected_checks(metadata: SnapshotMetadata, checks: Sequence[Any], skip: Sequence[str], legacy: bool) -> list[str]:
    """The checks that will have findings in the usual case, for writers that do better knowing them
    early (SARIF's rule indexes; a guess they check at the end). Every check run in a scope gives at
    least one finding (NOT_APPLICABLE on the scope when nothing is in it: evaluate.check_values); a
    deferred check runs in no scope here, an organization-level one only in the organization scope,
    taken to be there when the snapshot is an organization's (a schema-1 inventory runs every check)."""
    org_keys = organization_keys(metadata.provider, {key for spec in checks for key in spec.collection_keys})
    return [spec.id for spec in checks if spec.id not in skip
            and (legacy or metadata.organization is not None or check_level(spec, org_keys) != "organization")]


def cores() -> int:
    return os.cpu_count() or 1


def _stream_here(source: SnapshotSource, checks: list[Any], loaded: Any, options: ScanOptions, skip: list[str], carried: list[Any],
                 carry_keys: set[str] | None, sinks: list[ReportWriter], applier: Any, tally: Tally, seen: ScopesSeen) -> None:
    """Every scope evaluated in this process, its findings written as they come."""
    last: tuple[str, ...] | None = None
    for scope, findings in scope_findings(source.scopes(), source.organization, checks, loaded, options.params, deferred=skip):
        seen.add(scope)
        if carry_keys is not None and scope.metadata.scope_kind != "organization":
            from scanner.snapshot import restrict

            carried.append(restrict(scope, carry_keys))
        if not source.legacy and findings:
            if last is not None and finding_order(findings[0]) < last:
                raise OutOfOrder(f"{findings[0].check_id} {findings[0].resource_id} in scope {scope.scope_id}")
            last = _check_order(findings, scope.scope_id)
        _write(findings, sinks, applier, tally)
        del findings, scope


def _write(findings: list[Finding], sinks: Sequence[ReportWriter], applier: Any, tally: Tally) -> None:
    if applier is None:
        encoders = [_encoder(sink) for sink in sinks]
        if all(encode is not None for encode in encoders):  # a scope's findings at once, as a worker's come back
            tally.add_all(findings)
            for sink, encode in zip(sinks, encoders):
                sink.add_encoded(encode(findings), len(findings))  # type: ignore[attr-defined, misc]
            return
    for finding in findings:
        if applier is not None:
            finding = applier.apply(finding)
        tally.add(finding)
        for sink in sinks:
            sink.add(finding)


# -- on every core -----------------------------------------------------------------------------------------

_JOB: dict[str, Any] = {}  # what forked workers evaluate with (inherited, not pickled)

# One scope's part: the scope seen, (its first and last findings' order keys) or None, then either its
# findings (to write in the parent) or their tally and, per writer, their encoding with their count.
Part = tuple[ScopesSeen, "tuple[tuple[str, ...], tuple[str, ...]] | None", "list[dict[str, Any]] | None", "Tally | None", "list[Any] | None", int]


def _evaluate_raw(raw: RawScope) -> Part:
    """One scope, validated and evaluated (in a worker, or in the parent for its share)."""
    scope = raw.load()
    findings = _JOB["judge"](scope)
    seen = ScopesSeen()
    seen.add(scope)
    order = (finding_order(findings[0]), _check_order(findings, scope.scope_id)) if findings else None
    encoders = _JOB["encoders"]
    if encoders is None:  # the fields' values travel (a pickled model costs several times more)
        return seen, order, [finding.__dict__ for finding in findings], None, None, len(findings)
    encoded = [encode(findings) for encode in encoders]
    if os.getpid() != _JOB["parent"]:
        encoded = [_parked(part) for part in encoded]
    return seen, order, None, Tally().add_all(findings), encoded, len(findings)


_PARKED: dict[str, int] = {}  # in a worker: its pid and how many parts it has parked


def _parked(part: Any) -> Any:
    """A writer's encoded part with its large bytes parked in a file of their own (a Parked in their
    place; the writer removes the file once it has copied them, so a run never holds a second copy of
    its report on disk); a tuple's members likewise (SARIF's results among its rules)."""
    if type(part) is bytes and len(part) >= PARK_FROM_BYTES:
        if _PARKED.get("pid") != os.getpid():  # (a forked worker inherits its parent's count)
            _PARKED.update(pid=os.getpid(), parts=0)
        _PARKED["parts"] += 1
        path = os.path.join(_JOB["parking"], f"worker-{os.getpid()}-{_PARKED['parts']}")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(part)
            while view:
                view = view[os.write(descriptor, view):]
        finally:
            os.close(descriptor)
        return Parked(path, 0, len(part), alone=True)
    if type(part) is tuple:
        return tuple(_parked(member) for member in part)
    return part


def _encoder(sink: Any) -> Callable[[list[Finding]], Any] | None:
    if hasattr(sink, "encoder"):  # scanner.cli.streaming's guarded writer
        return sink.encoder()
    return getattr(sink, "encode", None)


def _stream_parallel(raw: Any, judge: Callable[[Any], list[Finding]], sinks: list[ReportWriter], applier: Any, tally: Tally,
                     seen: ScopesSeen, processes: int, parking: str, checks: Sequence[Any] = ()) -> None:
    """The scopes shared by `processes - 1` forked workers and this process, their parts written in file
    order (the workers' large parts parked in files under `parking`, which must outlive the writers' finish).

    Each process takes the next scope nobody has taken yet (`_Turns`), so a process slowed by the
    machine's other work, or by scopes heavier than the rest, takes fewer. A worker goes on with its
    copy of `raw` (where each scope lies, read with pread), reads and evaluates the scopes it takes and
    sends their parts back through a pipe, numbered. A file not laid out as trustscan writes it (its
    scopes' texts found only by decoding them) is evaluated here alone."""
    import multiprocessing
    import sys
    from multiprocessing.connection import wait

    encoders: list[Any] | None = [_encoder(sink) for sink in sinks]
    if applier is not None or any(encode is None for encode in encoders or ()):
        encoders = None  # waivers are applied (and recorded) here; a writer without `encode` takes findings
    last: list[tuple[str, ...] | None] = [None]

    def take(part: Part | _Failed) -> None:
        if type(part) is _Failed:
            if part.trace:  # a worker's
                raise part.error from WorkerTraceback(part.trace)
            raise part.error
        part_seen, order, findings, part_tally, encoded, count = part  # type: ignore[misc]
        seen.merge(part_seen)
        if order is not None:
            if last[0] is not None and order[0] < last[0]:
                raise OutOfOrder(f"{order[0][1]} {order[0][2]} in scope {part_seen.bases[0].id}")
            last[0] = order[1]
        if findings is not None:
            _write([finding_of(values) for values in findings], sinks, applier, tally)
            return
        assert part_tally is not None and encoded is not None
        tally.merge(part_tally)
        for sink, data in zip(sinks, encoded):
            sink.add_encoded(data, count)  # type: ignore[attr-defined]

    first = next(raw, None)
    if first is None:
        return
    second = next(raw, None)
    _JOB.update(judge=judge, encoders=encoders, parent=os.getpid(), parking=parking)
    try:
        turns = _Turns.shared(AHEAD_PER_WORKER * processes) if second is not None and first.span is not None else None
        if turns is None:  # one scope, scopes whose texts only this process can find, or no way to share turns
            for raw_scope in itertools.chain((first,), () if second is None else (second,), raw):
                take(_evaluate_raw(raw_scope))
            return
        scopes = _Numbered(itertools.chain((first, second), raw))
        _warm(first, checks)
        # What exists now (modules, checks, writers) is shared with the workers: out of the cyclic
        # collector's reach, its passes neither copy those pages into each worker nor walk them again.
        gc.freeze()
        for stream in (sys.stdout, sys.stderr):  # (a forked worker must not write again what is buffered)
            stream.flush()
        context = multiprocessing.get_context("fork")
        workers: list[Any] = []
        channels: list[Any] = []
        try:
            for _ in range(1, processes):
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_work, args=(scopes, turns, send, [*channels, receive]), daemon=True)
                process.start()
                send.close()
                workers.append(process)
                channels.append(receive)
            parts: dict[int, Part | _Failed] = {}  # evaluated here or received, not yet written
            written = 0
            count: int | None = None  # of the scopes, once a turn has gone past the last
            live = list(channels)  # the workers still sending
            while count is None or written < count:
                if written in parts:
                    take(parts.pop(written))
                    written += 1
                    turns.done()
                    continue
                ready = wait(live, timeout=0) if live else []
                if not ready and count is None:
                    turn = turns.take(block=False)
                    if turn is not None:
                        raw_scope = scopes.at(turn)
                        if raw_scope is None:
                            count = scopes.count
                            turns.done()
                        else:
                            parts[turn] = _evaluated_here(raw_scope)
                        continue
                if not ready:
                    if not live:
                        raise RuntimeError("a worker process ended before sending all its scopes' findings")
                    ready = wait(live)
                for channel in ready:
                    try:
                        turn, part = _receive(channel)
                    except EOFError:  # this worker has sent all it took, or died with a turn it will never send
                        live.remove(channel)
                        process = workers[channels.index(channel)]
                        process.join()
                        if process.exitcode != 0:
                            raise RuntimeError("a worker process ended before sending all its scopes' findings") from None
                        continue
                    parts[turn] = part
            for process in workers:
                process.join()
        finally:
            for process in workers:
                if process.exitcode is None:
                    process.kill()
                    process.join()
            for channel in channels:
                channel.close()
            gc.unfreeze()
    finally:
        _JOB.clear()


def _evaluated_here(raw: RawScope) -> Part | _Failed:
    """A scope evaluated in this process; its error kept for its turn to be written, so that the error
    reported is that of the first bad scope in the file, whichever process took it."""
    try:
        return _evaluate_raw(raw)
    except Exception as exc:  # noqa: BLE001 - raised in file order by the caller
        return _Failed(exc, "")


class _Numbered:
    """The scopes in file order, looked up by number going forwards (each process skips those others take)."""

    def __init__(self, scopes: Iterator[RawScope]) -> None:
        self._scopes = scopes
        self.count = 0  # of the scopes read so far (all of them, once `at` has returned None)

    def at(self, number: int) -> RawScope | None:
        """Scope `number` (never one before the last asked for), or None past the last."""
        for raw_scope in self._scopes:
            self.count += 1
            if self.count > number:
                return raw_scope
        return None


class _Turns:
    """Which scope a process evaluates next: the next one in the file that no process has taken (a
    counter shared by the processes), while fewer than `ahead` scopes are evaluated but not yet written
    (a bound on the parts held: the parent's own, and the workers' in their pipes)."""

    def __init__(self, context: Any, ahead: int) -> None:
        self._next = context.RawValue("q", 0)
        self._lock = context.Lock()
        self._slots = context.Semaphore(ahead)

    @classmethod
    def shared(cls, ahead: int) -> _Turns | None:
        """Turns for forked processes, or None where this system cannot fork or share a semaphore (no
        working sem_open or /dev/shm, as in some sandboxes): the snapshot is then evaluated in one process."""
        import multiprocessing

        try:
            return cls(multiprocessing.get_context("fork"), ahead)
        except (OSError, ImportError, ValueError):
            return None

    def take(self, block: bool = True, timeout: float | None = None) -> int | None:
        """The number of the scope to evaluate next (past the last once they are all taken), or None
        when `ahead` scopes already wait to be written."""
        if not self._slots.acquire(block, timeout):
            return None
        with self._lock:
            turn = self._next.value
            self._next.value = turn + 1
        return turn

    def done(self) -> None:
        """A scope taken has been written (or a turn past the last ends)."""
        self._slots.release()


PARENT_CHECK_SECONDS = 1.0  # how often a worker waiting for a turn checks that its parent is still there


def _warm(raw: RawScope, checks: Sequence[Any]) -> None:
    """What the first scope's evaluation imports or builds in each process (the provider's models, the
    checks' collectors), done once before forking."""
    from scanner.models.inventory import prepare_scope_validation

    if raw.provider is not None:
        prepare_scope_validation(raw.provider)
        organization_keys(raw.provider, {key for spec in checks for key in spec.collection_keys})


def _work(scopes: _Numbered, turns: _Turns, send: Any, inherited: list[Any]) -> None:
    """A forked worker: the scopes it takes evaluated, their parts sent with their numbers; an error sent
    in place of a part. `inherited`: the pipes' reading ends, the parent's alone (were this process to
    keep them open, a parent that died would leave it blocked on a full pipe instead of ending at its
    next part); a worker waiting for a turn ends likewise when its parent has gone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops on Ctrl-C, and ends its workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for channel in inherited:
        channel.close()
    parent = os.getppid()
    turn = -1
    try:
        while True:
            taken = turns.take(timeout=PARENT_CHECK_SECONDS)
            if taken is None:
                if os.getppid() != parent:
                    return
                continue
            turn = taken
            raw_scope = scopes.at(turn)
            if raw_scope is None:
                turns.done()
                return
            send.send((turn, _evaluate_raw(raw_scope)))
    except BaseException as exc:  # noqa: BLE001 - it goes to the parent, which raises it in its turn
        try:
            send.send((turn, _Failed.of(exc)))
        except OSError:  # the parent is gone (or stopped reading): nobody to tell
            pass
    finally:
        send.close()


class _Failed:
    """An error in a worker, for the parent to raise (with the worker's traceback as its cause)."""

    def __init__(self, error: BaseException, trace: str) -> None:
        self.error = error
        self.trace = trace

    @classmethod
    def of(cls, error: BaseException) -> _Failed:
        import pickle
        import traceback

        trace = "".join(traceback.format_exception(error))
        try:
            pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an error whose values do not travel: its type and message do
            error = RuntimeError(f"{type(error).__name__}: {error}")
        return cls(error, trace)


class WorkerTraceback(Exception):
    """The traceback of an error raised in a worker process (the cause of the error raised here)."""


def _receive(channel: Any) -> tuple[int, Part | _Failed]:
    """A worker's next part, with the number of its scope (EOFError once it has sent all)."""
    return channel.recv()  # type: ignore[no-any-return]


def _check_order(findings: list[Finding], scope_id: str) -> tuple[str, ...]:
    """The last key of a scope's findings, checking they are in report order (sorted by account first)."""
    keys = list(map(values_order, map(fields_of, findings)))
    if not all(map(operator.le, keys, itertools.islice(keys, 1, None))):  # compared in C; the culprit found below
        for finding, key, previous in zip(findings[1:], keys[1:], keys):
            if key < previous:
                raise OutOfOrder(f"{finding.check_id} {finding.resource_id} in scope {scope_id}")
    return keys[-1]


def replanned(metadata: SnapshotMetadata, options: ScanOptions) -> SnapshotMetadata:
    """A shard re-evaluated with another check selection or parameters records the plan it now follows."""
    plan = metadata.plan
    if plan is None:
        return metadata
    checks = sorted(spec.id for spec in options.checks)
    parameters = resolved_parameters(options)
    if plan.checks == checks and plan.parameters == parameters:
        return metadata
    return metadata.model_copy(update={"plan": recompute(plan, checks=checks, parameters=parameters)})


def _mixed_ids(metadata: SnapshotMetadata, options: ScanOptions) -> list[str]:
    org_keys = organization_keys(metadata.provider)
    return sorted(spec.id for spec in options.checks if check_level(spec, org_keys) == "mixed")


def _deferral(
    source: SnapshotSource, metadata: SnapshotMetadata, options: ScanOptions
) -> tuple[list[str], list[str] | None, list[Any], set[str] | None]:
    """scanner.engine.scan.deferral, scope by scope: (checks to skip here, the checks deferred, the facts
    carried so far, the keys each member carries, or None when members carry nothing)."""
    shard = metadata.shard
    if shard is None or shard.count <= 1:
        return [], None, [], None
    ids = _mixed_ids(metadata, options)
    if not ids:
        return [], None, [], None
    from scanner.snapshot import restrict

    org_keys = organization_keys(metadata.provider)
    keys = {key for spec in options.checks if spec.id in ids for key in spec.collection_keys}
    organization = source.organization()
    if organization is not None:
        return [], ids, [restrict(organization, keys & org_keys)], None
    return ids, ids, [], keys - org_keys
