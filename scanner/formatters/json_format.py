"""JSON: the Report model, schema-versioned, in a deterministic order."""

from __future__ import annotations

from scanner.models.report import Report


def render(report: Report) -> str:
    return report.model_dump_json(indent=2) + "\n"


def findings_json(report: Report) -> str:
    """Only the findings: what must be byte-identical between a live scan and its snapshot."""
    return "[" + ",".join(f.model_dump_json() for f in report.findings) + "]"
