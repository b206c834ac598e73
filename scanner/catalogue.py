"""The check catalogue (checks list/show), mapping views and the permissions policy."""

from __future__ import annotations

import io
import json
from typing import Any

from scanner.errors import ConfigurationError
from scanner.mapping import criteria_index, load_framework
from scanner.registry import CheckSpec, load_checks


def _permissions(spec: CheckSpec) -> list[str]:
    """What collecting the check's inputs calls: each key's listing, and the facets the check reads."""
    from scanner.collect.registry import load_collectors

    collectors = load_collectors(spec.provider, spec.collection_keys)
    facets: dict[str, list[str]] = {key: [] for key in spec.collection_keys}
    for read in spec.reads:
        key, _, facet = read.partition(":")
        if facet:
            facets[key].append(facet)
    return sorted({p for key in spec.collection_keys if key in collectors for p in collectors[key].permissions_for(facets[key])})


def sources(spec: CheckSpec) -> list[str]:
    """Where the check's inputs can come from: the live account, and Terraform where it expresses them."""
    from scanner.sources.terraform.adapters import expressible

    return ["live", "terraform"] if expressible(spec) is None else ["live"]


def entry(spec: CheckSpec, criteria: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "id": spec.id,
        "provider": spec.provider,
        "service": spec.service,
        "title": spec.title,
        "severity": spec.severity.value,
        "category": spec.category.value,
        "resource_type": spec.resource_type,
        "rationale": spec.rationale,
        "remediation": spec.remediation,
        "criteria": criteria,
        "parameters": dict(spec.params),
        "parameter_kinds": {name: param.describe() for name, param in spec.param_specs.items()},
        "reads": list(spec.reads),
        "permissions": _permissions(spec),
        "aliases": list(spec.aliases),
        "sources": sources(spec),
    }


def catalogue(provider: str | None = None) -> list[dict[str, Any]]:
    index = criteria_index({"soc2": load_framework("soc2")})
    return [entry(spec, index.get(spec.id, {})) for spec in load_checks().values() if provider in (None, spec.provider)]


def catalogue_entry(check_id: str) -> dict[str, Any]:
    registry = load_checks()
    spec = registry.get(check_id) or next((s for s in registry.values() if check_id in s.aliases), None)
    if spec is None:
        raise ConfigurationError(f"unknown check id {check_id!r} (see `trustscan checks list`)")
    return entry(spec, criteria_index({"soc2": load_framework("soc2")}).get(spec.id, {}))


def _console(buffer: io.StringIO) -> Any:
    from rich.console import Console

    return Console(file=buffer, width=160, no_color=True)


def render_catalogue_table(entries: list[dict[str, Any]]) -> str:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(entries)} checks", title_justify="left")
    for column in ("Id", "Severity", "Category", "Title", "SOC 2"):
        table.add_column(column)
    for e in entries:
        table.add_row(*(escape(v) for v in (e["id"], e["severity"], e["category"], e["title"], ", ".join(e["criteria"].get("soc2", [])))))
    buffer = io.StringIO()
    _console(buffer).print(table)
    return buffer.getvalue()


def render_catalogue_markdown(entries: list[dict[str, Any]]) -> str:
    """The README's checks table."""
    rows = ["| Check | Title | Severity | Category | SOC 2 |", "| --- | --- | --- | --- | --- |"]
    for e in entries:
        criteria = ", ".join(e["criteria"].get("soc2", []))
        rows.append(f"| `{e['id']}` | {e['title']} | {e['severity']} | {e['category']} | {criteria} |")
    return "\n".join(rows) + "\n"


def render_entry(e: dict[str, Any]) -> str:
    lines = [
        f"{e['id']}: {e['title']}",
        f"  provider:      {e['provider']}",
        f"  service:       {e['service']}",
        f"  severity:      {e['severity']}",
        f"  category:      {e['category']}",
        f"  resource type: {e['resource_type']}",
        "  criteria:      " + "; ".join(f"{fw}: {', '.join(ids)}" for fw, ids in e["criteria"].items()),
        "  parameters:    "
        + (", ".join(f"{k}={json.dumps(v)} ({e['parameter_kinds'].get(k, '')})" for k, v in e["parameters"].items()) or "none"),
        f"  reads:         {', '.join(e['reads'])}",
        f"  permissions:   {', '.join(e['permissions'])}",
        f"  sources:       {', '.join(e.get('sources', ['live']))}",
        "",
        "Rationale:",
        *[f"  {line}" for line in e["rationale"].splitlines()],
        "",
        "Remediation:",
        *[f"  {line}" for line in e["remediation"].splitlines()],
    ]
    return "\n".join(lines) + "\n"


def render_mapping(framework_name: str, criterion: str | None, fmt: str) -> str:
    framework = load_framework(framework_name)
    items = framework.criteria.items()
    if criterion:
        if criterion not in framework.criteria:
            raise ConfigurationError(f"{framework_name} has no criterion {criterion!r}")
        items = [(criterion, framework.criteria[criterion])]
    if fmt == "json":
        return json.dumps({cid: c.model_dump() for cid, c in items}, indent=2) + "\n"
    out = [f"{framework.title}", ""]
    for cid, c in items:
        out.append(f"{cid}  {c.title}")
        if c.checks:
            out.append("  automated checks:")
            out += [f"    - {check_id}: {why}" for check_id, why in c.checks.items()]
        else:
            out.append("  automated checks: none (manual evidence only)")
        if c.manual_evidence:
            out.append("  manual evidence:")
            out += [f"    - {item}" for item in c.manual_evidence]
        out.append("")
    return "\n".join(out)


def required_permissions(checks: list[CheckSpec]) -> list[str]:
    """The union of the permissions of the collectors the checks read."""
    return sorted({p for spec in checks for p in _permissions(spec)})
