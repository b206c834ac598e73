"""Indexes over one scope's inventory: built once, shared by every check that asks for them.

A check that relates resources (a volume to its KMS key, a project to its sinks, an NSG to its
NICs) looks the other side up in an index instead of scanning a list for each resource, so
evaluation stays linear in the size of the inventory. An index is a function of the provider
inventory (`AwsInventory`, ...) decorated with `per_inventory`: computed on first use for that
inventory object and kept while the object lives (the engine evaluates every check of a scope on
the same object, and a new object, e.g. a copy with the organization's keys, gets its own).

    @per_inventory
    def keys_by_region_and_id(inv: AwsInventory) -> dict[tuple[str, str], Key]:
        return {(key.region, key.name): key for key in inv.kms.keys}

What several checks work out about one resource at a time (an NSG's internet rules in priority
order) is memoised per inventory and resource with `per_inventory_item`.

tests/test_linear_lookups.py counts the fields checks read on growing inventories and fails when
a check reads more than linearly.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable, Iterable
from functools import wraps
from typing import Any, TypeVar

I = TypeVar("I")  # noqa: E741 - the inventory
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def per_inventory(build: Callable[[I], V]) -> Callable[[I], V]:
    """Memoise `build(inventory)` per inventory object (by identity, never by value: inventories are large)."""
    cache: dict[int, tuple[weakref.ref, Any]] = {}

    @wraps(build)
    def lookup(inventory: I) -> V:
        key = id(inventory)
        entry = cache.get(key)
        if entry is not None and entry[0]() is inventory:
            return entry[1]
        value = build(inventory)
        # dropped with the inventory (the callback runs before its id can be reused)
        cache[key] = (weakref.ref(inventory, lambda _, key=key: cache.pop(key, None)), value)
        return value

    return lookup


def per_inventory_item(key: Callable[[T], Hashable]) -> Callable[[Callable[[I, T], V]], Callable[[I, T], V]]:
    """Memoise `build(inventory, item)` per inventory object and `key(item)`, each worked out when first
    asked for (not all at once, as a per_inventory index is): what it reads of an IaC source is then
    read while the resource asking is judged, which is where scanner.engine.iac must see it."""

    def decorate(build: Callable[[I, T], V]) -> Callable[[I, T], V]:
        @per_inventory
        def known(inventory: I) -> dict[Hashable, V]:
            return {}

        @wraps(build)
        def lookup(inventory: I, item: T) -> V:
            values = known(inventory)
            name = key(item)
            if name not in values:
                values[name] = build(inventory, item)
            return values[name]

        return lookup

    return decorate


def group_by(items: Iterable[T], key: Callable[[T], K]) -> dict[K, list[T]]:
    """Items by key, each group in the items' order."""
    groups: dict[K, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups
