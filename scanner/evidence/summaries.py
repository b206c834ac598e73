"""Per-criterion summaries of one report: CSV (for spreadsheets) and Markdown (for tickets and wikis).

Both are pure functions of the report and the mapping, so `verify` can re-render them and compare bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from scanner.mapping import Framework
from scanner.models.common import Status
from scanner.models.report import Report
from scanner.text import count

STATUS_COLUMNS = [Status.PASS, Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.NOT_APPLICABLE, Status.WAIVED]


def _category(frameworks: Mapping[str, Framework], framework: str, criterion: str) -> str:
    fw = frameworks.get(framework)
    item = fw.criteria.get(criterion) if fw else None
    return (item.category or "") if item else ""


def criteria_csv(report: Report, frameworks: Mapping[str, Framework]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["framework", "criterion", "title", "category", "state", "automated_checks"]
        + [s.value for s in STATUS_COLUMNS]
        + ["manual_evidence_required"]
    )
    for rollup in report.criteria:
        writer.writerow(
            [rollup.framework, rollup.criterion, rollup.title, _category(frameworks, rollup.framework, rollup.criterion), rollup.state.value,
             ";".join(rollup.checks)]
            + [rollup.counts.get(s, 0) for s in STATUS_COLUMNS]
            + ["; ".join(rollup.manual_evidence)]
        )
    return buffer.getvalue()


def _md(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def criteria_markdown(report: Report, frameworks: Mapping[str, Framework]) -> str:
    meta = report.metadata
    accounts = sorted({meta.identity.account, *meta.scopes})
    lines = [
        f"# SOC 2 criteria: {meta.provider} {', '.join(accounts)}",
        "",
        f"Collected {meta.collected_at.isoformat()} by `{meta.identity.principal or meta.identity.account}` with trustscan "
        f"{meta.tool_version}; {count(meta.checks_evaluated, 'check')}, {count(len(report.findings), 'finding')}"
        + (" (incomplete scan)" if meta.incomplete else "")
        + ".",
        "",
    ]
    states: dict[str, int] = {}
    for rollup in report.criteria:
        states[rollup.state.value] = states.get(rollup.state.value, 0) + 1
    lines.append("States: " + ", ".join(f"{n} {state.replace('_', ' ')}" for state, n in sorted(states.items())) + ".")
    lines += ["", "| Criterion | Title | State | Automated checks | Findings | Manual evidence still required |", "| --- | --- | --- | --- | --- | --- |"]
    for rollup in report.criteria:
        counts = ", ".join(f"{rollup.counts[s]} {s.value}" for s in STATUS_COLUMNS if rollup.counts.get(s))
        checks = "<br>".join(f"`{c}`" for c in rollup.checks) or "none"
        lines.append(
            f"| {rollup.criterion} | {_md(rollup.title)} | {rollup.state.value.replace('_', ' ')} | {checks} | {counts or '-'} | "
            f"{'<br>'.join(_md(e) for e in rollup.manual_evidence) or '-'} |"
        )
    return "\n".join(lines) + "\n"
