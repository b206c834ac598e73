"""Evaluation that streams: one scope in memory at a time, its findings handed to the writers.

`stream_report` evaluates a snapshot scope by scope (scanner.snapshot.SnapshotSource: a file read
scope by scope, or a snapshot in memory) and gives each finding, in report order, to the writers
(scanner/formatters: JSON, SARIF, CSV, OCSF, JUnit), after the configuration's waivers. What the
report says besides its findings (summary, per-criterion rollup, per-scope summaries, collection
errors, waivers' states) is kept as it goes (`Tally`, `ScopesSeen`), so neither the findings nor
the serialised report are ever held whole. The report it returns is that report without its
findings; the bytes written are those of the in-memory path (`report_for` + `render`).

Findings are written in report order (by scope, then check, resource and region) as each scope
finishes, which is the order of the whole report as long as every finding of a scope carries that
scope's id as its account (what every check does). A finding that would have to go earlier stops
the stream with `OutOfOrder`; the caller then evaluates in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from typing import Any

from scanner.engine.evaluate import (
    ScopesSeen,
    Tally,
    check_level,
    finding_order,
    organization_keys,
    report_head,
    scope_findings,
)
from scanner.engine.plan import recompute
from scanner.engine.scan import ScanOptions, frameworks, resolved_parameters
from scanner.formatters._stream import ReportWriter
from scanner.models.inventory import SnapshotMetadata
from scanner.models.report import DeferredChecks, Finding, Report
from scanner.snapshot import SnapshotSource

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
) -> Streamed:
    """Evaluate `source` scope by scope into `writers`; the report without its findings, and their tally."""
    started = started_at or datetime.now(timezone.utc)
    metadata = replanned(source.metadata, options)
    loaded = frameworks(options.frameworks)
    checks = options.checks
    skip, deferred_ids, carried, carry_keys = _deferral(source, metadata, options)
    provisional = report_head(metadata, ScopesSeen(), Tally(), checks, loaded, source=source_label, started_at=started,
                              params=options.params)
    sinks = [make(provisional) for make in writers]
    applier = None
    if waivers:
        from scanner.waivers import WaiverApplier

        applier = WaiverApplier(waivers, metadata.collected_at, zone)
    tally, seen = Tally(), ScopesSeen()
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
        for finding in findings:
            if applier is not None:
                finding = applier.apply(finding)
            tally.add(finding)
            for sink in sinks:
                sink.add(finding)
        del findings, scope
    deferred = DeferredChecks(checks=deferred_ids, scopes=carried) if deferred_ids and seen.bases else None
    head = report_head(
        metadata, seen, tally, checks, loaded, source=source_label, started_at=started, params=options.params, deferred=deferred,
        providers=({metadata.provider} | tally.providers) if applier is not None else None,
    )
    if applier is not None:
        head = head.model_copy(update={"waivers": applier.records()})
    for sink in sinks:
        sink.finish(head)
    return Streamed(head, tally)


def _check_order(findings: list[Finding], scope_id: str) -> tuple[str, ...]:
    """The last key of a scope's findings, checking they are in report order (sorted by account first)."""
    previous = finding_order(findings[0])
    for finding in findings[1:]:
        key = finding_order(finding)
        if key < previous:
            raise OutOfOrder(f"{finding.check_id} {finding.resource_id} in scope {scope_id}")
        previous = key
    return previous


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
