"""A terminal summary: per check, per criterion, and the failing findings."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter

from rich.console import Console
from rich.table import Table

from scanner.models.common import Status
from scanner.models.report import CriterionState, Report

STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE, Status.WAIVED]
STATUS_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "bold red",
    Status.ERROR: "yellow",
    Status.UNKNOWN: "magenta",
    Status.NOT_APPLICABLE: "dim",
    Status.WAIVED: "cyan",
}
STATE_STYLE = {
    CriterionState.SATISFIED: "green",
    CriterionState.NOT_SATISFIED: "bold red",
    CriterionState.INCOMPLETE: "yellow",
    CriterionState.MANUAL: "dim",
}
MAX_FAILURES_LISTED = 25


def render(report: Report, color: bool = False) -> str:
    buffer = io.StringIO()
    width = shutil.get_terminal_size((120, 40)).columns if color else 120
    console = Console(file=buffer, width=max(100, width), force_terminal=color, no_color=not color or "NO_COLOR" in os.environ)
    meta = report.metadata
    console.print(
        f"[bold]trustscan {meta.tool_version}[/] {meta.provider} {_OWNER.get(meta.provider, 'account')} {meta.identity.account} "
        f"({_scope_summary(meta)}, source: {meta.source})"
    )
    console.print(_checks_table(report))
    console.print(_criteria_table(report))
    failures = [f for f in report.findings if f.status == Status.FAIL]
    if failures:
        console.print(_failures_table(failures))
    if report.collection_errors:
        console.print(f"[yellow]{len(report.collection_errors)} collection(s) failed[/]: " + "; ".join(
            f"{e.key} [{e.scope}]: {e.reason}" for e in report.collection_errors[:5]
        ) + (" ..." if len(report.collection_errors) > 5 else ""))
    totals = ", ".join(f"{report.summary.get(s, 0)} {s.value}" for s in STATUS_ORDER if report.summary.get(s, 0))
    console.print(f"[bold]{len(report.findings)} findings[/]: {totals or 'none'}" + (" [yellow](incomplete scan)[/]" if meta.incomplete else ""))
    return buffer.getvalue()


_OWNER = {"aws": "account", "azure": "tenant", "gcp": "organization"}


def _scope_summary(meta) -> str:
    if meta.scopes:
        noun = {"azure": "subscription", "gcp": "project"}.get(meta.provider, "scope")
        return f"{len(meta.scopes)} {noun}{'s' if len(meta.scopes) != 1 else ''}"
    return f"{len(meta.regions)} region{'s' if len(meta.regions) != 1 else ''}"


def _checks_table(report: Report) -> Table:
    table = Table(title="Checks", title_justify="left", expand=False)
    table.add_column("Check")
    table.add_column("Severity")
    for status in STATUS_ORDER:
        table.add_column(status.value.replace("NOT_APPLICABLE", "N/A"), justify="right")
    counts: dict[str, Counter] = {}
    severity: dict[str, str] = {}
    for finding in report.findings:
        counts.setdefault(finding.check_id, Counter())[finding.status] += 1
        severity[finding.check_id] = finding.severity.value
    for check_id in sorted(counts):
        row = [check_id, severity[check_id]]
        for status in STATUS_ORDER:
            n = counts[check_id].get(status, 0)
            row.append(f"[{STATUS_STYLE[status]}]{n}[/]" if n else "")
        table.add_row(*row)
    return table


def _criteria_table(report: Report) -> Table:
    table = Table(title="SOC 2 criteria", title_justify="left")
    table.add_column("Criterion", no_wrap=True, overflow="ellipsis", max_width=62)
    table.add_column("State", no_wrap=True)
    table.add_column("Checks", justify="right")
    table.add_column("Findings")
    for rollup in report.criteria:
        counts = ", ".join(f"{n} {s.value}" for s, n in sorted(rollup.counts.items(), key=lambda kv: STATUS_ORDER.index(kv[0])))
        table.add_row(
            f"{rollup.criterion} {rollup.title}",
            f"[{STATE_STYLE[rollup.state]}]{rollup.state.value}[/]",
            str(len(rollup.checks)) if rollup.checks else "",
            counts,
        )
    return table


def _failures_table(failures: list) -> Table:
    table = Table(title=f"Failing findings ({len(failures)})", title_justify="left")
    table.add_column("Severity")
    table.add_column("Check", no_wrap=True)
    table.add_column("Resource", overflow="fold")
    table.add_column("Region")
    table.add_column("Why")
    ranked = sorted(failures, key=lambda f: (-f.severity.rank, f.check_id, f.resource_name))
    for finding in ranked[:MAX_FAILURES_LISTED]:
        table.add_row(finding.severity.value, finding.check_id, finding.resource_name, finding.region, finding.message)
    if len(ranked) > MAX_FAILURES_LISTED:
        table.add_row("", f"... and {len(ranked) - MAX_FAILURES_LISTED} more", "", "", "")
    return table
