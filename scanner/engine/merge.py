"""`trustscan merge`: join the shard reports (and shard snapshots) of one scan.

The shards of a scan share one plan (scanner.engine.plan): merge refuses pieces of different plans,
missing or duplicated shard numbers, and anything that is not a shard report or snapshot. The merged
report is what one unsharded scan of the same scopes gives: the shards' findings, plus the deferred
checks evaluated on the facts the shards carried, with summary, SOC 2 rollup, per-scope summaries and
collection errors recomputed. Waivers and a baseline are applied afresh by the caller (`finalize`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from scanner.engine.evaluate import (
    evaluate,
    finding_order,
    recount_scopes,
    summarise,
)
from scanner.engine.plan import differing_fields, shard_scopes
from scanner.errors import ConfigurationError
from scanner.mapping import load_framework, rollup
from scanner.models.inventory import ScanPlan, ShardInfo, Snapshot, SnapshotMetadata
from scanner.models.report import REPORT_SCHEMA_VERSION, Report, ScanMetadata
from scanner.snapshot import merge_snapshots, read_json


@dataclass(frozen=True)
class ShardFile:
    path: str
    kind: str  # "report" | "snapshot"
    document: Report | Snapshot

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
    """A shard report or shard snapshot, or one line saying why the file is not one."""
    from pydantic import ValidationError

    data = read_json(path, "shard")
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
    return ShardFile(path, kind, document)


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
    """One report from the shard reports of one scan (checked by `check_shards`)."""
    from scanner.evidence.bundle import strip_waiver
    from scanner.registry import load_checks

    reports: list[Report] = [s.document for s in shards]  # type: ignore[misc]
    plan = shards[0].plan
    framework_names = list(dict.fromkeys(c.framework for r in reports for c in r.criteria))
    frameworks = {name: load_framework(name) for name in framework_names}
    findings = [strip_waiver(f) for r in reports for f in r.findings]
    findings += _deferred_findings(reports, plan, frameworks, load_checks())
    findings.sort(key=finding_order)

    ran = {f.check_id for f in findings}
    evaluated = [c for c in plan.checks if c in ran]
    criteria = [c for fw in frameworks.values() for c in rollup(fw, findings, evaluated, {plan.provider})]
    scopes = recount_scopes(sorted((s for r in reports for s in r.scopes), key=lambda s: s.id), findings, frameworks)
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
        summary=summarise(findings),
        findings=findings,
        criteria=criteria,
        collection_errors=errors,
        scopes=scopes,
    )


def _deferred_findings(reports: list[Report], plan: ScanPlan, frameworks: dict, registry: dict) -> list:
    """Evaluate the checks the shards deferred, on the facts they carried (the organization's from the
    shard that holds it, each member's from its own shard)."""
    carried = [r.deferred for r in reports if r.deferred is not None]
    if not carried:
        return []
    ids = sorted({c for d in carried for c in d.checks})
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
