"""Baselines: compare a report with an earlier one by stable finding id.

Each current finding is marked, on the check's own verdict (a waiver does not hide a failure here):
- `new`: its id was not in the baseline, or it FAILs now and did not then (a regression);
- `resolved`: it FAILed in the baseline and does not now;
- `unchanged`: anything else.
Baseline failures whose finding no longer exists (the resource was deleted) are listed as resolved
in `report.baseline.resolved_findings`. `--fail-on-new-only` gates on FAIL findings marked new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scanner.errors import ConfigurationError
from scanner.models.common import Status
from scanner.models.report import REPORT_SCHEMA_VERSION, BaselineComparison, Finding, Report
from scanner.waivers import verdict


def load_report(path: str | Path) -> Report:
    """Read a trustscan JSON report; a missing, corrupt or foreign file is a one-line ConfigurationError."""
    from scanner.safe_load import load_json_file

    path = Path(path)
    data = load_json_file(path, "report")
    if not isinstance(data, dict) or "findings" not in data or "metadata" not in data:
        raise ConfigurationError(f"{path} is not a trustscan JSON report (use --format json)")
    version = str(data.get("schema_version", ""))
    if version.split(".")[0] != REPORT_SCHEMA_VERSION.split(".")[0]:
        raise ConfigurationError(f"{path} has report schema_version {version!r}; this trustscan reads {REPORT_SCHEMA_VERSION!r}")
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan report ({where}: {error.get('msg')})") from exc


def state(current: Finding, before: Finding | None) -> str:
    if before is None:
        return "new"
    now_fails, then_failed = verdict(current) == Status.FAIL, verdict(before) == Status.FAIL
    if now_fails and not then_failed:
        return "new"
    if then_failed and not now_fails:
        return "resolved"
    return "unchanged"


def compare(current: Report, baseline: Report, name: str = "baseline") -> Report:
    """A new report whose findings carry `baseline_state`, with the comparison in `report.baseline`."""
    ours, theirs = current.metadata, baseline.metadata
    if (ours.provider, ours.identity.account) != (theirs.provider, theirs.identity.account):
        raise ConfigurationError(
            f"{name} is a {theirs.provider} report for {theirs.identity.account}; this scan is {ours.provider} {ours.identity.account}"
        )
    before = {f.finding_id: f for f in baseline.findings}
    findings = [f.model_copy(update={"baseline_state": state(f, before.get(f.finding_id))}) for f in current.findings]
    present = {f.finding_id for f in findings}
    gone = [
        f.model_copy(update={"baseline_state": "resolved"})
        for f in baseline.findings
        if f.finding_id not in present and verdict(f) == Status.FAIL
    ]
    counts = {key: 0 for key in ("new", "unchanged", "resolved")}
    for finding in findings:
        counts[finding.baseline_state] += 1
    counts["resolved"] += len(gone)
    comparison = BaselineComparison(
        baseline_collected_at=theirs.collected_at,
        baseline_tool_version=theirs.tool_version,
        counts=counts,
        new_failures=sum(1 for f in findings if f.baseline_state == "new" and f.status == Status.FAIL),
        resolved_findings=gone,
    )
    return current.model_copy(update={"findings": findings, "baseline": comparison})


def diff(old: Report, new: Report, old_name: str = "old report") -> dict[str, Any]:
    """What `trustscan diff` prints: the comparison, and the failures that are new or resolved."""
    compared = compare(new, old, old_name)
    assert compared.baseline is not None
    return {
        "baseline": {"collected_at": old.metadata.collected_at.isoformat(), "tool_version": old.metadata.tool_version},
        "current": {"collected_at": new.metadata.collected_at.isoformat(), "tool_version": new.metadata.tool_version},
        "provider": new.metadata.provider,
        "account": new.metadata.identity.account,
        "counts": compared.baseline.counts,
        "new_failures": [_brief(f) for f in compared.findings if f.baseline_state == "new" and verdict(f) == Status.FAIL],
        "resolved_failures": [
            _brief(f)
            for f in [*(f for f in compared.findings if f.baseline_state == "resolved"), *compared.baseline.resolved_findings]
        ],
    }


def _brief(finding: Finding) -> dict[str, Any]:
    return {
        "finding_id": finding.finding_id,
        "check_id": finding.check_id,
        "severity": finding.severity.value,
        "status": finding.status.value,
        "resource_id": finding.resource_id,
        "resource_name": finding.resource_name,
        "region": finding.region,
        "message": finding.message,
    }
