"""Providers: what the CLI needs to scan one cloud, kept light to import.

Each provider module defines `NAME`, `OPTIONS` (click options for scan/collect), `open_collection`
(build the provider's collection from those options), `demo` (a context manager yielding the
options that point `open_collection` at the bundled demo) and `permissions` (what a principal needs).
A provider may also define `start_collection` (the same options, checked offline; returns an opening
whose `result()` is the collection): its first requests then go out while the CLI imports the checks,
models and collectors (AWS). SDKs are imported inside those functions only.
"""

from __future__ import annotations

import importlib
from types import ModuleType

PROVIDERS = ("aws", "gcp", "azure")


def get(name: str) -> ModuleType:
    return importlib.import_module(f"scanner.providers.{name}")
