"""The scan plan: every scope of the selection, fixed before anything is collected, its digest, and
the deterministic partition of it into shards (`--shard K/N`).

Shards of one scan must agree on everything that decides their findings: tool version, provider,
organization, checks and their resolved parameters, the full scope list with regions, the shard
count and the provider's plan options. The digest hashes exactly that; `trustscan merge` refuses
shards whose digests differ and names the fields that differ.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from scanner import __version__
from scanner.errors import ConfigurationError

if TYPE_CHECKING:  # the models (pydantic) load when a plan is built: `--shard` is checked before any import of them
    from scanner.models.inventory import ScanPlan, ScopeRef

SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
DIGEST_FIELDS = ("tool_version", "provider", "organization", "checks", "parameters", "scopes", "shard_count", "options")


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """"K/N" -> (K, N), 1 <= K <= N; None when no shard was asked for."""
    if text is None:
        return None
    match = SHARD.match(text)
    if not match:
        raise ConfigurationError(f"--shard {text!r} is not K/N (for example 2/4: the second of four shards)")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1:
        raise ConfigurationError(f"--shard {text}: the shard count must be at least 1")
    if not 1 <= index <= count:
        raise ConfigurationError(f"--shard {text}: the shard number must be between 1 and {count} (shards are numbered from 1)")
    return index, count


def order_scopes(scopes: list[ScopeRef]) -> list[ScopeRef]:
    """Partition order: the organization scope first, then the members by id (duplicates dropped)."""
    unique = {(s.kind == "organization", s.id): s for s in scopes}
    return sorted(unique.values(), key=lambda s: (s.kind != "organization", s.id))


def build_plan(
    *,
    provider: str,
    organization: str | None,
    checks: list[str],
    parameters: dict[str, dict[str, Any]],
    scopes: list[ScopeRef],
    shard_count: int,
    options: dict[str, Any],
) -> ScanPlan:
    from scanner.models.inventory import ScanPlan

    fields = {
        "tool_version": __version__,
        "provider": provider,
        "organization": organization,
        "checks": sorted(checks),
        "parameters": {k: dict(sorted(v.items())) for k, v in sorted(parameters.items())},
        "scopes": order_scopes(scopes),
        "shard_count": shard_count,
        "options": dict(sorted(options.items())),
    }
    return ScanPlan(digest=plan_digest(fields), **fields)


def plan_digest(fields: dict[str, Any]) -> str:
    from scanner.models.inventory import ScopeRef

    def plain(value: Any) -> Any:
        if isinstance(value, ScopeRef):
            return {"kind": value.kind, "id": value.id, "regions": list(value.regions)}
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    document = {name: plain(fields[name]) for name in DIGEST_FIELDS}
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def recompute(plan: ScanPlan, **changes: Any) -> ScanPlan:
    """The plan with some fields changed (e.g. another check selection at `evaluate`), re-digested."""
    from scanner.models.inventory import ScanPlan, ScopeRef

    fields = {name: getattr(plan, name) for name in DIGEST_FIELDS}
    fields.update(changes)
    fields["scopes"] = [s if isinstance(s, ScopeRef) else ScopeRef.model_validate(s) for s in fields["scopes"]]
    return ScanPlan(digest=plan_digest(fields), **fields)


def shard_scopes(plan: ScanPlan, index: int) -> list[ScopeRef]:
    """The scopes of shard `index` (1-based): position i of the plan's list goes to shard (i mod N) + 1,
    so the organization scope (always first) belongs to shard 1 and the members spread evenly."""
    return [scope for position, scope in enumerate(plan.scopes) if position % plan.shard_count + 1 == index]


def differing_fields(left: ScanPlan, right: ScanPlan) -> list[str]:
    """The plan fields two shards disagree on (what `merge` names when it refuses them)."""
    names = []
    for name in DIGEST_FIELDS:
        a, b = getattr(left, name), getattr(right, name)
        if name == "scopes":
            a = [(s.kind, s.id, tuple(s.regions)) for s in a]
            b = [(s.kind, s.id, tuple(s.regions)) for s in b]
        if a != b:
            names.append(name)
    return names
