"""Markdown: the GitHub step summary, reusable as a pull-request comment.

Verdict, counts, a table per SOC 2 criterion, the top failing findings (new ones first against a
baseline), waivers and what they waived, collection errors. Free text is escaped (a resource name
cannot open a link or break a table) and the whole stays under `max_bytes`: GitHub refuses step
summaries over 1 MiB, so rows are dropped, most numerous first, until it fits.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.models.common import Status
from scanner.models.report import CriterionState, Finding, Report
from scanner.text import count

MAX_BYTES = 1_000_000  # GitHub's limit is 1 MiB (1,048,576 bytes) per step
TOP_FINDINGS = 50
CELL_LIMIT = 240
STATUS_ORDER = [Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED, Status.PASS, Status.NOT_APPLICABLE]
STATE_ICON = {
    CriterionState.SATISFIED: "✅ satisfied",
    CriterionState.NOT_SATISFIED: "❌ not satisfied",
    CriterionState.INCOMPLETE: "⚠️ incomplete",
    CriterionState.MANUAL: "📝 manual",
}
FRAMEWORK_TITLE = {"soc2": "SOC 2"}
MARKDOWN_SPECIALS = "\\`*_[]|<>#"


def render(report: Report, *, verdict: str | None = None, max_bytes: int = MAX_BYTES, top: int = TOP_FINDINGS) -> str:
    """The summary; `verdict` (e.g. "fail: 3 FAIL findings at or above high") replaces the default headline."""
    while True:
        text = _render(report, verdict, top)
        if len(text.encode("utf-8")) <= max_bytes:
            return text
        if top == 0:
            note = "\n\n_(summary truncated to fit GitHub's step-summary limit)_\n"
            budget = max_bytes - len(note.encode("utf-8"))
            return text.encode("utf-8")[:budget].decode("utf-8", "ignore") + note
        top //= 2


def cell(value: object, limit: int = CELL_LIMIT) -> str:
    """Table-cell text: one line, bounded, Markdown and HTML neutralised."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    # CommonMark backslash-escapes every ASCII punctuation character; & would start an entity.
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIALS else ch for ch in text).replace("&", "&amp;")


def code(value: str) -> str:
    return f"`{value}`" if "`" not in value and "|" not in value else cell(value)


def headline(report: Report) -> str:
    failing = report.summary.get(Status.FAIL, 0)
    errors = report.summary.get(Status.ERROR, 0)
    if failing:
        return f"❌ {failing} failing finding{'s' * (failing != 1)}"
    if errors or report.metadata.incomplete:
        return f"⚠️ no failing findings, {errors} collection error{'s' * (errors != 1)}"
    return "✅ no failing findings"


def _render(report: Report, verdict: str | None, top: int) -> str:
    meta = report.metadata
    scopes, label = (meta.scopes, "scope") if meta.scopes else (meta.regions, "region")
    accounts = [s for s in report.scopes if s.kind == "account"]
    where = f"{len(accounts)} accounts · " if len(accounts) > 1 else ""
    out = [
        f"## trustscan: {verdict or headline(report)}",
        "",
        f"{meta.provider} account `{meta.identity.account}` · {where}{len(scopes)} {label}{'s' * (len(scopes) != 1)} · "
        f"{count(meta.checks_evaluated, 'check')} · source {meta.source} · collected {meta.collected_at.isoformat().replace('+00:00', 'Z')} · "
        f"trustscan {meta.tool_version}" + (" · **incomplete scan**" if meta.incomplete else ""),
        "",
        "| " + " | ".join(s.value.replace("NOT_APPLICABLE", "N/A") for s in STATUS_ORDER) + " |",
        "|" + " ---: |" * len(STATUS_ORDER),
        "| " + " | ".join(str(report.summary.get(s, 0)) for s in STATUS_ORDER) + " |",
    ]
    if report.baseline is not None:
        counts = report.baseline.counts
        out += [
            "",
            f"Against the baseline collected {report.baseline.baseline_collected_at.isoformat().replace('+00:00', 'Z')}: "
            f"**{report.baseline.new_failures} new failing**, {counts['new']} new, {counts['unchanged']} unchanged, "
            f"{counts['resolved']} resolved.",
        ]
    out += _scopes(report, top)
    out += _criteria(report)
    out += _failures(report, top)
    out += _waivers(report, top)
    out += _errors(report, top)
    return "\n".join(out) + "\n"


SCOPE_STATE = {"scanned": "scanned", "partly_failed": "⚠️ partly failed", "failed": "⚠️ failed (nothing read)"}


def _scopes(report: Report, top: int) -> list[str]:
    """The report grouped by account (subscription, project): one row per scope, when there are several."""
    if len(report.scopes) <= 1:
        return []
    failing_first = sorted(report.scopes, key=lambda s: (-s.counts.get(Status.FAIL, 0), -s.counts.get(Status.ERROR, 0), s.id))
    shown = failing_first[: max(top, 10)]
    kinds = sorted({s.kind for s in report.scopes})
    out = [
        "",
        f"### Scopes ({len(report.scopes)}: " + ", ".join(f"{sum(1 for s in report.scopes if s.kind == k)} {k}" for k in kinds) + ")",
        "",
        "| Scope | Kind | State | " + " | ".join(s.value.replace("NOT_APPLICABLE", "N/A") for s in STATUS_ORDER) + " | Criteria not satisfied |",
        "| --- | --- | --- |" + " ---: |" * len(STATUS_ORDER) + " ---: |",
    ]
    for scope in shown:
        name = code(scope.id) + (f" {cell(scope.name, 60)}" if scope.name and scope.name != scope.id else "")
        failing = sum(1 for states in scope.criteria.values() for state in states.values() if state == CriterionState.NOT_SATISFIED)
        out.append(
            f"| {name} | {scope.kind} | {SCOPE_STATE.get(scope.state, scope.state)} | "
            + " | ".join(str(scope.counts.get(s, 0)) for s in STATUS_ORDER)
            + f" | {failing} |"
        )
    if len(shown) < len(report.scopes):
        out += ["", f"… and {len(report.scopes) - len(shown)} more scopes in the JSON report."]
    return out


def _criteria(report: Report) -> list[str]:
    out: list[str] = []
    for framework in dict.fromkeys(c.framework for c in report.criteria):
        rows = [c for c in report.criteria if c.framework == framework]
        states = {state: sum(1 for c in rows if c.state == state) for state in CriterionState}
        out += [
            "",
            f"### {FRAMEWORK_TITLE.get(framework, framework.upper())} criteria",
            "",
            ", ".join(f"{n} {s.value.replace('_', ' ')}" for s, n in states.items() if n),
            "",
            "| Criterion | State | Checks | Findings |",
            "| --- | --- | ---: | --- |",
        ]
        for rollup in rows:
            if rollup.state == CriterionState.MANUAL:
                continue
            counts = ", ".join(f"{rollup.counts[s]} {s.value}" for s in STATUS_ORDER if rollup.counts.get(s))
            out.append(
                f"| **{cell(rollup.criterion)}** {cell(rollup.title, 80)} | {STATE_ICON[rollup.state]} | "
                f"{len(rollup.checks)} | {counts} |"
            )
        manual = [c for c in rows if c.state == CriterionState.MANUAL]
        if manual:
            # Criteria no automated check covers for this provider: listed, folded, so the table stays readable.
            out += [
                "",
                f"<details><summary>{len(manual)} criteria rest on manual evidence only</summary>",
                "",
                *(f"- **{cell(c.criterion)}** {cell(c.title, 120)}" for c in manual),
                "",
                "</details>",
            ]
    return out


def ranked_failures(findings: Iterable[Finding]) -> list[Finding]:
    """FAIL findings, new ones first, then by severity, check and resource."""
    failing = [f for f in findings if f.status == Status.FAIL]
    return sorted(failing, key=lambda f: (f.baseline_state != "new", -f.severity.rank, f.check_id, f.resource_name, f.region))


def _failures(report: Report, top: int) -> list[str]:
    ranked = ranked_failures(report.findings)
    if not ranked:
        return []
    with_baseline = report.baseline is not None
    by_account = len(report.scopes) > 1
    shown = ranked[:top]
    if by_account:  # the shown failures grouped by account, in rank order within each
        order = {f.finding_id: i for i, f in enumerate(shown)}
        shown = sorted(shown, key=lambda f: (f.account, order[f.finding_id]))
    out = [
        "",
        f"### Failing findings ({len(ranked)}" + (f", top {len(shown)} by severity)" if len(shown) < len(ranked) else ")"),
        "",
        ("| Account " if by_account else "") + "| Severity | Check | Resource | Region | Why |" + (" Baseline |" if with_baseline else ""),
        ("| --- " if by_account else "") + "| --- | --- | --- | --- | --- |" + (" --- |" if with_baseline else ""),
    ]
    for f in shown:
        row = (f"| {code(f.account)} " if by_account else "") + (
            f"| {f.severity.value} | {code(f.check_id)} | {cell(f.resource_name, 120)} | {cell(f.region)} | {cell(f.message)} |"
        )
        out.append(
            row + (f" {'🆕 new' if f.baseline_state == 'new' else cell(f.baseline_state or '')} |" if with_baseline else "")
        )
    if len(shown) < len(ranked):
        out += ["", f"… and {len(ranked) - len(shown)} more in the JSON report and code scanning."]
    return out


def _waivers(report: Report, top: int) -> list[str]:
    if not report.waivers:
        return []
    out = [
        "",
        f"### Waivers ({len(report.waivers)})",
        "",
        "| Waiver | Check | Resource | Owner | Expires | State | Waived | Justification |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ]
    icons = {"active": "active", "expired": "⚠️ expired", "stale": "⚠️ stale (matches nothing)"}
    for w in report.waivers:
        out.append(
            f"| {cell(w.waiver_id)} | {code(w.check)} | {code(w.resource)} | {cell(w.owner)} | {w.expires.isoformat()} | "
            f"{icons[w.state]} | {w.waived} | {cell(w.justification)}" + (f" ({cell(w.ticket)})" if w.ticket else "") + " |"
        )
    waived = [f for f in report.findings if f.status == Status.WAIVED and f.waiver is not None]
    if waived:
        shown = sorted(waived, key=lambda f: (-f.severity.rank, f.check_id, f.resource_name))[:top]
        out += ["", f"Waived findings ({len(waived)}):", ""]
        out += [
            f"- {f.severity.value} {code(f.check_id)} {cell(f.resource_name, 120)} ({cell(f.region)}): was "
            f"{f.waiver.original_status.value}, waived by {cell(f.waiver.waiver_id)} until {f.waiver.expires.isoformat()}: "
            f"{cell(f.waiver.justification)}"
            for f in shown
            if f.waiver is not None
        ]
        if len(shown) < len(waived):
            out.append(f"- … and {len(waived) - len(shown)} more")
    return out


def _errors(report: Report, top: int) -> list[str]:
    if not report.collection_errors:
        return []
    shown = report.collection_errors[: max(top, 1)]
    out = ["", f"### Collection errors ({len(report.collection_errors)})", ""]
    several = len(report.scopes) > 1
    out += [f"- {code(e.key)} [{cell(e.location(several))}]: {cell(e.reason)}" for e in shown]
    if len(shown) < len(report.collection_errors):
        out.append(f"- … and {len(report.collection_errors) - len(shown)} more")
    return out
