"""Render a period result: JSON (everything), CSV (one row per check x resource), Markdown and HTML (for people).

Markdown and HTML list every failure window up to MAX_LISTED and say how many more the JSON and CSV hold.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from scanner.evidence.htmlkit import badge, bullets, document, esc, kv_table, severity, table
from scanner.text import count

MAX_LISTED = 500
FORMATS = ("json", "csv", "markdown", "html")


def render(result: dict[str, Any], fmt: str) -> str:
    return {"json": render_json, "csv": render_csv, "markdown": render_markdown, "html": render_html}[fmt](result)


def render_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"


def render_csv(result: dict[str, Any]) -> str:
    windows: dict[str, list[dict[str, Any]]] = {}
    for w in result["failures"]:
        windows.setdefault(w["finding_id"], []).append(w)
    criteria = {c["check_id"]: ";".join(c["criteria"]) for c in result["checks"]}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([
        "check_id", "resource_name", "resource_id", "region", "account", "criteria", "first_seen", "last_seen",
        "PASS", "FAIL", "ERROR", "UNKNOWN", "NOT_APPLICABLE", "WAIVED", "pass_rate", "failure_windows", "first_failure_at",
        "last_remediated_at", "max_time_to_remediate_days", "open_at_end", "finding_id",
    ])
    for r in result["resources"]:
        ws = windows.get(r["finding_id"], [])
        ttr = [w["time_to_remediate_days"] for w in ws if w["time_to_remediate_days"] is not None]
        remediated = [w["remediated_at"] for w in ws if w["remediated_at"]]
        obs = r["observations"]
        writer.writerow([
            r["check_id"], r["resource_name"], r["resource_id"], r["region"], r["account"], criteria.get(r["check_id"], ""),
            r["first_seen"], r["last_seen"], *(obs.get(s, 0) for s in ("PASS", "FAIL", "ERROR", "UNKNOWN", "NOT_APPLICABLE", "WAIVED")),
            "" if r["pass_rate"] is None else r["pass_rate"], r["failure_windows"], ws[0]["started_at"] if ws else "",
            remediated[-1] if remediated else "", max(ttr) if ttr else "", "yes" if r["open_at_end"] else "no", r["finding_id"],
        ])
    return buffer.getvalue()


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f}%"


def _ttr(stats: dict[str, Any] | None) -> str:
    return "-" if not stats else f"{stats['median']} / {stats['max']}"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(result: dict[str, Any]) -> str:
    period, inputs = result["period"], result["inputs"]
    out = [
        f"# Operating effectiveness {period['from']} to {period['to']}",
        "",
        f"{count(inputs['scans'], 'scan')} over {count(period['days'], 'day')}"
        + (f"; {inputs['outside_period']} reports outside the period ignored" if inputs["outside_period"] else "")
        + (f"; {len(inputs['skipped'])} unreadable reports skipped" if inputs["skipped"] else "")
        + f". Report schema versions: {', '.join(f'{v} ({n})' for v, n in inputs['schema_versions'].items())}.",
        "",
        "## Scan coverage",
        "",
        "| Scope | Scans | Days covered | Gaps longer than " + str(period["max_gap_days"]) + " day(s) |",
        "| --- | --- | --- | --- |",
    ]
    for s in result["scopes"]:
        gaps = ", ".join(f"{g['from']} to {g['to']} ({count(g['days'], 'day')})" for g in s["gaps"]) or "none"
        out.append(f"| {s['provider']} {s['account']} | {s['scans']} | {s['days_covered']} of {s['days_in_period']} | {gaps} |")
    out += ["", "## Criteria", "", "| Criterion | Title | Scans | States | Pass rate | Failure windows | Open at end |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for c in result["criteria"]:
        states = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in c["states"].items()) or "-"
        out.append(
            f"| {c['criterion']} | {_md(c['title'])} | {c['scans']} | {states} | {_pct(c['pass_rate'])} | {c['failure_windows']} | {c['open_at_end']} |"
        )
    out += ["", "## Checks", "", "| Check | Scans | Resources | Pass rate | Clean scans | Failure windows | Remediated | Open at end | TTR days (median / max) |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for c in result["checks"]:
        note = " (added)" if c["added_during_period"] else ""
        note += " (removed)" if c["removed_during_period"] else ""
        out.append(
            f"| `{c['check_id']}`{note} | {c['scans']} | {c['resources']} | {_pct(c['pass_rate'])} | {_pct(c['clean_scan_rate'])} | "
            f"{c['failure_windows']} | {c['remediated']} | {c['open_at_end']} | {_ttr(c['time_to_remediate_days'])} |"
        )
    out += ["", f"## Failures still open at period end ({len(result['open_at_end'])})", ""]
    out += _windows_md(result["open_at_end"])
    out += ["", f"## Failure windows ({len(result['failures'])})", ""]
    out += _windows_md(result["failures"])
    out += ["", f"## Waivers in force ({len(result['waivers'])})", ""]
    if result["waivers"]:
        out += ["| Waiver | Owner | Expires | Justification | Checks | Findings | Seen |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for w in result["waivers"]:
            out.append(
                f"| {_md(w['waiver_id'])} | {_md(w['owner'])} | {w['expires']} | {_md(w['justification'])} | {', '.join(w['checks'])} | "
                f"{w['findings']} | {w['first_seen'][:10]} to {w['last_seen'][:10]}"
                + (" (" + ", ".join(f"{n} scans {s}" for s, n in w["states"].items()) + ")" if w["states"] else "") + " |"
            )
    else:
        out.append("None.")
    out += ["", "## Checks added or removed during the period", ""]
    out.append("Added: " + (", ".join(f"`{c}`" for c in result["checks_added"]) or "none") + ".")
    out.append("Removed: " + (", ".join(f"`{c}`" for c in result["checks_removed"]) or "none") + ".")
    if inputs["skipped"]:
        out += ["", "## Skipped reports", ""] + [f"- `{s['path']}`: {s['reason']}" for s in inputs["skipped"]]
    return "\n".join(out) + "\n"


def _windows_md(windows: list[dict[str, Any]]) -> list[str]:
    if not windows:
        return ["None."]
    rows = ["| Check | Resource | Region | Failing from | Last failing | Remediated | Days to remediate | How |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for w in windows[:MAX_LISTED]:
        rows.append(
            f"| `{w['check_id']}` | {_md(w['resource_name'])} | {w['region']} | {w['started_at']}{' (at period start)' if w['open_at_period_start'] else ''} | "
            f"{w['last_failed_at']} | {w['remediated_at'] or '-'} | {'-' if w['time_to_remediate_days'] is None else w['time_to_remediate_days']} | "
            f"{w['resolution'].replace('_', ' ')}{' (waived)' if w['waived'] else ''} |"
        )
    if len(windows) > MAX_LISTED:
        rows.append(f"\n... and {len(windows) - MAX_LISTED} more in the JSON and CSV formats.")
    return rows


def _windows_html(windows: list[dict[str, Any]]) -> str:
    if not windows:
        return '<p class="empty">None.</p>'
    rows = [
        [
            f"<code>{esc(w['check_id'])}</code>", esc(w["resource_name"]), esc(w["region"]),
            esc(w["started_at"]) + (' <span class="note">(at period start)</span>' if w["open_at_period_start"] else ""),
            esc(w["last_failed_at"]), esc(w["remediated_at"] or "-"),
            "-" if w["time_to_remediate_days"] is None else esc(w["time_to_remediate_days"]),
            esc(w["resolution"].replace("_", " ")) + (" " + badge("WAIVED") if w["waived"] else ""), esc(w["message"]),
        ]
        for w in windows[:MAX_LISTED]
    ]
    more = f'<p class="note">... and {len(windows) - MAX_LISTED} more in the JSON and CSV formats.</p>' if len(windows) > MAX_LISTED else ""
    headers = ["Check", "Resource", "Region", "Failing from", "Last failing", "Remediated", "Days to remediate", "How", "Deciding setting"]
    return table(headers, rows, numeric=[6]) + more


def render_html(result: dict[str, Any]) -> str:
    period, inputs = result["period"], result["inputs"]
    title = f"SOC 2 operating effectiveness {period['from']} to {period['to']}"
    open_count = len(result["open_at_end"])
    gaps = sum(len(s["gaps"]) for s in result["scopes"])
    verdict = (
        f"{count(inputs['scans'], 'scan')} over {count(period['days'], 'day')}; {len(result['failures'])} failure window{'s' if len(result['failures']) != 1 else ''}, "
        f"{open_count} still open at period end; {gaps} coverage gap{'s' if gaps != 1 else ''} longer than {period['max_gap_days']} day(s)."
    )
    method = (
        "<p>Each scan is a trustscan report. Resources are matched across scans by their stable finding id. A failure window "
        "opens at a resource's first FAIL and closes at the first later scan where it passes, is not applicable, or is no longer "
        "reported by a scan that evaluated its check (the resource is gone); ERROR and UNKNOWN neither open nor close a window. "
        "Time to remediate is the time from the first failing scan to the closing scan. Pass rate is PASS / (PASS + FAIL) over every "
        "resource in every scan; a check's clean-scan rate is the share of its scans with no FAIL. Waived failures count as failures "
        "whose window is marked waived.</p>"
    )
    pairs = [
        ("Period (UTC, inclusive)", f"{esc(period['from'])} to {esc(period['to'])} ({count(period['days'], 'day')})"),
        ("Scans read", str(inputs["scans"])),
        ("Reports outside the period", str(inputs["outside_period"])),
        ("Unreadable reports skipped", str(len(inputs["skipped"]))),
        ("Duplicate reports skipped", str(len(inputs["duplicates"]))),
        ("Report schema versions", esc(", ".join(f"{v} ({n})" for v, n in inputs["schema_versions"].items()))),
        ("Tool versions", esc(", ".join(f"{v} ({n})" for v, n in inputs["tool_versions"].items()))),
    ]
    scope_rows = [
        [esc(f"{s['provider']} {s['account']}"), str(s["scans"]), f"{s['days_covered']} of {s['days_in_period']}",
         esc(", ".join(f"{g['from']} to {g['to']} ({count(g['days'], 'day')})" for g in s["gaps"]) or "none")]
        for s in result["scopes"]
    ]
    criteria_rows = [
        [f"<strong>{esc(c['criterion'])}</strong>", esc(c["title"]), str(c["scans"]),
         " ".join(f"{badge(s)} {n}" for s, n in c["states"].items()), _pct(c["pass_rate"]), str(c["failure_windows"]),
         str(c["open_at_end"]), " ".join(f"<code>{esc(x)}</code>" for x in c["checks"])]
        for c in result["criteria"] if c["checks"]
    ]
    manual_rows = [
        [f"<strong>{esc(c['criterion'])}</strong>", esc(c["title"]), bullets(c["manual_evidence"])]
        for c in result["criteria"] if not c["checks"]
    ]
    check_rows = [
        [f"<code>{esc(c['check_id'])}</code>" + (' <span class="note">added</span>' if c["added_during_period"] else "")
         + (' <span class="note">removed</span>' if c["removed_during_period"] else ""),
         severity(c["severity"]), str(c["scans"]), str(c["resources"]), _pct(c["pass_rate"]), _pct(c["clean_scan_rate"]),
         str(c["failure_windows"]), str(c["remediated"]), str(c["open_at_end"]), _ttr(c["time_to_remediate_days"])]
        for c in result["checks"]
    ]
    waiver_rows = [
        [esc(w["waiver_id"]), esc(w["owner"]), esc(w["expires"]) + (" " + badge("FAIL") if w["expired_before_period_end"] else ""),
         esc(w["justification"]), esc(w["ticket"] or ""), esc(", ".join(w["checks"])), str(w["findings"]),
         esc(f"{w['first_seen'][:10]} to {w['last_seen'][:10]}")
         + (f'<br><span class="note">{esc(", ".join(f"{n} scans {s}" for s, n in w["states"].items()))}</span>' if w["states"] else "")]
        for w in result["waivers"]
    ]
    parts = [
        f'<header class="doc"><h1>{esc(title)}</h1><p>SOC 2 Type 2 view: how the automated controls operated across the period.</p></header>',
        f'<div class="verdict {"bad" if open_count or gaps else "good"}" id="verdict">{esc(verdict)}</div>',
        f'<section id="period"><h2>Period and method</h2>{kv_table(pairs)}{method}</section>',
        f'<section id="coverage"><h2>Scan coverage</h2>{table(["Scope", "Scans", "Days covered", "Gaps"], scope_rows)}</section>',
        '<section id="criteria"><h2>Criteria</h2>'
        + f"<h3>Criteria with automated checks ({len(criteria_rows)})</h3>"
        + (table(["Criterion", "Title", "Scans", "States", "Pass rate", "Failure windows", "Open at end", "Checks"], criteria_rows)
           if criteria_rows else '<p class="empty">No automated check ran in the period.</p>')
        + f"<h3>Criteria that need manual evidence for the period ({len(manual_rows)})</h3>"
        + (table(["Criterion", "Title", "Manual evidence required"], manual_rows, cls="manual") if manual_rows else "")
        + "</section>",
        '<section id="checks"><h2>Checks</h2>'
        + table(["Check", "Severity", "Scans", "Resources", "Pass rate", "Clean scans", "Failure windows", "Remediated", "Open at end",
                 "TTR days (median / max)"], check_rows, numeric=range(2, 10))
        + "</section>",
        f'<section id="open"><h2>Failures still open at period end ({open_count})</h2>{_windows_html(result["open_at_end"])}</section>',
        f'<section id="failures"><h2>Failure windows ({len(result["failures"])})</h2>{_windows_html(result["failures"])}</section>',
        f'<section id="waivers"><h2>Waivers in force ({len(waiver_rows)})</h2>'
        + (table(["Waiver", "Owner", "Expires", "Justification", "Ticket", "Checks", "Findings", "Seen"], waiver_rows) if waiver_rows
           else '<p class="empty">No waiver was in force.</p>')
        + "</section>",
        '<section id="changes"><h2>Checks added or removed during the period</h2>'
        + f"<p>Added: {esc(', '.join(result['checks_added']) or 'none')}.</p><p>Removed: {esc(', '.join(result['checks_removed']) or 'none')}.</p>"
        + "</section>",
    ]
    if inputs["skipped"]:
        parts.append('<section id="skipped"><h2>Skipped reports</h2>'
                     + table(["File", "Reason"], [[f"<code>{esc(s['path'])}</code>", esc(s["reason"])] for s in inputs["skipped"]]) + "</section>")
    return document(title, "\n".join(parts))
