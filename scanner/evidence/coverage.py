"""The mapping coverage statement: for every criterion, what trustscan automates per provider and what stays manual.

Per criterion:
- `automated`: automated checks on every provider trustscan has checks for, and no manual evidence listed;
- `partly automated`: automated checks exist for at least one provider, but manual evidence is still
  required (or some provider has no check for it);
- `manual only`: no automated check; the listed manual evidence is what the auditor needs.
Provider columns count the mapped checks that exist in the check registry (built-in and installed packs).
"""

from __future__ import annotations

import io
import json
from typing import Any

from scanner.mapping import load_framework

PROVIDERS = ("aws", "azure", "gcp")
AUTOMATED, PARTLY, MANUAL = "automated", "partly automated", "manual only"


def coverage_statement(framework_name: str) -> dict[str, Any]:
    from scanner.registry import load_checks

    framework = load_framework(framework_name)
    registry = load_checks()
    active = [p for p in PROVIDERS if any(spec.provider == p for spec in registry.values())]
    rows = []
    for criterion_id, criterion in framework.criteria.items():
        by_provider = {p: sorted(c for c in criterion.checks if c in registry and registry[c].provider == p) for p in PROVIDERS}
        covered = [p for p in active if by_provider[p]]
        if not covered:
            level = MANUAL
        elif criterion.manual_evidence or len(covered) < len(active):
            level = PARTLY
        else:
            level = AUTOMATED
        rows.append({
            "criterion": criterion_id,
            "title": criterion.title,
            "category": criterion.category,
            "coverage": level,
            "checks": by_provider,
            "manual_evidence": list(criterion.manual_evidence),
        })
    totals = {level: sum(1 for r in rows if r["coverage"] == level) for level in (AUTOMATED, PARTLY, MANUAL)}
    per_provider = {p: sum(1 for r in rows if r["checks"][p]) for p in PROVIDERS}
    return {
        "framework": framework.framework,
        "title": framework.title,
        "criteria_count": len(rows),
        "providers_with_checks": active,
        "totals": totals,
        "criteria_with_checks_per_provider": per_provider,
        "criteria": rows,
    }


def render_coverage(statement: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(statement, indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(statement)
    return _table(statement)


def _summary_line(s: dict[str, Any]) -> str:
    t, per = s["totals"], s["criteria_with_checks_per_provider"]
    return (
        f"{s['criteria_count']} criteria: {t[AUTOMATED]} automated, {t[PARTLY]} partly automated, {t[MANUAL]} manual only. "
        f"Criteria with automated checks: " + ", ".join(f"{p} {per[p]}" for p in PROVIDERS) + "."
    )


def _markdown(s: dict[str, Any]) -> str:
    lines = [f"# {s['title']}: mapping coverage", "", _summary_line(s), "",
             "| Criterion | Title | Coverage | AWS | Azure | GCP | Manual evidence required |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in s["criteria"]:
        counts = [str(len(r["checks"][p])) if r["checks"][p] else "-" for p in PROVIDERS]
        evidence = "<br>".join(e.replace("|", "\\|") for e in r["manual_evidence"]) or "-"
        lines.append(f"| {r['criterion']} | {r['title'].replace('|', '/')} | {r['coverage']} | {' | '.join(counts)} | {evidence} |")
    return "\n".join(lines) + "\n"


def _table(s: dict[str, Any]) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{s['title']}: mapping coverage", title_justify="left", show_lines=True)
    for column in ("Criterion", "Coverage", "aws", "azure", "gcp", "Manual evidence required"):
        table.add_column(column, justify="right" if column in PROVIDERS else "left")
    for r in s["criteria"]:
        counts = [str(len(r["checks"][p])) if r["checks"][p] else "-" for p in PROVIDERS]
        table.add_row(
            escape(f"{r['criterion']} {r['title']}"), escape(r["coverage"]), *counts, escape("\n".join(f"- {e}" for e in r["manual_evidence"]))
        )
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, no_color=True)
    console.print(table)
    console.print(escape(_summary_line(s)))
    console.print(escape("Per-check detail: trustscan mappings show " + s["framework"] + " [CRITERION]"))
    return buffer.getvalue()
