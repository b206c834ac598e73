"""The collector registry: which function fills which collection key, where, with which permissions.

Importing a collector module registers it and does nothing else (no clients, no I/O).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CollectorSpec:
    key: str  # "aws.s3.buckets" = inventory.aws.s3.buckets
    # AWS: once per region of an account (True) or once per account (False); Azure / GCP: once per
    # subscription / project (True).
    regional: bool
    permissions: tuple[str, ...]  # what the collector calls, e.g. "s3:GetEncryptionConfiguration"
    func: Callable[[Any], Any]
    # Once for the whole organization, in the organization scope (Entra ID, the GCP organization's
    # policy, sinks and directory, AWS Organizations): never in a member scope.
    organization: bool = False

    @property
    def provider(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def service(self) -> str:
        return self.key.split(".")[1]


_COLLECTORS: dict[str, CollectorSpec] = {}


def collector(key: str, *, regional: bool, permissions: list[str], organization: bool = False) -> Callable:
    if organization and regional:
        raise ValueError(f"collector {key}: an organization-level collector runs once, it cannot be regional")

    def register(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if key in _COLLECTORS and _COLLECTORS[key].func is not func:
            raise ValueError(f"collection key {key} registered twice")
        _COLLECTORS[key] = CollectorSpec(key, regional, tuple(permissions), func, organization)
        return func

    return register


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
