"""The check registry: a decorator beside each check function, and discovery of check modules.

A check is a pure function of the inventory. Importing a check module registers it and does
nothing else. Built-in checks live in the `checks` package; third-party packs register modules
under the `trustscan.checks` entry-point group.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any

from scanner.errors import ConfigurationError
from scanner.models.common import Category, Resource, Severity, SourceLocation, Status
from scanner.safe_load import clip

CHECK_ID = re.compile(r"^(aws|azure|gcp)\.[a-z0-9_]+\.[a-z0-9_]+$")
ENTRY_POINT_GROUP = "trustscan.checks"


@dataclass(frozen=True)
class Result:
    """One verdict about one resource, with the facts it rests on."""

    resource: Resource
    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    location: SourceLocation | None = None  # set by the engine for resources declared in IaC

    # The verdicts checks give, one per resource judged: built with their fields' values set at once
    # (`_result`), which is what the frozen dataclass's __init__ leaves, at a third of its cost.
    @classmethod
    def passed(cls, resource: Resource, message: str, **evidence: Any) -> Result:
        return _result(cls, resource, Status.PASS, message, evidence)

    @classmethod
    def failed(cls, resource: Resource, message: str, **evidence: Any) -> Result:
        return _result(cls, resource, Status.FAIL, message, evidence)

    @classmethod
    def unknown(cls, resource: Resource, message: str, **evidence: Any) -> Result:
        return _result(cls, resource, Status.UNKNOWN, message, evidence)

    @classmethod
    def not_applicable(cls, resource: Resource, message: str, **evidence: Any) -> Result:
        return _result(cls, resource, Status.NOT_APPLICABLE, message, evidence)

    @classmethod
    def error(cls, resource: Resource, message: str, **evidence: Any) -> Result:
        """The resource cannot be judged: an input the verdict needs was not collected (say which)."""
        return _result(cls, resource, Status.ERROR, message, evidence)


_new_object = object.__new__
_set_slot = object.__setattr__


def _result(cls: type[Result], resource: Resource, status: Status, message: str, evidence: Mapping[str, Any]) -> Result:
    """`cls(resource, status, message, evidence)`: the instance's fields as its __init__ sets them, in one step."""
    result = _new_object(cls)
    _set_slot(result, "__dict__", {"resource": resource, "status": status, "message": message, "evidence": evidence, "location": None})
    return result


def _nothing_missing(key: str, resource: Resource | None) -> str | None:
    return None


@dataclass(frozen=True)
class CheckContext:
    """What a check may know besides the inventory: "now" (the snapshot's collected_at) and parameters."""

    now: datetime
    params: Mapping[str, Any]
    account: Resource  # the scanned account/subscription/project, for account-level verdicts
    complete: Callable[[str], bool]  # whether a collection key was collected in every scope
    # why a collection key was not collected where a resource is (its region, subscription,
    # project; anywhere when None), or None when it was: see `missing`
    uncollected: Callable[[str, Resource | None], str | None] = _nothing_missing

    def days_since(self, moment: datetime | None) -> int | None:
        return None if moment is None else (self.now - moment).days

    def missing(self, key: str, resource: Resource | None = None) -> str | None:
        """Why `key` could not be collected in the place `resource` is in (None: it was collected
        there). A check that declares `key` optional asks this before reading a verdict into the
        absence of a fact from `key`: an undecidable resource is `Result.error`, never PASS."""
        return self.uncollected(key, resource)


CheckFunc = Callable[[Any, CheckContext], Iterator[Result]]


@dataclass(frozen=True)
class Param:
    """A check parameter: its default and what a value must be. The kind follows from the default
    (boolean, integer, string, list of strings, or a mapping of names to lists of strings); integers
    declare their bounds, strings may declare their choices. Checked wherever a value comes in:
    `--param`, trustscan.yaml (`scan` and `config validate` alike)."""

    default: Any
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        value = self.default
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "integer"
        if isinstance(value, str):
            return "string"
        if isinstance(value, (list, tuple)):
            return "list"
        if isinstance(value, dict):
            return "mapping"
        raise TypeError(f"unsupported parameter default {value!r}")

    def describe(self) -> str:
        if self.kind == "integer":
            return f"a whole number from {self.minimum} to {self.maximum}"
        if self.choices:
            return "one of " + ", ".join(self.choices)
        return {"boolean": "true or false", "string": "a string", "list": "a list of strings", "mapping": "a mapping"}[self.kind]

    def check(self, value: Any) -> Any:
        """The value, normalised (a comma list to a list, a choice to its spelling); ValueError says why not."""
        kind = self.kind
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValueError("must be true or false")
            return value
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"must be a whole number from {self.minimum} to {self.maximum}")
            if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
                raise ValueError(f"{value} is out of range: must be a whole number from {self.minimum} to {self.maximum}")
            return value
        if kind == "string":
            if not isinstance(value, str):
                raise ValueError("must be a string" + (f", one of {', '.join(self.choices)}" if self.choices else ""))
            if self.choices:
                match = next((c for c in self.choices if c.casefold() == value.casefold()), None)
                if match is None:
                    raise ValueError(f"{clip(value)} must be one of {', '.join(self.choices)}")
                return match
            return value
        if kind == "list":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise ValueError("must be a list of strings")
            return value
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(i, str) for i in v) for k, v in value.items()
        ):
            raise ValueError("must map each engine to a list of strings")
        return value


def resolve_params(spec: CheckSpec, overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """A check's parameters: its defaults, overridden by `--param` / trustscan.yaml values."""
    params = dict(spec.params)
    params.update((overrides or {}).get(spec.id, {}))
    return params


def validate_params(registry: Mapping[str, CheckSpec], params: Mapping[str, Mapping[str, Any]], origin: str) -> dict[str, dict[str, Any]]:
    """Parameter values checked against their checks' declarations; the first problem is a one-line
    ConfigurationError that names `origin` (`--param`, or the configuration file)."""
    checked: dict[str, dict[str, Any]] = {}
    for check_id, values in params.items():
        spec = registry.get(check_id)
        if spec is None:
            raise ConfigurationError(f"{origin}: parameters name unknown check {clip(check_id)} (see `trustscan checks list`)")
        for name, value in values.items():
            param = spec.param_specs.get(name)
            if param is None:
                known = ", ".join(sorted(spec.param_specs)) or "none"
                raise ConfigurationError(f"{origin}: check {check_id} has no parameter {clip(name)} (parameters: {known})")
            try:
                checked.setdefault(check_id, {})[name] = param.check(value)
            except ValueError as exc:
                raise ConfigurationError(f"{origin}: {check_id}.{name} {exc}") from None
    return checked


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: Severity
    category: Category
    resource_type: str
    reads: tuple[str, ...]  # "aws.s3.buckets" or "aws.s3.buckets:encryption" (a per-resource facet)
    params: Mapping[str, Any]
    rationale: str
    remediation: str
    func: CheckFunc
    aliases: tuple[str, ...] = ()
    param_specs: Mapping[str, Param] = field(default_factory=dict)  # params holds their defaults
    # inputs among `reads` the check can judge without: a collection key whose failure withholds
    # nothing (the check asks ctx.missing(key, resource) and gives ERROR where it cannot decide),
    # or a "key:facet" still read but whose error the check weighs itself (resource.errors)
    optional: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def service(self) -> str:
        return self.id.split(".")[1]

    # cached: the engine asks for every result (the spec is frozen, so the answer never changes)
    @cached_property
    def collection_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(read.split(":", 1)[0] for read in self.reads))

    @cached_property
    def facets(self) -> tuple[str, ...]:
        return tuple(read.split(":", 1)[1] for read in self.reads if ":" in read)

    @cached_property
    def required_keys(self) -> tuple[str, ...]:
        """The collection keys without which the check gives no verdict at all."""
        return tuple(key for key in self.collection_keys if key not in self.optional)

    @cached_property
    def guarded_facets(self) -> tuple[str, ...]:
        """The facets whose read error makes a verdict on the resource ERROR (the optional ones the
        check judges itself, from `resource.errors`)."""
        return tuple(read.split(":", 1)[1] for read in self.reads if ":" in read and read not in self.optional)


_REGISTRY: dict[str, CheckSpec] = {}


def check(
    *,
    id: str,  # noqa: A002 - the catalogue calls it id
    title: str,
    severity: Severity,
    category: Category,
    resource_type: str,
    reads: list[str],
    remediation: str,
    params: Mapping[str, Any] | None = None,  # name -> default, or Param(default, minimum=..., maximum=..., choices=...)
    aliases: tuple[str, ...] = (),
    optional: list[str] | None = None,
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check. Its docstring is the rationale: why the control matters to an auditor.

    `optional` names collection keys among `reads` whose failure must not withhold the check: it
    judges what it can and asks `ctx.missing(key, resource)` before relying on them; or facets
    ("key:facet") it reads but whose read error it weighs itself (`resource.errors`)."""

    def register(func: CheckFunc) -> CheckFunc:
        if not CHECK_ID.match(id):
            raise ValueError(f"check id {id!r} is not <provider>.<service>.<desired_state>")
        read_keys = {read.split(":", 1)[0] for read in reads}
        strays = [entry for entry in optional or () if entry not in read_keys and entry not in reads]
        if strays:
            raise ValueError(f"check {id}: optional input {strays[0]} is not among its reads")
        specs = {name: value if isinstance(value, Param) else Param(value) for name, value in (params or {}).items()}
        existing = _REGISTRY.get(id)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"check id {id} registered twice")
        _REGISTRY[id] = CheckSpec(
            id=id,
            title=title,
            severity=severity,
            category=category,
            resource_type=resource_type,
            reads=tuple(reads),
            params={name: p.default for name, p in specs.items()},
            rationale=_paragraphs(func.__doc__ or ""),
            remediation=inspect.cleandoc(remediation),
            func=func,
            aliases=tuple(aliases),
            param_specs=specs,
            optional=tuple(optional or ()),
        )
        return func

    return register


def _paragraphs(docstring: str) -> str:
    """Docstring to text: wrapped lines joined, blank lines kept as paragraph breaks."""
    paragraphs = inspect.cleandoc(docstring).split("\n\n")
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


_LOADED_ALL = False
_LOADED_PROVIDERS: set[str] = set()
_LOADED_PACKS = False
# Check ids whose service is not its module's name (a Python keyword).
_MODULE_NAMES = {"lambda": "awslambda"}


def load_checks(provider: str | None = None, ids: Iterable[str] | None = None) -> dict[str, CheckSpec]:
    """Import check modules and installed check packs; return the registry of what is loaded.

    Without arguments: every built-in module and every pack (`checks list`, the mapping lint).
    With `provider`: that provider's built-in modules and every pack (a pack may hold any provider's
    checks). With `ids`: first only the modules the ids name (`checks.aws.s3` for `aws.s3.<name>`),
    then, for an id still unknown (an alias kept in another module, a pack's check), the id's
    provider, then everything: a narrow selection imports only what it runs, and an unknown id is
    still reported against the whole catalogue.
    """
    wanted = [i for i in (ids or ()) if i]
    if wanted:
        for check_id in wanted:
            _import_service(check_id)
        unknown = [i for i in wanted if not _known(i)]
        for name in sorted({i.split(".", 1)[0] for i in unknown}):
            _load_provider(name)
        if any(not _known(i) for i in unknown):
            _load_everything()
    elif provider:
        _load_provider(provider)
    else:
        _load_everything()
    return dict(sorted(_REGISTRY.items()))


def _known(check_id: str) -> bool:
    return check_id in _REGISTRY or any(check_id in spec.aliases for spec in _REGISTRY.values())


def _import_service(check_id: str) -> None:
    if not CHECK_ID.match(check_id):
        return  # select_checks reports it
    parts = check_id.split(".")
    provider, service = parts[0], _MODULE_NAMES.get(parts[1], parts[1])
    if importlib.util.find_spec(f"checks.{provider}") is None:
        return
    name = f"checks.{provider}.{service}"
    if importlib.util.find_spec(name) is not None:
        importlib.import_module(name)


def _load_provider(provider: str) -> None:
    if provider not in _LOADED_PROVIDERS and not _LOADED_ALL:
        import checks

        if provider in {info.name for info in pkgutil.iter_modules(checks.__path__)}:
            package = importlib.import_module(f"checks.{provider}")
            for info in pkgutil.walk_packages(package.__path__, prefix=f"checks.{provider}."):
                importlib.import_module(info.name)
        _LOADED_PROVIDERS.add(provider)
    _load_packs()


def _load_packs() -> None:
    global _LOADED_PACKS
    if not _LOADED_PACKS:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            entry.load()
        _LOADED_PACKS = True


def _load_everything() -> None:
    global _LOADED_ALL
    if not _LOADED_ALL:
        import checks

        for info in pkgutil.walk_packages(checks.__path__, prefix="checks."):
            importlib.import_module(info.name)
        _load_packs()
        _LOADED_ALL = True


def select_checks(
    registry: Mapping[str, CheckSpec],
    *,
    provider: str | None = None,
    ids: list[str] | None = None,
    severities: list[str] | None = None,
) -> list[CheckSpec]:
    """Pick checks by provider, explicit ids (aliases and globs accepted) and severity. Unknown ids, and
    globs that match nothing, are an error."""
    selected = [spec for spec in registry.values() if provider is None or spec.provider == provider]
    if ids:
        by_alias = {alias: spec.id for spec in registry.values() for alias in spec.aliases}
        wanted: set[str] = set()
        for requested in ids:
            if any(char in requested for char in "*?["):
                # A glob (aws.s3.*), as trustscan.yaml's include takes: it must select something.
                matched = {
                    spec.id for spec in selected
                    if fnmatchcase(spec.id, requested) or any(fnmatchcase(alias, requested) for alias in spec.aliases)
                }
                if not matched:
                    scope = f"no {provider} check" if provider else "no check"
                    raise ConfigurationError(f"{clip(requested)} matches {scope} (see `trustscan checks list`)")
                wanted |= matched
                continue
            resolved = requested if requested in registry else by_alias.get(requested)
            if resolved is None:
                raise ConfigurationError(f"unknown check id {clip(requested)} (see `trustscan checks list`)")
            if provider and registry[resolved].provider != provider:
                raise ConfigurationError(f"check {clip(requested)} is not an {provider} check")
            wanted.add(resolved)
        selected = [spec for spec in selected if spec.id in wanted]
    if severities:
        try:
            levels = {Severity(s.strip().lower()) for s in severities}
        except ValueError as exc:
            raise ConfigurationError(f"unknown severity in {clip(','.join(severities))} (use critical,high,medium,low,info)") from exc
        selected = [spec for spec in selected if spec.severity in levels]
    return selected
