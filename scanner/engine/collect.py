"""Run a collection plan on the pool and assemble the inventory, recording coverage for every unit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import datetime, timezone
from typing import Any, Protocol

from scanner import __version__
from scanner.collect.registry import CollectorSpec
from scanner.engine.pool import WorkPool
from scanner.models.common import Coverage, CoverageState
from scanner.models.inventory import Identity, Inventory, InventoryMetadata

log = logging.getLogger("trustscan")


class Failure(Protocol):
    state: CoverageState
    reason: str
    code: str | None


class ProviderCollection(Protocol):
    provider: str
    identity: Identity
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


def run_collection(
    provider: ProviderCollection,
    specs: list[CollectorSpec],
    pool: WorkPool,
    checks: list[str],
    progress: ProgressCallback | None = None,
) -> Inventory:
    """Collect every (collector, scope) unit concurrently. Failures become coverage, never exceptions.

    A KeyboardInterrupt (Ctrl-C, or SIGTERM turned into one by the CLI) stops waiting: what was
    gathered is kept, the rest is marked not_collected and the inventory is flagged incomplete.
    """
    started = datetime.now(timezone.utc)
    units = [(spec, scope) for spec in sorted(specs, key=lambda s: s.key) for scope in provider.scopes(spec.regional)]
    coverage: list[Coverage] = []
    values: dict[str, list[Any]] = {}
    singletons: dict[str, Any] = {}
    pending: dict[Future, tuple[CollectorSpec, str]] = {}

    for spec, scope in units:
        reason = provider.unsupported_reason(spec.service, scope)
        if reason:
            coverage.append(Coverage(key=spec.key, scope=scope, state=CoverageState.UNSUPPORTED, reason=reason))
            continue
        pending[pool.executor.submit(spec.func, provider.context(scope))] = (spec, scope)

    total, done_count = len(pending), 0
    incomplete = False
    try:
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                spec, scope = pending.pop(future)
                done_count += 1
                try:
                    value = future.result()
                except BaseException as exc:  # noqa: BLE001 - errors are data
                    failure = provider.classify(exc, spec.service, scope)
                    log.debug("collector %s [%s] raised", spec.key, scope, exc_info=exc)
                    log.warning("%s [%s]: %s", spec.key, scope, failure.reason)
                    coverage.append(
                        Coverage(key=spec.key, scope=scope, state=failure.state, reason=failure.reason, error_code=failure.code)
                    )
                else:
                    coverage.append(Coverage(key=spec.key, scope=scope, state=CoverageState.COLLECTED))
                    if isinstance(value, list):
                        values.setdefault(spec.key, []).extend(value)
                    else:
                        singletons[spec.key] = value
                if progress:
                    progress(spec.key, scope, done_count, total)
    except KeyboardInterrupt:
        incomplete = True
        pool.cancel()
        for spec, scope in pending.values():
            coverage.append(
                Coverage(key=spec.key, scope=scope, state=CoverageState.NOT_COLLECTED, reason="scan interrupted before this collection finished")
            )

    provider_inventory = provider.new_inventory()
    for key, items in values.items():
        _assign(provider_inventory, key, sorted(items, key=lambda r: (r.id, r.region)))
    for key, value in singletons.items():
        _assign(provider_inventory, key, value)

    metadata = InventoryMetadata(
        tool_version=__version__,
        provider=provider.provider,
        collected_at=started,
        finished_at=datetime.now(timezone.utc),
        identity=provider.identity,
        regions=list(provider.regions),
        scope_field=provider.scope_field,
        scopes=list(provider.scope_ids) if provider.scope_field == "account" else [],
        checks=sorted(checks),
        incomplete=incomplete,
        api_calls=provider.api_calls(),
    )
    return Inventory(
        metadata=metadata,
        coverage=sorted(coverage, key=lambda c: (c.key, c.scope)),
        **{provider.provider: provider_inventory},
    )


def _assign(provider_inventory: Any, key: str, value: Any) -> None:
    _, service, attribute = key.split(".", 2)
    setattr(getattr(provider_inventory, service), attribute, value)
