"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om.

Rules are the evaluated checks; results are FAIL findings (waived ones carry a suppression). A finding
from Terraform has a real location: the file (relative to the directory trustscan ran in, the
repository root in CI, under uriBaseId %SRCROOT%) and the lines of the block or attribute that
decided it, so code scanning shows it on the pull request's diff. Cloud resources have no file, but
GitHub rejects a result without a physical location, so each resource gets a stable
repository-relative pseudo-path (cloud/<provider>/<account>/<region>/<service>/<name>) and its
ARN goes in logicalLocations. Collection errors become tool execution notifications.

sarif-om's own `to_json` drops values equal to their defaults (an explicit `level: warning`
vanishes), so `to_dict` below serialises every attribute that is set.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import attr
import sarif_om as om

from scanner.models.common import Severity, Status
from scanner.models.report import Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/trustscan/trustscan"
FINGERPRINT_KEY = "trustscanFindingId/v1"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def to_dict(value: Any) -> Any:
    """Serialise sarif-om objects, keeping every attribute that is set."""
    if attr.has(type(value)):
        out = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            # -1 is sarif-om's "absent" marker for indexes and rank; every other value is kept,
            # including ones equal to the schema default (an explicit level: warning).
            if item is not None and not (item == -1 and field.default == -1):
                out[field.metadata.get("schema_property_name", field.name)] = to_dict(item)
        return out
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value


def artifact_uri(finding: Finding) -> str:
    """A relative pseudo-path: unreserved characters kept, the rest percent-encoded, so an ARN
    never appears as a URI scheme."""
    parts = ["cloud", finding.provider, finding.account, finding.region, finding.service, finding.resource_name]
    return "/".join(quote(part, safe="-._~") or "_" for part in parts)


SRCROOT = "%SRCROOT%"


def source_path(finding: Finding) -> str | None:
    """The repository-relative path of a finding's file (None for cloud findings)."""
    import posixpath

    location = finding.location
    if location is None:
        return None
    path = posixpath.normpath(posixpath.join(location.root, location.file))
    return path


def _physical_location(finding: Finding) -> om.PhysicalLocation:
    path = source_path(finding)
    if path is None:
        return om.PhysicalLocation(artifact_location=om.ArtifactLocation(uri=artifact_uri(finding)), region=om.Region(start_line=1))
    assert finding.location is not None
    if path.startswith("/"):  # scanned outside the working directory: an absolute file URI
        uri, base = "file://" + quote(path, safe="/-._~"), None
    else:
        uri, base = "/".join(quote(part, safe="-._~") for part in path.split("/")), SRCROOT
    return om.PhysicalLocation(
        artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=base),
        region=om.Region(start_line=finding.location.start_line, end_line=finding.location.end_line),
    )


def _rule(spec: dict[str, Any]) -> om.ReportingDescriptor:
    criteria = spec["criteria"]
    tags = ["security", "compliance", spec["provider"], spec["category"]]
    tags += [f"{framework}/{c}" for framework, ids in sorted(criteria.items()) for c in ids]
    criteria_line = "; ".join(f"{fw.upper()} {', '.join(ids)}" for fw, ids in sorted(criteria.items()))
    help_text = f"{spec['rationale']}\n\nRemediation: {spec['remediation']}"
    help_markdown = f"{spec['rationale']}\n\n**Remediation:** {spec['remediation']}"
    if criteria_line:
        help_text += f"\n\nMaps to: {criteria_line}"
        help_markdown += f"\n\n**Maps to:** {criteria_line}"
    return om.ReportingDescriptor(
        id=spec["check_id"],
        name="".join(word.capitalize() for word in spec["check_id"].replace(".", "_").split("_")),
        short_description=om.MultiformatMessageString(text=spec["title"]),
        full_description=om.MultiformatMessageString(text=spec["rationale"] or spec["title"]),
        help=om.MultiformatMessageString(text=help_text, markdown=help_markdown),
        default_configuration=om.ReportingConfiguration(level=LEVEL[spec["severity"]]),
        properties={
            "tags": tags,
            "precision": "very-high",
            "security-severity": SECURITY_SEVERITY[spec["severity"]],
            "severity": spec["severity"].value,
            "criteria": criteria,
        },
    )


BASELINE_STATE = {"new": "new", "unchanged": "unchanged"}


def is_result(finding: Finding) -> bool:
    """FAIL findings, and waived ones whose verdict was FAIL: a waived failure stays a result, suppressed
    (kind external) with the waiver's justification, so viewers show it dismissed with the reason."""
    if finding.status == Status.WAIVED and finding.waiver is not None:
        return finding.waiver.original_status == Status.FAIL
    return finding.status == Status.FAIL


def _suppressions(finding: Finding) -> list[dict[str, Any]] | None:
    waiver = finding.waiver
    if finding.status != Status.WAIVED or waiver is None:
        return None
    properties = {"waiverId": waiver.waiver_id, "owner": waiver.owner, "expires": waiver.expires.isoformat()}
    if waiver.ticket:
        properties["ticket"] = waiver.ticket
    return [{"kind": "external", "status": "accepted", "justification": waiver.justification, "properties": properties}]


def _result(finding: Finding, rule_index: int) -> om.Result:
    return om.Result(
        suppressions=_suppressions(finding),
        baseline_state=BASELINE_STATE.get(finding.baseline_state or ""),
        rule_id=finding.check_id,
        rule_index=rule_index,
        level=LEVEL[finding.severity],
        kind="fail",
        message=om.Message(text=f"{finding.resource_name}: {finding.message}"),
        locations=[
            om.Location(
                physical_location=_physical_location(finding),
                logical_locations=[
                    om.LogicalLocation(name=finding.resource_name, fully_qualified_name=finding.resource_id, kind="resource")
                ]
                + (
                    [om.LogicalLocation(name=finding.location.resource_address or finding.location.address, kind="module")]
                    if finding.location is not None
                    else []
                ),
            )
        ],
        # GitHub tracks alerts by primaryLocationLineHash; a pseudo-file has no lines to hash, so
        # the stable finding id stands in for it.
        partial_fingerprints={"primaryLocationLineHash": f"{finding.finding_id}:1", FINGERPRINT_KEY: finding.finding_id},
        properties={
            "findingId": finding.finding_id,
            "resourceId": finding.resource_id,
            "resourceType": finding.resource_type,
            "account": finding.account,
            "region": finding.region,
            "evidence": finding.evidence,
            "criteria": finding.criteria,
        },
    )


def build(report: Report, catalogue: list[dict[str, Any]]) -> om.SarifLog:
    rules = [_rule(spec) for spec in catalogue]
    index = {spec["check_id"]: i for i, spec in enumerate(catalogue)}
    results = [_result(f, index[f.check_id]) for f in report.findings if is_result(f)]
    several = len(report.scopes) > 1
    notifications = [
        om.Notification(
            level="warning" if error.state == "failed" else "note",
            message=om.Message(text=f"{error.key} [{error.location(several)}]: {error.reason}"),
            properties={"collectionKey": error.key, "scope": error.scope, "errorCode": error.error_code,
                        **({"account": error.account} if several and error.account else {})},
        )
        for error in report.collection_errors
    ]
    meta = report.metadata
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="trustscan",
                version=meta.tool_version,
                semantic_version=meta.tool_version,
                information_uri=INFORMATION_URI,
                rules=rules,
            )
        ),
        automation_details=om.RunAutomationDetails(id=f"trustscan/{meta.provider}/{meta.identity.account}/"),
        invocations=[
            om.Invocation(
                execution_successful=not report.collection_errors and not meta.incomplete,
                start_time_utc=meta.started_at.isoformat().replace("+00:00", "Z"),
                end_time_utc=meta.finished_at.isoformat().replace("+00:00", "Z"),
                tool_execution_notifications=notifications or None,
            )
        ],
        results=results,
        original_uri_base_ids=(
            {SRCROOT: {"description": {"text": "The directory trustscan ran in (the repository root in CI)"}}}
            if any(f.location is not None for f in report.findings)
            else None
        ),
        properties={
            "provider": meta.provider,
            "account": meta.identity.account,
            "regions": meta.regions,
            "summary": {status.value: count for status, count in report.summary.items()},
            # One run for the whole organization (code scanning replaces a run per tool and category):
            # each result names its account in its location and properties.
            **({"scopes": [{"id": s.id, "kind": s.kind, "state": s.state} for s in report.scopes]} if several else {}),
        },
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def catalogue_from_report(report: Report) -> list[dict[str, Any]]:
    """Rule descriptions for every check in the report, from the registry where it is known."""
    from scanner.registry import load_checks

    registry = load_checks()
    specs: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        if finding.check_id in specs:
            continue
        spec = registry.get(finding.check_id)
        specs[finding.check_id] = {
            "check_id": finding.check_id,
            "title": finding.check_title,
            "provider": finding.provider,
            "category": finding.category.value,
            "severity": finding.severity,
            "rationale": spec.rationale if spec else finding.check_title,
            "remediation": finding.remediation,
            "criteria": finding.criteria,
        }
    return [specs[k] for k in sorted(specs)]


def render(report: Report) -> str:
    document = to_dict(build(report, catalogue_from_report(report)))
    ordered = {"$schema": document.pop("$schema"), "version": document.pop("version"), **document}
    return json.dumps(ordered, indent=2) + "\n"
