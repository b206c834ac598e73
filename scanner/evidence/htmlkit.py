"""Small helpers for the self-contained HTML reports: one inline stylesheet (screen and print), escaping.

No scripts, fonts or images are loaded: the file opens the same offline, in an archive, or printed.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

CSS = """
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --accent: #0b3d91;
        --pass: #1a7f37; --fail: #c62828; --warn: #9a6700; --na: #6e7781; --waived: #0969da; }
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: var(--ink); }
body { margin: 0; background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
header.doc { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }
header.doc h1 { font-size: 26px; margin: 0 0 4px; }
header.doc p { margin: 2px 0; color: var(--muted); }
.verdict { font-size: 16px; margin: 12px 0; padding: 10px 14px; border-left: 5px solid var(--accent); background: var(--soft); }
.verdict.bad { border-color: var(--fail); }
.verdict.good { border-color: var(--pass); }
nav.toc { margin: 12px 0 20px; font-size: 13px; }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; }
section { margin-top: 28px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin: 0 0 10px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.note { color: var(--muted); margin: 4px 0 10px; }
.note { color: var(--muted); font-size: 12px; }
table.criteria td:nth-child(1) { width: 6%; } table.criteria td:nth-child(2) { width: 24%; }
table.criteria td:nth-child(3) { width: 9%; } table.criteria td:nth-child(4) { width: 25%; }
table.criteria td:nth-child(5) { width: 11%; } table.criteria td code { word-break: normal; }
table.manual td:nth-child(1) { width: 6%; } table.manual td:nth-child(2) { width: 44%; }
table.narrow { width: auto; min-width: 320px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.kv th { width: 210px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
td code { overflow-wrap: anywhere; }
table.checks td:first-child code { white-space: nowrap; }
ul.tight { margin: 0; padding-left: 18px; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 600;
         color: #fff; white-space: nowrap; }
.b-PASS, .b-satisfied { background: var(--pass); }
.b-FAIL, .b-not_satisfied { background: var(--fail); }
.b-ERROR, .b-UNKNOWN, .b-incomplete { background: var(--warn); }
.b-NOT_APPLICABLE, .b-manual { background: var(--na); }
.b-WAIVED { background: var(--waived); }
.sev { text-transform: uppercase; font-size: 11px; font-weight: 700; letter-spacing: .03em; }
.sev-critical, .sev-high { color: var(--fail); }
.sev-medium { color: var(--warn); }
.sev-low, .sev-info { color: var(--muted); }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--fail); padding: 8px 12px; margin: 8px 0; }
.finding h4 { margin: 0 0 4px; font-size: 14px; }
.finding p { margin: 3px 0; }
.evidence { display: flex; flex-wrap: wrap; gap: 4px 8px; margin: 6px 0 2px; padding: 0; list-style: none; }
.evidence li { border: 1px solid var(--line); background: var(--soft); padding: 1px 6px; border-radius: 3px; font-size: 12px; }
.evidence li b { font-weight: 600; margin-right: 4px; }
.remediation { margin: 2px 0 8px; }
.empty { color: var(--muted); font-style: italic; }
footer.doc { margin-top: 36px; border-top: 1px solid var(--line); padding-top: 8px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section { break-before: auto; }
  h2, h3, .finding h4 { break-after: avoid; }
  tr, .finding, .verdict { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  table { font-size: 9pt; }
}
"""


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def ident(value: str) -> str:
    """A dotted identifier (check id, ARN) that may wrap after '.', '_', ':' and '/'."""
    text = esc(value)
    for sep in (".", "_", ":", "/"):
        text = text.replace(sep, sep + "<wbr>")
    return f"<code>{text}</code>"


def badge(value: str) -> str:
    label = value.replace("NOT_APPLICABLE", "N/A").replace("_", " ")
    return f'<span class="badge b-{esc(value)}">{esc(label)}</span>'


def severity(value: str) -> str:
    return f'<span class="sev sev-{esc(value)}">{esc(value)}</span>'


def table(headers: Iterable[str], rows: Iterable[Iterable[str]], numeric: Iterable[int] = (), cls: str = "") -> str:
    """A table whose cells are already HTML; `numeric` column indexes are right-aligned."""
    right = set(numeric)
    head = "".join(f'<th{" class=num" if i in right else ""}>{h}</th>' for i, h in enumerate(headers))
    body = "\n".join(
        "<tr>" + "".join(f'<td{" class=num" if i in right else ""}>{cell}</td>' for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<table{cls_attr}><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>"


def kv_table(pairs: Iterable[tuple[str, str]]) -> str:
    rows = "\n".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in pairs)
    return f'<table class="kv"><tbody>\n{rows}\n</tbody></table>'


def bullets(items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return ""
    return '<ul class="tight">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
