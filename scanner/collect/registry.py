"""The collector registry: which function fills which collection key, where, with which permissions.

Importing a collector module registers it and does nothing else (no clients, no I/O).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
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


_LOADED: set[str] = set()


def load_collectors(provider: str) -> dict[str, CollectorSpec]:
    """Import every collector module of a provider (scanner.collect.<provider>.*)."""
    if provider not in _LOADED:
        package = importlib.import_module(f"scanner.collect.{provider}")
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{package.__name__}.{info.name}")
        _LOADED.add(provider)
    return {k: v for k, v in _COLLECTORS.items() if v.provider == provider}
