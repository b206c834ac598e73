"""The library entry points the CLI calls: plan, collect, evaluate, report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from scanner.collect.registry import CollectorSpec, load_collectors
from scanner.engine.collect import ProgressCallback, ProviderCollection, collect_scopes, run_collection
from scanner.engine.organization import OrganizationCollection, is_organization
from scanner.engine.plan import build_plan, recompute, shard_scopes
from scanner.engine.pool import WorkPool
from scanner.errors import ConfigurationError
from scanner.models.inventory import Inventory, ScanPlan, ScopeRef, ShardInfo, Snapshot, SnapshotMetadata
from scanner.registry import CheckSpec, resolve_params

# The evaluation side (mapping, report models, evaluate) is imported where it is used: a scan
# starts collecting without it.
if TYPE_CHECKING:
    from scanner.mapping import Framework
    from scanner.models.report import DeferredChecks, Report

DEFAULT_FRAMEWORKS = ("soc2",)


@dataclass
class ScanOptions:
    checks: list[CheckSpec]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_workers: int = 16
    progress: ProgressCallback | None = None
    frameworks: tuple[str, ...] = DEFAULT_FRAMEWORKS


def collection_plan(provider: str, checks: list[CheckSpec]) -> list[CollectorSpec]:
    """The union of what the selected checks read: each key collected once for all of them."""
    keys = sorted({key for spec in checks for key in spec.collection_keys})
    collectors = load_collectors(provider, keys)
    missing = [key for key in keys if key not in collectors]
    if missing:
        raise ConfigurationError(f"no collector fills {', '.join(missing)}")
    return [collectors[key] for key in keys]


def facet_plan(checks: list[CheckSpec], specs: list[CollectorSpec]) -> dict[str, frozenset[str] | None]:
    """Per collection key with per-resource facets: the facets the selected checks read (and those
    they need), or None when that is all of them. A narrow selection makes only its calls; the full
    catalogue reads every facet, as it always did."""
    read: dict[str, set[str]] = {spec.key: set() for spec in specs if spec.facets}
    for check in checks:
        for entry in check.reads:
            key, _, facet = entry.partition(":")
            if facet and key in read:
                read[key].add(facet)
    plan: dict[str, frozenset[str] | None] = {}
    for spec in specs:
        if spec.facets:
            chosen = spec.with_needs(read[spec.key]) & frozenset(spec.facets)
            plan[spec.key] = None if chosen == frozenset(spec.facets) else chosen
    return plan


def frameworks(names: tuple[str, ...] = DEFAULT_FRAMEWORKS) -> dict[str, Framework]:
    from scanner.mapping import load_framework

    return {name: load_framework(name) for name in names}


def resolved_parameters(options: ScanOptions) -> dict[str, dict[str, Any]]:
    return {spec.id: resolve_params(spec, options.params) for spec in options.checks if spec.params}


def plan_scan(organization: OrganizationCollection, options: ScanOptions, shard_count: int = 1) -> tuple[ScanPlan, list[CollectorSpec]]:
    """Discover every scope and fix the plan before anything is collected."""
    specs = collection_plan(organization.provider, options.checks)
    scopes = [_scope_ref(organization.provider, s) for s in organization.discover()]
    if not any(spec.organization for spec in specs):
        scopes = [s for s in scopes if s.kind != "organization"]  # nothing selected reads the organization
    if not scopes:
        raise ConfigurationError("the selection holds no scope to scan")
    plan = build_plan(
        provider=organization.provider,
        organization=organization.organization,
        checks=[spec.id for spec in options.checks],
        parameters=resolved_parameters(options),
        scopes=scopes,
        shard_count=shard_count,
        options=organization.plan_options(),
    )
    return plan, specs


def _scope_ref(provider: str, scope: Any) -> ScopeRef:
    """A discovered scope as the engine's ScopeRef (a provider may discover its own frozen type)."""
    if isinstance(scope, ScopeRef):
        return scope
    return ScopeRef(provider=getattr(scope, "provider", provider), kind=scope.kind, id=scope.id,
                    name=getattr(scope, "name", None), regions=tuple(getattr(scope, "regions", ()) or ()))


def collect_snapshot(
    organization: OrganizationCollection, pool: WorkPool, options: ScanOptions, *, shard: tuple[int, int] | None = None
) -> Snapshot:
    """Plan, take this shard's part (all of it without --shard), collect it scope by scope."""
    started = datetime.now(timezone.utc)
    index, count = shard or (1, 1)
    plan, specs = plan_scan(organization, options, count)
    mine = shard_scopes(plan, index)
    check_ids = [spec.id for spec in options.checks]
    inventories, interrupted = collect_scopes(
        organization, mine, specs, pool, check_ids, started=started, progress=options.progress, facets=facet_plan(options.checks, specs)
    )
    regions = sorted({r for inventory in inventories for r in inventory.metadata.regions})
    return Snapshot(
        metadata=SnapshotMetadata(
            tool_version=plan.tool_version,
            provider=organization.provider,
            collected_at=started,
            finished_at=datetime.now(timezone.utc),
            identity=organization.identity,
            organization=organization.organization,
            regions=regions,
            checks=sorted(check_ids),
            incomplete=interrupted,
            api_calls=dict(sorted(organization.api_calls().items())),
            plan=plan if shard else None,
            shard=ShardInfo(index=index, count=count, scopes=sorted(ref.id for ref in mine)) if shard else None,
        ),
        scopes=inventories,
    )


def collect(collection: Any, pool: WorkPool, options: ScanOptions, *, shard: tuple[int, int] | None = None) -> Any:
    """An organization collection (what `open_collection` returns) gives a `Snapshot`; one scope's
    collection (an organization's member, e.g. `AwsCollection`) gives that scope's `Inventory`."""
    if is_organization(collection):
        return collect_snapshot(collection, pool, options, shard=shard)
    if shard is not None:
        raise ConfigurationError("--shard needs an organization collection")
    member: ProviderCollection = collection
    specs = collection_plan(member.provider, options.checks)
    return run_collection(
        member, specs, pool, [spec.id for spec in options.checks], options.progress, facets=facet_plan(options.checks, specs)
    )


def deferral(snapshot: Snapshot, checks: list[CheckSpec]) -> tuple[list[str], DeferredChecks | None]:
    """In a shard of several: the checks that read organization AND member facts, which the shard
    without the organization scope cannot decide. It skips them and carries its members' facts for
    them; the shard holding the organization decides them for its own members and carries the
    organization's facts. Returns (checks to skip here, what to carry)."""
    from scanner.engine.evaluate import check_level, organization_keys
    from scanner.models.report import DeferredChecks
    from scanner.snapshot import restrict

    shard = snapshot.metadata.shard
    if shard is None or shard.count <= 1 or not snapshot.scopes:
        return [], None
    org_keys = organization_keys(snapshot.metadata.provider, {key for spec in checks for key in spec.collection_keys})
    mixed = [spec for spec in checks if check_level(spec, org_keys) == "mixed"]
    if not mixed:
        return [], None
    ids = sorted(spec.id for spec in mixed)
    keys = {key for spec in mixed for key in spec.collection_keys}
    organization = snapshot.organization_scope()
    if organization is not None:
        return [], DeferredChecks(checks=ids, scopes=[restrict(organization, keys & org_keys)])
    return ids, DeferredChecks(checks=ids, scopes=[restrict(member, keys - org_keys) for member in snapshot.members()])


def report_for(inventory: Inventory | Snapshot, options: ScanOptions, *, source: str, started_at: datetime | None = None) -> Report:
    """Evaluate a snapshot (or one scope's inventory) and build its report."""
    from scanner.engine.evaluate import as_snapshot, build_report, evaluate

    snapshot = _replan(as_snapshot(inventory), options)
    started = started_at or datetime.now(timezone.utc)
    loaded = frameworks(options.frameworks)
    skip, carried = deferral(snapshot, options.checks)
    findings = evaluate(snapshot, options.checks, loaded, options.params, deferred=skip)
    return build_report(snapshot, findings, options.checks, loaded, source=source, started_at=started, params=options.params,
                        deferred=carried)


def _replan(snapshot: Snapshot, options: ScanOptions) -> Snapshot:
    """A shard re-evaluated with another check selection or parameters records the plan it now follows."""
    plan = snapshot.metadata.plan
    if plan is None:
        return snapshot
    checks = sorted(spec.id for spec in options.checks)
    parameters = resolved_parameters(options)
    if plan.checks == checks and plan.parameters == parameters:
        return snapshot
    updated = recompute(plan, checks=checks, parameters=parameters)
    return snapshot.model_copy(update={"metadata": snapshot.metadata.model_copy(update={"plan": updated})})


def load_snapshot(path: str) -> Inventory | Snapshot:
    """A snapshot file: schema "2" (a scan's scopes) as a Snapshot, schema "1" (one inventory) as an Inventory."""
    from scanner.snapshot import load_snapshot as load

    return load(path)
