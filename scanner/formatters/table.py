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
        f"({_scope_summary(report)}, source: {meta.source})"
    )
    several = len(report.scopes) > 1
    if several:
        console.print(_scopes_table(report))
    console.print(_checks_table(report))
    console.print(_criteria_table(report))
    failures = [f for f in report.findings if f.status == Status.FAIL]
    if failures:
        console.print(_failures_table(failures, by_account=several))
    if report.collection_errors:
        console.print(f"[yellow]{len(report.collection_errors)} collection(s) failed[/]: " + "; ".join(
            f"{e.key} [{e.location(several)}]: {e.reason}" for e in report.collection_errors[:5]
        ) + (" ..." if len(report.collection_errors) > 5 else ""))
    totals = ", ".join(f"{report.summary.get(s, 0)} {s.value}" for s in STATUS_ORDER if report.summary.get(s, 0))
    console.print(f"[bold]{len(report.findings)} findings[/]: {totals or 'none'}" + (" [yellow](incomplete scan)[/]" if meta.incomplete else ""))
    return buffer.getvalue()


_OWNER = {"aws": "account", "azure": "tenant", "gcp": "organization"}


SCOPE_NOUN = {"account": "account", "subscription": "subscription", "project": "project", "organization": "organization"}
STATE_LABEL = {"scanned": "[green]scanned[/]", "partly_failed": "[yellow]partly failed[/]", "failed": "[bold yellow]failed[/]"}


def _scope_summary(report: Report) -> str:
    meta = report.metadata
    accounts = [s for s in report.scopes if s.kind == "account"]
    if len(accounts) > 1:
        return f"{len(accounts)} accounts, {len(meta.regions)} region{'s' if len(meta.regions) != 1 else ''}"
    if meta.scopes:
        noun = {"azure": "subscription", "gcp": "project"}.get(meta.provider, "scope")
        return f"{len(meta.scopes)} {noun}{'s' if len(meta.scopes) != 1 else ''}"
    return f"{len(meta.regions)} region{'s' if len(meta.regions) != 1 else ''}"


def _scopes_table(report: Report) -> Table:
    """One row per scope: what was scanned there and what was found (the report grouped by account)."""
    table = Table(title="Scopes", title_justify="left")
    table.add_column("Scope", overflow="fold")
    table.add_column("Kind")
    table.add_column("State", no_wrap=True)
    for status in STATUS_ORDER:
        table.add_column(status.value.replace("NOT_APPLICABLE", "N/A"), justify="right")
    table.add_column("Criteria not satisfied", justify="right")
    for scope in report.scopes:
        label = scope.id + (f" ({scope.name})" if scope.name and scope.name != scope.id else "")
        row = [label, SCOPE_NOUN.get(scope.kind, scope.kind), STATE_LABEL.get(scope.state, scope.state)]
        for status in STATUS_ORDER:
            n = scope.counts.get(status, 0)
            row.append(f"[{STATUS_STYLE[status]}]{n}[/]" if n else "")
        failing = sum(1 for states in scope.criteria.values() for state in states.values() if state == CriterionState.NOT_SATISFIED)
        row.append(f"[bold red]{failing}[/]" if failing else "")
        table.add_row(*row)
    return table


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


def _failures_table(failures: list, by_account: bool = False) -> Table:
    table = Table(title=f"Failing findings ({len(failures)})", title_justify="left")
    if by_account:
        table.add_column("Account", overflow="fold")
    table.add_column("Severity")
    table.add_column("Check", no_wrap=True)
    table.add_column("Resource", overflow="fold")
    table.add_column("Region")
    table.add_column("Why")
    if by_account:  # grouped by account, most severe first within each
        ranked = sorted(failures, key=lambda f: (f.account, -f.severity.rank, f.check_id, f.resource_name))
    else:
        ranked = sorted(failures, key=lambda f: (-f.severity.rank, f.check_id, f.resource_name))
    previous = None
    for finding in ranked[:MAX_FAILURES_LISTED]:
        cells = [finding.severity.value, finding.check_id, finding.resource_name, finding.region, finding.message]
        if by_account:
            cells.insert(0, finding.account if finding.account != previous else "")
            previous = finding.account
        table.add_row(*cells)
    if len(ranked) > MAX_FAILURES_LISTED:
        more = ["", f"... and {len(ranked) - MAX_FAILURES_LISTED} more", "", "", ""]
        table.add_row(*([""] + more if by_account else more))
    return table
