"""Checks over resources declared in infrastructure as code (Terraform), unchanged.

A check does not know where its input came from, so the engine watches what it reads. Resources
carrying a `source` are replaced, for the run, by instances of a subclass that records each field
read. For every result the engine then knows which fields decided it:
- a field the source could not resolve (known only after apply, a variable with no value) makes a
  PASS or FAIL UNKNOWN, naming the attribute and the reason; a resource that the check skipped
  because of such a field gets an UNKNOWN result instead of silence;
- fields that hold a provider default are named in the evidence (`provider_defaults`);
- the finding is located at the one block or attribute that set the deciding fields, else at the
  resource block.
Live inventories have no sources and run exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from typing import Any

from pydantic import BaseModel

from scanner.models.common import Resource, ResourceSource, SourceLocation, Status

BASE_FIELDS = frozenset(Resource.model_fields)  # id, name, region, account...: identify, never decide
_recorder: list[tuple[Any, str]] | None = None

Runner = Callable[[Any, Any, Any], Iterator[Any]]


def _reader(name: str) -> property:
    def read(self: Any) -> Any:
        if _recorder is not None:
            _recorder.append((self, name))
        return self.__dict__[name]

    return property(read)


@cache
def _tracked(cls: type) -> type:
    """A subclass whose deciding fields are properties that record each read (a property per field
    costs a third less than a __getattribute__ hook, which every attribute access would pay)."""
    tracked = type(cls.__name__, (cls,), {"__module__": cls.__module__, "__qualname__": cls.__qualname__})
    for name in frozenset(cls.model_fields) - BASE_FIELDS:
        setattr(tracked, name, _reader(name))
    return tracked


def _track(resource: Resource) -> Resource:
    # what model_construct does, without re-validating or copying: the resource is frozen, so the
    # tracked instance can share its field values
    tracked = object.__new__(_tracked(type(resource)))
    object.__setattr__(tracked, "__dict__", resource.__dict__)
    object.__setattr__(tracked, "__pydantic_fields_set__", resource.__pydantic_fields_set__)
    object.__setattr__(tracked, "__pydantic_extra__", None)
    object.__setattr__(tracked, "__pydantic_private__", None)
    return tracked


def _swap(value: Any) -> tuple[Any, bool]:
    if isinstance(value, Resource) and value.source is not None:
        return _track(value), True
    if isinstance(value, list) and value and isinstance(value[0], Resource) and any(r.source is not None for r in value):
        return [_track(r) if r.source is not None else r for r in value], True
    return value, False  # a live inventory's lists: looked at once, not copied


def prepare(provider_inventory: Any) -> tuple[Any, Runner]:
    """The inventory checks should read, and how to run a check over it."""
    if provider_inventory is None:
        return provider_inventory, _plain
    services: dict[str, Any] = {}
    for service_name in type(provider_inventory).model_fields:
        service = getattr(provider_inventory, service_name)
        if not isinstance(service, BaseModel):
            continue
        updates: dict[str, Any] = {}
        for attribute in type(service).model_fields:
            value, changed = _swap(getattr(service, attribute))
            if changed:
                updates[attribute] = value
        if updates:
            services[service_name] = service.model_copy(update=updates)
    if not services:
        return provider_inventory, _plain
    return provider_inventory.model_copy(update=services), _run_tracked


def _plain(spec: Any, inventory: Any, ctx: Any) -> Iterator[Any]:
    return spec.func(inventory, ctx)


def _run_tracked(spec: Any, inventory: Any, ctx: Any) -> Iterator[Any]:
    global _recorder
    # A copy of its own for each check: an index (scanner.models.index) is then built while this check
    # runs, so the fields it reads are recorded for this check's results, never shared with another's.
    generator = spec.func(inventory.model_copy(), ctx)
    judged: set[int] = set()
    unresolved_reads: dict[int, tuple[Any, dict[str, str]]] = {}
    while True:
        reads: list[tuple[Any, str]] = []
        _recorder = reads
        try:
            result = next(generator)
        except StopIteration:
            break
        finally:
            _recorder = None
        for obj, name in reads:
            if name in obj.source.unresolved:
                unresolved_reads.setdefault(id(obj), (obj, {}))[1][name] = obj.source.unresolved[name]
        judged.add(id(result.resource))
        yield judge(result, reads)
    for resource in _subjects(spec, inventory):
        if id(resource) in unresolved_reads and id(resource) not in judged:
            yield judge_skipped(resource, unresolved_reads[id(resource)][1])


def _subjects(spec: Any, inventory: Any) -> list[Any]:
    """The resources a check judges: its first collection key's list."""
    if not spec.collection_keys:
        return []
    _, service, attribute = spec.collection_keys[0].split(".", 2)
    value = getattr(getattr(inventory, service, None), attribute, None)
    return [r for r in value if getattr(r, "source", None) is not None] if isinstance(value, list) else []


def judge(result: Any, reads: list[tuple[Any, str]]) -> Any:
    resource = result.resource
    own_source: ResourceSource | None = getattr(resource, "source", None) if isinstance(resource, Resource) else None
    unresolved: dict[str, str] = {}
    defaults: dict[str, str] = {}
    own_fields: list[str] = []
    for obj, name in reads:
        source = obj.source
        if obj is resource:
            own_fields.append(name)
            label = name
        elif type(obj) is type(resource):
            continue  # another subject the check looked at (and skipped) on its way to this one
        else:
            label = f"{source.address}: {name}"
        if name in source.unresolved:
            unresolved[label] = source.unresolved[name]
        if name in source.defaults and obj is resource:
            defaults[name] = source.defaults[name]
    evidence = dict(result.evidence)
    if defaults:
        evidence["provider_defaults"] = defaults
    status, message = result.status, result.message
    if unresolved and status in (Status.PASS, Status.FAIL):
        evidence["unresolved"] = unresolved
        status = Status.UNKNOWN
        message = "not known before apply: " + "; ".join(f"{k}: {v}" for k, v in unresolved.items())
        if own_source is not None:
            own_fields = [name for name in own_fields if name in own_source.unresolved] or own_fields
    location = _location(own_source, own_fields) if own_source is not None else None
    return replace(result, status=status, message=message, evidence=evidence, location=location)


def judge_skipped(resource: Any, unresolved: dict[str, str]) -> Any:
    from scanner.registry import Result

    message = "cannot tell whether the check applies before apply: " + "; ".join(f"{k}: {v}" for k, v in unresolved.items())
    result = Result(resource, Status.UNKNOWN, message, {"unresolved": unresolved})
    return replace(result, location=_location(resource.source, list(unresolved)))


def _location(source: ResourceSource, fields: list[str]) -> SourceLocation:
    spans = []
    for name in dict.fromkeys(fields):
        span = source.fields.get(name)
        if span is None:
            spans = []
            break
        spans.append(span)
    if spans and len({(s.file, s.address) for s in spans}) == 1:
        # every deciding field is set in one block: that block's lines (one attribute's, if only one)
        first = spans[0]
        span = first.model_copy(update={"start_line": min(s.start_line for s in spans), "end_line": max(s.end_line for s in spans)})
        return SourceLocation(
            root=source.root,
            file=span.file,
            start_line=span.start_line,
            end_line=span.end_line,
            address=span.address,
            resource_address=source.address if span.address != source.address else None,
        )
    return SourceLocation(
        root=source.root, file=source.file, start_line=source.start_line, end_line=source.end_line, address=source.address
    )
