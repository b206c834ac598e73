"""A terminal summary that fits the terminal: what needs action first, the rest counted.

Width comes from the terminal, or `COLUMNS` (on a pipe: 120 unless COLUMNS says otherwise). Checks
with FAIL, ERROR or UNKNOWN findings and criteria that are not satisfied or incomplete are listed;
passing, not-applicable and manual ones are counted (`verbose` lists everything, as `-v` does). Each
finding to act on gets its deciding detail in full, wrapped rather than clipped. Every value is
escaped before it reaches rich, so `[us-east-1]` or a reason containing `[/...]` prints as text.
"""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from scanner.models.common import Status
from scanner.models.report import CriterionState, Finding, Report
from scanner.text import count

STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE, Status.WAIVED]
ACTION = (Status.FAIL, Status.ERROR, Status.UNKNOWN)
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
MAX_FINDINGS_LISTED = 25
MAX_ERRORS_LISTED = 5
PIPE_WIDTH = 120
MIN_WIDTH = 40


def terminal_width() -> int:
    """The terminal's width, or COLUMNS, or PIPE_WIDTH when neither says."""
    return shutil.get_terminal_size((PIPE_WIDTH, 24)).columns


def render(report: Report, color: bool = False, *, width: int | None = None, verbose: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(MIN_WIDTH, width or terminal_width()),
        force_terminal=color,
        no_color=not color or "NO_COLOR" in os.environ,
        highlight=False,
        emoji=False,
    )
    meta = report.metadata
    console.print(
        f"[bold]trustscan {escape(meta.tool_version)}[/] {escape(meta.provider)} {_OWNER.get(meta.provider, 'account')} "
        f"{escape(meta.identity.account)} ({escape(_scope_summary(report))}, source: {escape(meta.source)})"
    )
    several = len(report.scopes) > 1
    if several:
        console.print(_scopes_table(report))
    _checks(console, report, verbose)
    _criteria(console, report, verbose)
    _findings(console, report, verbose, by_account=several)
    _collection_errors(console, report, verbose, with_account=several)
    totals = ", ".join(f"{report.summary.get(s, 0)} {s.value}" for s in STATUS_ORDER if report.summary.get(s, 0))
    console.print(
        f"[bold]{count(len(report.findings), 'finding')}[/]: {totals or 'none'}"
        + (" [yellow](incomplete scan)[/]" if meta.incomplete else "")
    )
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


_OWNER = {"aws": "account", "azure": "tenant", "gcp": "organization"}


SCOPE_NOUN = {"account": "account", "subscription": "subscription", "project": "project", "organization": "organization"}
STATE_LABEL = {"scanned": "[green]scanned[/]", "partly_failed": "[yellow]partly failed[/]", "failed": "[bold yellow]failed[/]"}


def _scope_summary(report: Report) -> str:
    meta = report.metadata
    accounts = [s for s in report.scopes if s.kind == "account"]
    if len(accounts) > 1:
        return f"{count(len(accounts), 'account')}, {count(len(meta.regions), 'region')}"
    if meta.scopes:
        noun = {"azure": "subscription", "gcp": "project"}.get(meta.provider, "scope")
        return count(len(meta.scopes), noun)
    return count(len(meta.regions), "region")


def _scopes_table(report: Report) -> Table:
    """One row per scope: what was scanned there and what was found (the report grouped by account)."""
    table = Table(title="Scopes", title_justify="left")
    table.add_column("Scope", overflow="fold")
    table.add_column("Kind")
    table.add_column("State", no_wrap=True)
    statuses = [s for s in STATUS_ORDER if any(scope.counts.get(s) for scope in report.scopes)]
    for status in statuses:
        table.add_column(status.value.replace("NOT_APPLICABLE", "N/A"), justify="right", no_wrap=True)
    table.add_column("Criteria not satisfied", justify="right")
    for scope in report.scopes:
        label = scope.id + (f" ({scope.name})" if scope.name and scope.name != scope.id else "")
        row = [escape(label), escape(SCOPE_NOUN.get(scope.kind, scope.kind)), STATE_LABEL.get(scope.state, escape(scope.state))]
        for status in statuses:
            n = scope.counts.get(status, 0)
            row.append(f"[{STATUS_STYLE[status]}]{n}[/]" if n else "")
        failing = sum(1 for states in scope.criteria.values() for state in states.values() if state == CriterionState.NOT_SATISFIED)
        row.append(f"[bold red]{failing}[/]" if failing else "")
        table.add_row(*row)
    return table


def _checks(console: Console, report: Report, verbose: bool) -> None:
    counts: dict[str, Counter] = {}
    severity: dict[str, str] = {}
    for finding in report.findings:
        counts.setdefault(finding.check_id, Counter())[finding.status] += 1
        severity[finding.check_id] = finding.severity.value
    needing = [c for c in counts if any(counts[c].get(s) for s in ACTION)]
    listed = sorted(counts) if verbose else sorted(needing, key=lambda c: (-sum(counts[c][s] for s in ACTION), c))
    statuses = [s for s in STATUS_ORDER if any(counts[c].get(s) for c in listed)]
    if listed:
        title = "Checks" if verbose else f"Checks to act on ({len(needing)} of {len(counts)})"
        table = Table(title=title, title_justify="left", expand=False)
        table.add_column("Check", overflow="fold")
        table.add_column("Severity", no_wrap=True)
        for status in statuses:
            table.add_column(status.value.replace("NOT_APPLICABLE", "N/A"), justify="right", no_wrap=True)
        for check_id in listed:
            row = [escape(check_id), escape(severity[check_id])]
            for status in statuses:
                n = counts[check_id].get(status, 0)
                row.append(f"[{STATUS_STYLE[status]}]{n}[/]" if n else "")
            table.add_row(*row)
        console.print(table)
    if not verbose:
        rest = [c for c in counts if c not in needing]
        passed = sum(1 for c in rest if counts[c].get(Status.PASS))
        waived = sum(1 for c in rest if counts[c].get(Status.WAIVED) and not counts[c].get(Status.PASS))
        inapplicable = len(rest) - passed - waived
        parts = [count(passed, "check") + " passed", f"{inapplicable} not applicable"] + ([f"{waived} waived"] if waived else [])
        console.print(f"{', '.join(parts)} (-v lists every check)")


def _criteria(console: Console, report: Report, verbose: bool) -> None:
    for framework in dict.fromkeys(c.framework for c in report.criteria):
        rows = [c for c in report.criteria if c.framework == framework]
        states = Counter(c.state for c in rows)
        name = {"soc2": "SOC 2"}.get(framework, framework.upper())
        summary = ", ".join(f"{states[s]} {s.value.replace('_', ' ')}" for s in CriterionState if states.get(s))
        shown = rows if verbose else [c for c in rows if c.state in (CriterionState.NOT_SATISFIED, CriterionState.INCOMPLETE)]
        console.print(f"[bold]{name} criteria[/]: {summary}" + ("" if verbose else " (-v lists every criterion)"))
        if not shown:
            continue
        table = Table(expand=console.width < 110)
        table.add_column("Criterion", ratio=3, min_width=16, no_wrap=True, overflow="ellipsis", max_width=62)
        table.add_column("State", no_wrap=True)
        table.add_column("Findings", ratio=2, min_width=10, overflow="fold")
        for rollup in shown:
            counts = ", ".join(
                f"{n} {s.value}" for s, n in sorted(rollup.counts.items(), key=lambda kv: STATUS_ORDER.index(kv[0]))
            )
            table.add_row(
                escape(f"{rollup.criterion} {rollup.title}"),
                f"[{STATE_STYLE[rollup.state]}]{rollup.state.value}[/]",
                escape(counts) or ("no automated check" if not rollup.checks else ""),
            )
        console.print(table)


def _findings(console: Console, report: Report, verbose: bool, by_account: bool = False) -> None:
    """Each finding to act on as a heading line and its reason, indented and wrapped, never clipped
    (grouped by account when several were scanned)."""
    acting = [f for f in report.findings if f.status in ACTION]
    if not acting:
        return
    ranked = sorted(
        acting,
        key=lambda f: (f.account if by_account else "", ACTION.index(f.status), -f.severity.rank, f.check_id, f.resource_name, f.region),
    )
    shown = ranked if verbose else ranked[:MAX_FINDINGS_LISTED]
    tally = ", ".join(f"{n} {s.value}" for s in ACTION if (n := sum(1 for f in acting if f.status == s)))
    console.print(f"\n[bold]Findings to act on[/] ({tally})")
    previous = None
    for finding in shown:
        if by_account and finding.account != previous:
            console.print(Text(f"Account {finding.account}", style="bold"), overflow="fold")
            previous = finding.account
        console.print(_heading(finding), overflow="fold")
        console.print(Padding(Text(finding.message, overflow="fold"), (0, 0, 0, 4), expand=False))
    if len(shown) < len(ranked):
        console.print(f"... and {len(ranked) - len(shown)} more (-v lists them all; the JSON report has every finding)")


def _heading(finding: Finding) -> Text:
    text = Text()
    text.append(f"{finding.status.value:<7} ", style=STATUS_STYLE[finding.status])
    text.append(f"{finding.severity.value:<8} ")
    text.append(finding.check_id, style="bold")
    text.append(f"  {finding.resource_name} [{finding.region}]")
    return text


def _collection_errors(console: Console, report: Report, verbose: bool, with_account: bool = False) -> None:
    errors = report.collection_errors
    if not errors:
        return
    shown = errors if verbose else errors[:MAX_ERRORS_LISTED]
    console.print(f"\n[yellow]{count(len(errors), 'collection')} failed[/]:")
    for error in shown:
        console.print(Padding(Text(f"{error.key} [{error.location(with_account)}]: {error.reason}", overflow="fold"), (0, 0, 0, 2), expand=False))
    if len(shown) < len(errors):
        console.print(f"  ... and {len(errors) - len(shown)} more (-v lists them all)")
