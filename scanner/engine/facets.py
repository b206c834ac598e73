"""Verdicts over per-resource facets that a scan did not read.

A scan reads only the facets its checks declare (`reads=["aws.s3.buckets:encryption"]`); coverage
names, per unit, the facets read when they were not all read. Two things keep an unread facet from
ever being read as a value:

- a check that declares a facet the unit did not read gets ERROR for that unit (in evaluate.py's
  coverage results: a snapshot collected for narrower checks, evaluated with broader ones);
- a check that reads a field of an unread facet without declaring it (a declaration gap) is
  watched while it runs: such a read turns the verdict that rests on it into ERROR, naming the
  facet, and a resource it skipped because of such a read gets an ERROR of its own. Only resources
  of units that skipped facets are watched, so a full scan runs the checks untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from scanner.models.common import Resource, Status

if TYPE_CHECKING:
    from scanner.models.inventory import Inventory
    from scanner.registry import CheckSpec, Result

Runner = Callable[[Any, Any, Any], Iterator[Any]]
_reads: list[tuple[Any, str]] | None = None  # evaluation runs one check at a time, in one thread


def unread_facets(inventory: Inventory, key: str) -> dict[str, list[str]]:
    """Per unit of `key` whose coverage names the facets read: the collector's facets it did not read."""
    partial = [c for c in inventory.coverage_for(key) if c.facets is not None]
    if not partial:
        return {}
    declared = _declared(inventory.metadata.provider, key)
    return {c.scope: sorted(set(declared) - set(c.facets or ())) for c in partial}


def _declared(provider: str, key: str) -> dict[str, tuple[str, ...]]:
    from scanner.collect.registry import load_collectors

    spec = load_collectors(provider, [key]).get(key)
    return {name: facet.fields for name, facet in spec.facets.items()} if spec is not None else {}


def hidden(inventory: Inventory, spec: CheckSpec, unit_of: Callable[[Resource], str]) -> dict[int, dict[str, str]]:
    """The resources `spec` reads whose unit skipped facets: id(resource) -> {field: why it is unset}."""
    found: dict[int, dict[str, str]] = {}
    provider = inventory.metadata.provider
    for key in spec.collection_keys:
        skipped = unread_facets(inventory, key)
        if not any(skipped.values()):
            continue
        declared = _declared(provider, key)
        value = inventory.value(key)
        for resource in value if isinstance(value, list) else [value]:
            if not isinstance(resource, Resource):
                continue
            # a key collected once per scope ("global") holds resources of every region
            names = skipped.get(unit_of(resource), skipped.get("global", []))
            fields = {f: f"{key}:{name} was not read in this scan (no check it ran reads it)" for name in names for f in declared[name]}
            if fields:
                found[id(resource)] = fields
    return found


@cache
def _watched(cls: type) -> type:
    names = frozenset(cls.model_fields)

    def __getattribute__(self: Any, name: str) -> Any:  # noqa: N807 - the hook itself
        if _reads is not None and name in names:
            _reads.append((self, name))
        return object.__getattribute__(self, name)

    return type(cls.__name__, (cls,), {"__getattribute__": __getattribute__, "__module__": cls.__module__, "__qualname__": cls.__qualname__})


def _watch(resource: Resource) -> Resource:
    # what model_construct does, without copying: the resource is frozen, the copy shares its values
    watched = object.__new__(_watched(type(resource)))
    object.__setattr__(watched, "__dict__", resource.__dict__)
    object.__setattr__(watched, "__pydantic_fields_set__", resource.__pydantic_fields_set__)
    object.__setattr__(watched, "__pydantic_extra__", None)
    object.__setattr__(watched, "__pydantic_private__", None)
    return watched


def guard(provider_inventory: Any, spec: CheckSpec, fields_by_resource: dict[int, dict[str, str]], run: Runner) -> tuple[Any, Runner]:
    """The inventory the check should read (watched copies of the affected resources) and a runner
    that turns verdicts resting on unread fields into ERROR."""
    watched: dict[int, dict[str, str]] = {}
    services: dict[str, Any] = {}
    for key in spec.collection_keys:
        _, service, attribute = key.split(".", 2)
        section = services.get(service) or getattr(provider_inventory, service)
        value = getattr(section, attribute)
        if not isinstance(value, list) or not any(id(r) in fields_by_resource for r in value):
            continue
        copies = []
        for resource in value:
            if id(resource) in fields_by_resource:
                copy = _watch(resource)
                watched[id(copy)] = fields_by_resource[id(resource)]
                copies.append(copy)
            else:
                copies.append(resource)
        services[service] = section.model_copy(update={attribute: copies})
    if not services:
        return provider_inventory, run
    view = provider_inventory.model_copy(update=services)

    def guarded(spec: Any, inventory: Any, ctx: Any) -> Iterator[Any]:
        global _reads
        generator = run(spec, inventory, ctx)
        judged: set[int] = set()
        skipped: dict[int, tuple[Any, dict[str, str]]] = {}
        while True:
            reads: list[tuple[Any, str]] = []
            _reads = reads
            try:
                result = next(generator)
            except StopIteration:
                break
            finally:
                _reads = None
            judged.add(id(result.resource))
            unset: dict[str, str] = {}
            for obj, name in reads:
                reason = watched.get(id(obj), {}).get(name)
                if reason is None:
                    continue
                if obj is not result.resource and type(obj) is type(result.resource):
                    skipped.setdefault(id(obj), (obj, {}))[1][name] = reason  # another subject, passed over
                else:
                    unset[name] = reason
            yield _unread(result, unset) if unset else result
        for key, (resource, unset) in skipped.items():
            if key not in judged:
                from scanner.registry import Result

                yield _unread(Result(resource, Status.ERROR, ""), unset)

    return view, guarded


def _unread(result: Result, unset: dict[str, str]) -> Result:
    reasons = "; ".join(dict.fromkeys(unset.values()))
    return replace(result, status=Status.ERROR, message=f"{reasons} (the verdict reads {', '.join(sorted(unset))})",
                   evidence={**result.evidence, "unread_fields": sorted(unset)})
