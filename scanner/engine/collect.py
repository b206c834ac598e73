"""Run a collection plan on the pool and assemble one inventory per scope, recording coverage for every unit.

A unit is one collector in one place of one scope: an AWS region (or "global") of an account, an
Azure subscription, a GCP project, or the organization ("global"). Scopes are opened a few at a time
(their members built just before their units are queued, and closed once their last unit is done),
so memory follows the scopes in flight, not the size of the organization.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import datetime, timezone
from typing import Any, Protocol

from scanner import __version__
from scanner.collect.registry import CollectorSpec, FacetPlan
from scanner.engine.pool import WorkPool
from scanner.models.common import Coverage, CoverageState
from scanner.models.inventory import Identity, Inventory, InventoryMetadata, ScopeRef

log = logging.getLogger("trustscan")


class Failure(Protocol):
    state: CoverageState
    reason: str
    code: str | None


class ProviderCollection(Protocol):
    """One scope's collection (an organization's member): where each collector runs, what it gets."""

    provider: str
    identity: Identity  # identity.account is the scope's id
    regions: list[str]
    scope_field: str  # "region" (AWS) or "account" (Azure subscriptions, GCP projects)
    scope_ids: list[str]  # the subscriptions / projects when scope_field is "account"

    def scopes(self, regional: bool) -> list[str]: ...
    def unsupported_reason(self, service: str, scope: str) -> str | None: ...
    def context(self, scope: str) -> Any: ...
    def classify(self, exc: BaseException, service: str, scope: str) -> Failure: ...
    def api_calls(self) -> dict[str, int]: ...
    def new_inventory(self) -> Any: ...


ProgressCallback = Callable[[str, str, int, int], None]  # key, scope, done, total


@dataclass
class _Unentered:
    """Why a scope could not be entered at all (its member could not be built)."""

    state: CoverageState
    reason: str
    code: str | None = None


def units_of(ref: ScopeRef, spec: CollectorSpec, member: ProviderCollection | None) -> list[str]:
    """Where `spec` runs in this scope: organization collectors only in the organization scope,
    the others only in member scopes (AWS: each region or "global"; Azure / GCP: the scope itself)."""
    if spec.organization != (ref.kind == "organization"):
        return []
    if member is not None:
        return list(member.scopes(spec.regional))
    if ref.kind == "organization" or not spec.regional:
        return ["global"]
    return list(ref.regions) or [ref.id]


@dataclass
class _ScopeRun:
    ref: ScopeRef
    member: ProviderCollection | None
    unentered: _Unentered | None = None
    coverage: list[Coverage] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    singletons: dict[str, Any] = field(default_factory=dict)
    pending: int = 0
    facets: dict[str, list[str]] = field(default_factory=dict)  # the facets read, per key read partly


def collect_scopes(
    organization: Any,
    scopes: list[ScopeRef],
    specs: list[CollectorSpec],
    pool: WorkPool,
    checks: list[str],
    *,
    started: datetime,
    progress: ProgressCallback | None = None,
    window: int | None = None,
    facets: Mapping[str, frozenset[str] | None] | None = None,
) -> tuple[list[Inventory], bool]:
    """Collect every unit of every scope; failures become coverage, never exceptions.

    `facets` says, per collection key, which of its collector's per-resource facets to read (None
    or absent: all of them); the others are not called, and the coverage of the key's units names
    the facets that were read.

    Returns the scopes' inventories (sorted by scope id) and whether the run was interrupted. A
    KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one by the CLI) stops waiting: what was
    gathered is kept, the rest is marked not_collected.
    """
    ordered_specs = sorted(specs, key=lambda s: s.key)
    window = window or max(4, pool.max_workers // 2)
    queue: deque[ScopeRef] = deque(scopes)
    pending: dict[Future, tuple[_ScopeRun, CollectorSpec, str]] = {}
    done: list[Inventory] = []
    active: list[_ScopeRun] = []
    total = sum(len(units_of(ref, spec, None)) for ref in scopes for spec in ordered_specs)
    done_count = 0
    label = (lambda run, unit: unit) if len(scopes) <= 1 else (lambda run, unit: f"{run.ref.id} {unit}")

    def finish(run: _ScopeRun, interrupted: bool = False) -> None:
        active.remove(run)
        done.append(_assemble(organization, run, ordered_specs, checks, started, interrupted))
        close = getattr(run.member, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - releasing clients must not fail the run
                log.debug("closing the member of %s failed", run.ref.id, exc_info=True)

    # Entering a scope may take round trips (an AWS role to assume, the account's regions to list):
    # members are built on the pool, so the loop keeps collecting the scopes already open meanwhile.
    opening: dict[Future, _ScopeRun] = {}

    def open_next() -> None:
        ref = queue.popleft()
        run = _ScopeRun(ref=ref, member=None)
        active.append(run)
        opening[pool.executor.submit(organization.member, ref)] = run

    def entered(run: _ScopeRun, future: Future) -> None:
        try:
            run.member = future.result()
        except Exception as exc:  # noqa: BLE001 - a scope that cannot be entered is ERROR for that scope only
            log.debug("cannot enter %s", run.ref.id, exc_info=exc)
            reason = f"cannot enter {run.ref.kind} {run.ref.id}: {_one_line(exc)}"
            run.unentered = _Unentered(CoverageState.FAILED, reason, type(exc).__name__)
        for spec in ordered_specs:
            for unit in units_of(run.ref, spec, run.member):
                _submit(pool, run, spec, unit, pending, plans.get(spec.key))
        if run.pending == 0:
            finish(run)

    plans = {spec.key: FacetPlan(spec.key, spec.facets, (facets or {}).get(spec.key)) for spec in ordered_specs if spec.facets}
    interrupted = False
    try:
        while queue or pending or opening:
            while queue and len(active) < window:
                open_next()
            finished, _ = wait([*pending, *opening], return_when=FIRST_COMPLETED)
            for future in finished:
                if future in opening:
                    entered(opening.pop(future), future)
                    continue
                run, spec, unit = pending.pop(future)
                run.pending -= 1
                done_count += 1
                _record(run, spec, unit, future)
                if progress:
                    progress(spec.key, label(run, unit), done_count, total)
                if run.pending == 0:
                    finish(run)
    except KeyboardInterrupt:
        interrupted = True
        pool.cancel()  # nothing new starts: queued units dropped, API layers refuse further calls
        reason = "scan interrupted before this collection finished"
        for run, spec, unit in pending.values():
            run.coverage.append(Coverage(key=spec.key, scope=unit, state=CoverageState.NOT_COLLECTED, reason=reason))
        pending.clear()
        for run in opening.values():  # never entered: each unit it would have run is not_collected
            for spec in ordered_specs:
                for unit in units_of(run.ref, spec, None):
                    run.coverage.append(Coverage(key=spec.key, scope=unit, state=CoverageState.NOT_COLLECTED,
                                                 reason="scan interrupted before this scope was collected"))
        opening.clear()
        for run in list(active):
            finish(run, interrupted=True)
        while queue:
            ref = queue.popleft()
            run = _ScopeRun(ref=ref, member=None)
            active.append(run)
            for spec in ordered_specs:
                for unit in units_of(ref, spec, None):
                    run.coverage.append(Coverage(key=spec.key, scope=unit, state=CoverageState.NOT_COLLECTED,
                                                 reason="scan interrupted before this scope was collected"))
            finish(run, interrupted=True)
    return sorted(done, key=lambda inv: inv.scope_id), interrupted


def _submit(pool: WorkPool, run: _ScopeRun, spec: CollectorSpec, unit: str, pending: dict, plan: FacetPlan | None = None) -> None:
    member = run.member
    if member is None:
        assert run.unentered is not None
        failure = run.unentered
        run.coverage.append(Coverage(key=spec.key, scope=unit, state=failure.state, reason=failure.reason, error_code=failure.code))
        return
    try:
        reason = member.unsupported_reason(spec.service, unit)
        if reason:
            run.coverage.append(Coverage(key=spec.key, scope=unit, state=CoverageState.UNSUPPORTED, reason=reason))
            return
        context = member.context(unit)
        if plan is not None and is_dataclass(context) and "facets" in {f.name for f in fields(context)}:
            context = replace(context, facets=plan)
    except Exception as exc:  # noqa: BLE001 - errors are data
        _failed(run, spec, unit, exc)
        return
    pending[pool.executor.submit(spec.func, context)] = (run, spec, unit)
    run.pending += 1
    if plan is not None and plan.wanted is not None:
        run.facets[spec.key] = sorted(plan.wanted)


def _record(run: _ScopeRun, spec: CollectorSpec, unit: str, future: Future) -> None:
    try:
        value = future.result()
    except BaseException as exc:  # noqa: BLE001 - errors are data
        if isinstance(exc, KeyboardInterrupt):
            raise
        _failed(run, spec, unit, exc)
        return
    run.coverage.append(Coverage(key=spec.key, scope=unit, state=CoverageState.COLLECTED, facets=run.facets.get(spec.key)))
    if isinstance(value, list):
        run.values.setdefault(spec.key, []).extend(value)
    else:
        run.singletons[spec.key] = value


def _failed(run: _ScopeRun, spec: CollectorSpec, unit: str, exc: BaseException) -> None:
    assert run.member is not None
    try:
        failure = run.member.classify(exc, spec.service, unit)
    except Exception:  # noqa: BLE001 - a classifier that fails must not lose the scope
        failure = _Unentered(CoverageState.FAILED, f"{spec.key} failed in {unit}: {_one_line(exc)}", type(exc).__name__)
    log.debug("collector %s [%s %s] raised", spec.key, run.ref.id, unit, exc_info=exc)
    log.warning("%s [%s]: %s", spec.key, unit if unit != "global" else run.ref.id, failure.reason)
    run.coverage.append(Coverage(key=spec.key, scope=unit, state=failure.state, reason=failure.reason, error_code=failure.code))


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _assemble(
    organization: Any, run: _ScopeRun, specs: Iterable[CollectorSpec], checks: list[str], started: datetime, interrupted: bool
) -> Inventory:
    ref, member = run.ref, run.member
    provider_inventory = member.new_inventory() if member is not None else _new_provider_inventory(ref.provider)
    for key, items in run.values.items():
        _assign(provider_inventory, key, sorted(items, key=lambda r: (r.id, r.region)))
    for key, value in run.singletons.items():
        _assign(provider_inventory, key, value)
    caller: Identity = organization.identity
    identity = member.identity if member is not None else caller
    if identity.account != ref.id:
        identity = identity.model_copy(update={"account": ref.id})
    scope_field = member.scope_field if member is not None else ("region" if ref.provider == "aws" else "account")
    metadata = InventoryMetadata(
        tool_version=__version__,
        provider=ref.provider,
        collected_at=started,
        finished_at=datetime.now(timezone.utc),
        identity=identity,
        regions=(list(member.regions) if member is not None else list(ref.regions)) if scope_field == "region" else [],
        scope_field=scope_field,  # type: ignore[arg-type]
        scopes=[ref.id] if ref.kind in ("subscription", "project") else [],
        checks=sorted(checks),
        incomplete=interrupted,
        scope_kind=ref.kind,
        scope_name=ref.name,
        organization=getattr(organization, "organization", None),
    )
    return Inventory(
        metadata=metadata,
        coverage=sorted(run.coverage, key=lambda c: (c.key, c.scope)),
        **{ref.provider: provider_inventory},
    )


def _new_provider_inventory(provider: str) -> Any:
    import importlib

    module = importlib.import_module(f"scanner.models.{provider}")
    return getattr(module, f"{provider.title()}Inventory")()


def _assign(provider_inventory: Any, key: str, value: Any) -> None:
    _, service, attribute = key.split(".", 2)
    setattr(getattr(provider_inventory, service), attribute, value)


def run_collection(
    provider: ProviderCollection,
    specs: list[CollectorSpec],
    pool: WorkPool,
    checks: list[str],
    progress: ProgressCallback | None = None,
    facets: Mapping[str, frozenset[str] | None] | None = None,
) -> Inventory:
    """Collect one scope through its collection (today's single-account path): its inventory."""
    from scanner.engine.organization import SingleScopeOrganization

    started = datetime.now(timezone.utc)
    organization = SingleScopeOrganization(provider)
    inventories, _ = collect_scopes(
        organization, organization.discover(), specs, pool, checks, started=started, progress=progress, facets=facets
    )
    (inventory,) = inventories
    inventory.metadata.api_calls = provider.api_calls()
    return inventory


def iter_units(ref: ScopeRef, specs: Iterable[CollectorSpec]) -> Iterator[tuple[CollectorSpec, str]]:
    """The units a scope is planned to run, before any member exists (progress, interruption)."""
    for spec in specs:
        for unit in units_of(ref, spec, None):
            yield spec, unit
