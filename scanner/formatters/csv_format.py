"""CSV of every finding, passes included: the evidence spreadsheet.

One row per finding, RFC 4180 (CRLF line ends, quotes doubled). Cells that a spreadsheet would
run as a formula (starting with = + - @ or a tab/CR) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
from typing import IO

from scanner.formatters._stream import render_with
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
    return render_with(CsvWriter, report)


class CsvWriter:
    """The header, then one row per finding as it comes."""

    ROWS_PER_WRITE = 1000

    def __init__(self, out: IO[bytes], report: Report) -> None:
        self._out = out
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")
        self._writer.writerow(COLUMNS)
        self._collected_at = report.metadata.collected_at.isoformat().replace("+00:00", "Z")
        self._pending = 0

    def add(self, finding: Finding) -> None:
        self._writer.writerow(row(finding, self._collected_at))
        self._pending += 1
        if self._pending >= self.ROWS_PER_WRITE:
            self._flush()

    def encode(self, findings: list[Finding]) -> str:
        """The rows `add` would write for `findings` (for `add_encoded`, from a worker process)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for finding in findings:
            writer.writerow(row(finding, self._collected_at))
        return buffer.getvalue()

    def add_encoded(self, rows: str, count: int) -> None:
        self._buffer.write(rows)
        self._pending += count
        if self._pending >= self.ROWS_PER_WRITE:
            self._flush()

    def finish(self, report: Report) -> None:
        self._flush()

    def _flush(self) -> None:
        self._out.write(self._buffer.getvalue().encode("utf-8"))
        self._buffer.seek(0)
        self._buffer.truncate()
        self._pending = 0
