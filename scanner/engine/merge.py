"""`trustscan merge`: join the shard reports (and shard snapshots) of one scan.

The shards of a scan share one plan (scanner.engine.plan): merge refuses pieces of different plans,
missing or duplicated shard numbers, and anything that is not a shard report or snapshot. The merged
report is what one unsharded scan of the same scopes gives: the shards' findings, plus the deferred
checks evaluated on the facts the shards carried, with summary, SOC 2 rollup, per-scope summaries and
collection errors recomputed. Waivers and a baseline are applied afresh by the caller (`finalize`).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from scanner.engine.evaluate import Tally, evaluate, finding_order
from scanner.engine.plan import differing_fields, shard_scopes
from scanner.engine.shard_reports import NotLaidOut, read_findings, read_head
from scanner.errors import ConfigurationError
from scanner.mapping import Framework, load_framework
from scanner.models.inventory import ScanPlan, ShardInfo, Snapshot, SnapshotMetadata
from scanner.models.report import REPORT_SCHEMA_VERSION, Finding, Report, ScanMetadata
from scanner.snapshot import merge_snapshots, read_json


@dataclass(frozen=True)
class ShardFile:
    path: str
    kind: str  # "report" | "snapshot"
    document: Report | Snapshot  # a streamed report's findings are not in it: see findings()
    streamed: bool = False

    def findings(self) -> Iterator[Finding]:
        """The report's findings: read from the file one at a time when streamed."""
        if self.streamed:
            return read_findings(self.path)
        return iter(self.document.findings)  # type: ignore[union-attr]

    @property
    def plan(self) -> ScanPlan:
        plan = self.document.metadata.plan
        assert plan is not None
        return plan

    @property
    def shard(self) -> ShardInfo:
        shard = self.document.metadata.shard
        assert shard is not None
        return shard


def load_shard(path: str) -> ShardFile:
    """A shard report or shard snapshot, or one line saying why the file is not one. A report laid out
    as trustscan writes it is read without its findings (scanner.engine.shard_reports): they are
    read again, one at a time, as the merge goes."""
    from pydantic import ValidationError

    try:
        data, streamed = read_head(path), True
    except NotLaidOut:
        data, streamed = read_json(path, "shard"), False
    if not isinstance(data, dict) or "metadata" not in data:
        raise ConfigurationError(f"{path} is not a trustscan report or snapshot")
    if "findings" in data:
        kind, version = "report", str(data.get("schema_version", ""))
        if version.split(".")[0] != REPORT_SCHEMA_VERSION.split(".")[0]:
            raise ConfigurationError(f"{path} has report schema_version {version!r}; this trustscan reads {REPORT_SCHEMA_VERSION!r}")
        model: Any = Report
    elif data.get("schema_version") == "2" and "scopes" in data:
        kind, model = "snapshot", Snapshot
    else:
        raise ConfigurationError(f"{path} is not a trustscan JSON report or schema-2 snapshot")
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan {kind} ({where}: {error.get('msg')})") from exc
    if document.metadata.shard is None or document.metadata.plan is None:
        raise ConfigurationError(f"{path} is not a shard {kind} (it was made without --shard, or is already merged)")
    return ShardFile(path, kind, document, streamed and kind == "report")


def check_shards(files: list[ShardFile], kind: str) -> list[ShardFile]:
    """The shards of one kind, one per number 1..N of one plan, in shard order; otherwise one line why not."""
    if not files:
        return []
    first = files[0]
    for other in files[1:]:
        if other.plan.digest != first.plan.digest:
            fields = differing_fields(first.plan, other.plan) or ["digest"]
            raise ConfigurationError(
                f"{first.path} and {other.path} are shards of different scans (their plans differ in {', '.join(fields)}; "
                f"plan {first.plan.digest[:12]} vs {other.plan.digest[:12]})"
            )
    count = first.plan.shard_count
    by_index: dict[int, list[str]] = {}
    for item in files:
        if item.shard.count != count or not 1 <= item.shard.index <= count:
            raise ConfigurationError(f"{item.path} is shard {item.shard.index}/{item.shard.count}, not a shard of {count}")
        expected = sorted(s.id for s in shard_scopes(item.plan, item.shard.index))
        if sorted(item.shard.scopes) != expected:
            raise ConfigurationError(f"{item.path} does not cover the scopes of shard {item.shard.index}/{count} of its plan")
        by_index.setdefault(item.shard.index, []).append(item.path)
    duplicated = {i: paths for i, paths in sorted(by_index.items()) if len(paths) > 1}
    if duplicated:
        index, paths = next(iter(duplicated.items()))
        more = f" (and shard(s) {', '.join(map(str, list(duplicated)[1:]))})" if len(duplicated) > 1 else ""
        raise ConfigurationError(f"shard {index}/{count} {kind} given more than once: {', '.join(paths)}{more}")
    missing = [i for i in range(1, count + 1) if i not in by_index]
    if missing:
        raise ConfigurationError(f"missing shard {kind}(s) {', '.join(map(str, missing))} of {count} (got {', '.join(map(str, sorted(by_index)))})")
    return sorted(files, key=lambda f: f.shard.index)


def split(files: Iterable[ShardFile]) -> tuple[list[ShardFile], list[ShardFile]]:
    files = list(files)
    reports = [f for f in files if f.kind == "report"]
    snapshots = [f for f in files if f.kind == "snapshot"]
    if reports and snapshots and reports[0].plan.digest != snapshots[0].plan.digest:
        fields = differing_fields(reports[0].plan, snapshots[0].plan) or ["digest"]
        raise ConfigurationError(
            f"{reports[0].path} and {snapshots[0].path} are shards of different scans (their plans differ in {', '.join(fields)})"
        )
    return check_shards(reports, "report"), check_shards(snapshots, "snapshot")


def merge_reports(shards: list[ShardFile]) -> Report:
    """One report from the shard reports of one scan (checked by `check_shards`), in memory."""
    from scanner.evidence.bundle import strip_waiver

    frameworks = _frameworks(shards)
    findings = [strip_waiver(f) for s in shards for f in s.findings()]
    findings += deferred_findings(shards, frameworks)
    findings.sort(key=finding_order)
    return merged_head(shards, Tally().add_all(findings), frameworks).model_copy(update={"findings": findings})


class OutOfOrder(Exception):
    """A shard's findings are not in report order: they cannot be merged as streams."""


def merged_findings(shards: list[ShardFile], frameworks: Mapping[str, Framework]) -> Iterator[Finding]:
    """The merged report's findings in its order, one shard finding at a time per shard: each shard's
    findings are in report order already (OutOfOrder otherwise), so merging them as sorted streams
    gives what sorting them all (stably, shard by shard, the deferred checks' findings last) gives."""
    from scanner.evidence.bundle import strip_waiver

    def ordered(path: str, findings: Iterable[Finding]) -> Iterator[Finding]:
        last: tuple[str, ...] | None = None
        for finding in findings:
            key = finding_order(finding)
            if last is not None and key < last:
                raise OutOfOrder(f"{path}: {finding.check_id} {finding.resource_id} is out of report order")
            last = key
            yield strip_waiver(finding)

    streams = [ordered(s.path, s.findings()) for s in shards]
    streams.append(iter(sorted(deferred_findings(shards, frameworks), key=finding_order)))
    return heapq.merge(*streams, key=finding_order)


def stream_merge(
    shards: list[ShardFile], writers: Sequence[Callable[[Report], Any]], *, waivers: Sequence[Any] = (), zone: tzinfo = timezone.utc
) -> tuple[Report, Tally]:
    """Merge the shard reports into `writers` (scanner.engine.stream.WriterFactory), after the
    configuration's waivers; the merged report without its findings, and their tally."""
    frameworks = _frameworks(shards)
    provisional = merged_head(shards, Tally(), frameworks)
    sinks = [make(provisional) for make in writers]
    applier = None
    if waivers:
        from scanner.waivers import WaiverApplier

        applier = WaiverApplier(waivers, provisional.metadata.collected_at, zone)
    tally = Tally()
    for finding in merged_findings(shards, frameworks):
        if applier is not None:
            finding = applier.apply(finding)
        tally.add(finding)
        for sink in sinks:
            sink.add(finding)
    head = merged_head(shards, tally, frameworks, providers=tally.providers if applier is not None else None)
    if applier is not None:
        head = head.model_copy(update={"waivers": applier.records()})
    for sink in sinks:
        sink.finish(head)
    return head, tally


def _frameworks(shards: list[ShardFile]) -> dict[str, Framework]:
    names = dict.fromkeys(c.framework for s in shards for c in s.document.criteria)  # type: ignore[union-attr]
    return {name: load_framework(name) for name in names}


def merged_head(shards: list[ShardFile], tally: Tally, frameworks: Mapping[str, Framework], *, providers: set[str] | None = None) -> Report:
    """The merged report but its findings: from the shards' reports and the merged findings' tally
    (`providers`: those of the findings too, as a report recounted after waivers says)."""
    reports: list[Report] = [s.document for s in shards]  # type: ignore[misc]
    plan = shards[0].plan
    ran = tally.by_check
    evaluated = [c for c in plan.checks if c in ran]
    criteria = tally.criteria(frameworks, evaluated, {plan.provider} | (providers or set()))
    scopes = tally.scopes(sorted((s for r in reports for s in r.scopes), key=lambda s: s.id), frameworks)
    errors = sorted((e for r in reports for e in r.collection_errors), key=lambda e: (e.account or "", e.key, e.scope))
    first = reports[0].metadata
    calls: dict[str, int] = {}
    for report in reports:
        for name, n in report.metadata.api_calls.items():
            calls[name] = calls.get(name, 0) + n
    started = min(r.metadata.started_at for r in reports)
    finished = datetime.now(timezone.utc)
    metadata = ScanMetadata(
        tool_version=plan.tool_version,
        provider=plan.provider,
        source=first.source,
        identity=first.identity,
        regions=sorted({r for report in reports for r in report.metadata.regions}),
        scopes=sorted({s for report in reports for s in report.metadata.scopes}),
        collected_at=min(r.metadata.collected_at for r in reports),
        started_at=started,
        finished_at=finished,
        elapsed_seconds=round((finished - started).total_seconds(), 3),
        checks_evaluated=len(plan.checks),
        incomplete=any(r.metadata.incomplete for r in reports),
        api_calls=dict(sorted(calls.items())),
        parameters={k: dict(v) for k, v in plan.parameters.items()},
        organization=plan.organization,
        plan=plan,
        shard=None,
    )
    return Report(
        metadata=metadata,
        summary=tally.summary,
        findings=[],
        criteria=criteria,
        collection_errors=errors,
        scopes=scopes,
    )


def deferred_findings(shards: list[ShardFile], frameworks: Mapping[str, Framework]) -> list[Finding]:
    """Evaluate the checks the shards deferred, on the facts they carried (the organization's from the
    shard that holds it, each member's from its own shard)."""
    from scanner.registry import load_checks

    reports: list[Report] = [s.document for s in shards]  # type: ignore[misc]
    plan = shards[0].plan
    carried = [r.deferred for r in reports if r.deferred is not None]
    if not carried:
        return []
    ids = sorted({c for d in carried for c in d.checks})
    registry = load_checks(ids=ids)
    missing = [c for c in ids if c not in registry]
    if missing:
        raise ConfigurationError(f"the shards defer check {missing[0]}, which this trustscan does not have (they were made with {plan.tool_version})")
    scopes = sorted((inv for d in carried for inv in d.scopes), key=lambda inv: inv.scope_id)
    members = [inv for inv in scopes if inv.metadata.scope_kind != "organization"]
    if not members:
        return []
    first = reports[0].metadata
    snapshot = Snapshot(
        metadata=SnapshotMetadata(tool_version=plan.tool_version, provider=plan.provider, collected_at=first.collected_at,
                                  identity=first.identity, organization=plan.organization, checks=ids),
        scopes=scopes,
    )
    # Only the deferred checks' member findings: shard 1 already decided them for its own members.
    return evaluate(snapshot, [registry[c] for c in ids], frameworks, plan.parameters)


def merge_snapshot_files(shards: list[ShardFile]) -> Snapshot:
    return merge_snapshots([s.document for s in shards])  # type: ignore[misc]
