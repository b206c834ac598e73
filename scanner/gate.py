"""The gate: which findings fail a run, for the exit status, the Action's outputs and the summary."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.models.common import Severity, Status
from scanner.models.report import Finding, Report


def gating_failures(report: Report, fail_on: str, new_only: bool = False) -> list[Finding]:
    """FAIL findings at or above `fail_on` (any|critical|...|info|never); only new ones with `new_only`.

    WAIVED findings never gate: their status is no longer FAIL."""
    if fail_on == "never":
        return []
    threshold = 0 if fail_on == "any" else Severity(fail_on).rank
    return [
        f
        for f in report.findings
        if f.status == Status.FAIL and f.severity.rank >= threshold and (not new_only or f.baseline_state == "new")
    ]


def gating_count(failing: Mapping[Severity, int], fail_on: str) -> int:
    """How many FAIL findings gate, from their count per severity (a streamed report keeps no findings)."""
    if fail_on == "never":
        return 0
    threshold = 0 if fail_on == "any" else Severity(fail_on).rank
    return sum(n for severity, n in failing.items() if severity.rank >= threshold)
