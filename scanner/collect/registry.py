"""The collector registry: which function fills which collection key, where, with which permissions.

Importing a collector module registers it and does nothing else (no clients, no I/O).

A collector that reads per-resource settings with one call per resource (a bucket's encryption,
policy, ACL...) declares each such getter as a facet: its permissions and the fields it fills. A
scan reads only the facets its checks declare (`reads=["aws.s3.buckets:encryption"]`), so a narrow
selection makes only the calls its verdicts need; the engine records in coverage which facets a
unit read, and a verdict resting on a facet that was not read is ERROR, never a value.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facet:
    """One per-resource getter of a collector: what it is allowed to call and what it fills."""

    permissions: tuple[str, ...]
    fields: tuple[str, ...]  # the resource fields it sets (left at their defaults when it is not read)
    needs: tuple[str, ...] = ()  # facets whose answer it depends on (read with it)


def facet(permissions: list[str], fields: list[str], needs: list[str] | None = None) -> Facet:
    return Facet(tuple(permissions), tuple(fields), tuple(needs or ()))


@dataclass(frozen=True)
class CollectorSpec:
    key: str  # "aws.s3.buckets" = inventory.aws.s3.buckets
    # AWS: once per region of an account (True) or once per account (False); Azure / GCP: once per
    # subscription / project (True).
    regional: bool
    permissions: tuple[str, ...]  # everything the collector may call, e.g. "s3:GetEncryptionConfiguration"
    func: Callable[[Any], Any]
    # Once for the whole organization, in the organization scope (Entra ID, the GCP organization's
    # policy, sinks and directory, AWS Organizations): never in a member scope.
    organization: bool = False
    facets: Mapping[str, Facet] = field(default_factory=dict)  # per-resource getters read only when planned
    base_permissions: tuple[str, ...] = ()  # what it calls whatever facets are planned (the listing)

    @property
    def provider(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def service(self) -> str:
        return self.key.split(".")[1]

    def with_needs(self, facets: Iterable[str]) -> frozenset[str]:
        """`facets` and the facets they need, transitively (unknown names are kept: the caller checks)."""
        wanted = set(facets)
        pending = list(wanted)
        while pending:
            for need in self.facets.get(pending.pop(), Facet((), ())).needs:
                if need not in wanted:
                    wanted.add(need)
                    pending.append(need)
        return frozenset(wanted)

    def permissions_for(self, facets: Iterable[str] | None = None) -> tuple[str, ...]:
        """The actions a collection reading `facets` (None: every facet) needs."""
        if facets is None:
            return self.permissions
        chosen = self.with_needs(facets)
        extra = [p for name, spec in self.facets.items() if name in chosen for p in spec.permissions]
        return tuple(dict.fromkeys([*self.base_permissions, *extra]))


_COLLECTORS: dict[str, CollectorSpec] = {}


def collector(
    key: str,
    *,
    regional: bool,
    permissions: list[str],
    organization: bool = False,
    facets: Mapping[str, Facet] | None = None,
) -> Callable:
    """Register a collector. `permissions` are what it calls whatever is planned (listing the
    resources); each facet adds its own."""
    if organization and regional:
        raise ValueError(f"collector {key}: an organization-level collector runs once, it cannot be regional")
    declared = dict(facets or {})
    for name, spec in declared.items():
        unknown = [need for need in spec.needs if need not in declared]
        if unknown:
            raise ValueError(f"collector {key}: facet {name} needs undeclared facet {unknown[0]}")
    everything = tuple(dict.fromkeys([*permissions, *(p for spec in declared.values() for p in spec.permissions)]))

    def register(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if key in _COLLECTORS and _COLLECTORS[key].func is not func:
            raise ValueError(f"collection key {key} registered twice")
        _COLLECTORS[key] = CollectorSpec(key, regional, everything, func, organization, declared, tuple(permissions))
        return func

    return register


@dataclass(frozen=True)
class FacetPlan:
    """What a collection unit reads of its collector's facets; handed to the collector with its
    context (`scope.facets`) and applied by the providers' `read_facets`."""

    key: str
    declared: Mapping[str, Facet]
    wanted: frozenset[str] | None = None  # None: every facet

    def reads(self, facet: str) -> bool:
        return self.wanted is None or facet not in self.declared or facet in self.wanted

    def check_fields(self, facet: str, fields: Iterable[str]) -> None:
        """A getter may fill only the fields its facet declares: an undeclared one would be read as
        a value when the facet is not planned."""
        spec = self.declared.get(facet)
        if spec is not None:
            stray = sorted(set(fields) - set(spec.fields))
            if stray:
                raise RuntimeError(f"{self.key}: facet {facet} filled {', '.join(stray)}, which it does not declare")


_LOADED: set[str] = set()  # providers whose every collector module is imported


def load_collectors(provider: str, keys: Iterable[str] | None = None) -> dict[str, CollectorSpec]:
    """The collectors of a provider: every module of scanner.collect.<provider>, or with `keys` only
    the modules of those keys' services (a narrow scan imports the collectors, and through them the
    models, of the services it reads, nothing else). Returns every collector loaded so far."""
    if keys is None:
        if provider not in _LOADED:
            package = importlib.import_module(f"scanner.collect.{provider}")
            for info in pkgutil.iter_modules(package.__path__):
                if not info.name.startswith("_"):
                    importlib.import_module(f"{package.__name__}.{info.name}")
            _LOADED.add(provider)
    elif provider not in _LOADED:
        for service in sorted({key.split(".")[1] for key in keys if key.startswith(f"{provider}.") and key.count(".") >= 2}):
            name = f"scanner.collect.{provider}.{service}"
            if not service.startswith("_") and importlib.util.find_spec(name) is not None:
                importlib.import_module(name)
    return {k: v for k, v in _COLLECTORS.items() if v.provider == provider}
