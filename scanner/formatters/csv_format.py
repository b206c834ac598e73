"""CSV of every finding, passes included: the evidence spreadsheet.

One row per finding, RFC 4180 (CRLF line ends, quotes doubled). Cells that a spreadsheet would
run as a formula (starting with = + - @ or a tab/CR) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json

from scanner.models.report import Finding, Report

COLUMNS = [
    "finding_id",
    "status",
    "severity",
    "check_id",
    "check_title",
    "provider",
    "service",
    "category",
    "account",
    "region",
    "resource_type",
    "resource_id",
    "resource_name",
    "message",
    "criteria",
    "evidence",
    "remediation",
    "waiver_id",
    "waiver_owner",
    "waiver_expires",
    "waiver_justification",
    "waiver_ticket",
    "original_status",
    "baseline_state",
    "collected_at",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(finding: Finding, collected_at: str) -> list[str]:
    waiver = finding.waiver
    values = [
        finding.finding_id,
        finding.status.value,
        finding.severity.value,
        finding.check_id,
        finding.check_title,
        finding.provider,
        finding.service,
        finding.category.value,
        finding.account,
        finding.region,
        finding.resource_type,
        finding.resource_id,
        finding.resource_name,
        finding.message,
        "; ".join(f"{fw}:{','.join(ids)}" for fw, ids in sorted(finding.criteria.items())),
        json.dumps(finding.evidence, sort_keys=True, separators=(",", ":")) if finding.evidence else "",
        finding.remediation,
        waiver.waiver_id if waiver else "",
        waiver.owner if waiver else "",
        waiver.expires.isoformat() if waiver else "",
        waiver.justification if waiver else "",
        (waiver.ticket or "") if waiver else "",
        waiver.original_status.value if waiver else "",
        finding.baseline_state or "",
        collected_at,
    ]
    return [safe(v) for v in values]


def render(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    collected_at = report.metadata.collected_at.isoformat().replace("+00:00", "Z")
    writer.writerows(row(f, collected_at) for f in report.findings)
    return buffer.getvalue()
