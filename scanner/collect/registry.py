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
    regional: bool  # run once per region (True) or once globally (False)
    permissions: tuple[str, ...]  # what the collector calls, e.g. "s3:GetEncryptionConfiguration"
    func: Callable[[Any], Any]

    @property
    def provider(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def service(self) -> str:
        return self.key.split(".")[1]


_COLLECTORS: dict[str, CollectorSpec] = {}


def collector(key: str, *, regional: bool, permissions: list[str]) -> Callable:
    def register(func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        if key in _COLLECTORS and _COLLECTORS[key].func is not func:
            raise ValueError(f"collection key {key} registered twice")
        _COLLECTORS[key] = CollectorSpec(key, regional, tuple(permissions), func)
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
