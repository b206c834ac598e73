"""Evaluate checks over an inventory: pure, offline, deterministic.

Coverage decides before any check runs: a scope whose collection failed yields ERROR findings with
the collector's reason, an unsupported scope NOT_APPLICABLE, and a check never reads an empty list
that would look like PASS. A verdict resting on a per-resource facet that could not be read
(e.g. a bucket's encryption getter was denied) becomes ERROR.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from functools import lru_cache
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any

from pydantic import BaseModel

from scanner import __version__
from scanner.engine import facets, iac
from scanner.mapping import Framework, criteria_index, criterion_states_of, rollup_counts
from scanner.models.common import Coverage, CoverageState, Resource, Severity, Status
from scanner.models.inventory import Inventory, Snapshot, SnapshotMetadata
from scanner.models.report import CollectionError, CriterionRollup, DeferredChecks, Finding, Report, ScanMetadata, ScopeSummary
from scanner.registry import CheckContext, CheckSpec, Result, resolve_params

log = logging.getLogger("trustscan")


def finding_id(provider: str, account: str, check_id: str, resource_id: str, region: str) -> str:
    digest = hashlib.sha256(f"trustscan/1|{provider}|{account}|{region}|{check_id}|{resource_id}".encode())
    return digest.hexdigest()[:32]


ACCOUNT_TYPE = "account"


class AccountScope(Resource):
    """The scanned account (subscription, project, organization), or one region of it: where
    scope-level verdicts and collection errors are reported."""


def account_resource(inventory: Inventory, scope: str = "global") -> AccountScope:
    """The scope itself (or, for a unit of it, the region / subscription / project)."""
    meta = inventory.metadata
    return _account_scope(meta.provider, meta.scope_kind, meta.scope_field, meta.identity.account, scope)


# Asked for by every check in every scope: the same few values, validated once (an AccountScope is frozen)
@lru_cache(maxsize=4096)
def _account_scope(provider: str, kind: str | None, scope_field: str, account: str, scope: str) -> AccountScope:
    if kind in ("subscription", "project"):
        # A member scope is one unit: its verdicts, errors and "nothing in scope" all land on it.
        return AccountScope(id=account, name=f"{provider} {account}", region="global", account=account)
    if scope == "global":
        return AccountScope(id=account, name=f"account {account}", region="global", account=account)
    if scope_field == "account":
        return AccountScope(id=scope, name=f"{provider} {scope}", region="global", account=scope)
    return AccountScope(id=f"{account}/{scope}", name=f"account {account} in {scope}", region=scope, account=account)


def scope_of(inventory: Inventory, resource: Resource) -> str:
    """The collection unit a resource was collected in (its region, its subscription / project, or
    "global" for the scope-wide and organization-wide units)."""
    meta = inventory.metadata
    if meta.scope_kind in ("subscription", "project"):
        return "global" if resource.account == meta.organization and resource.account != meta.identity.account else resource.account
    if resource.region == "global" and resource.account == meta.identity.account:
        return "global"
    return getattr(resource, meta.scope_field)


# -- where a check is evaluated ------------------------------------------------------------------------

Level = str  # "scope" (member facts only), "organization" (organization facts only), "mixed" (both)


def organization_keys(provider: str, keys: Iterable[str] | None = None) -> frozenset[str]:
    """The collection keys filled once, in the organization scope (among `keys`, when given: only
    their collector modules are imported)."""
    from scanner.collect.registry import load_collectors

    wanted = None if keys is None else set(keys)
    return frozenset(
        key for key, spec in load_collectors(provider, wanted).items() if spec.organization and (wanted is None or key in wanted)
    )


def check_level(spec: CheckSpec, org_keys: frozenset[str]) -> Level:
    keys = set(spec.collection_keys)
    org = keys & org_keys
    if not org:
        return "scope"
    return "organization" if org == keys else "mixed"


def as_snapshot(source: Inventory | Snapshot) -> Snapshot:
    """A Snapshot as is; one scope's (or a schema-1) Inventory as a snapshot of that one scope."""
    if isinstance(source, Snapshot):
        return source
    meta = source.metadata
    return Snapshot(
        metadata=SnapshotMetadata(
            tool_version=meta.tool_version,
            provider=meta.provider,
            collected_at=meta.collected_at,
            finished_at=meta.finished_at,
            identity=meta.identity,
            organization=meta.organization,
            regions=list(meta.regions),
            checks=list(meta.checks),
            incomplete=meta.incomplete,
            api_calls=dict(meta.api_calls),
        ),
        scopes=[source],
    )


# Report order: by scope (the finding's account), then check, resource and region.
finding_order: Callable[[Finding], tuple[str, str, str, str]] = attrgetter("account", "check_id", "resource_id", "region")
# The same keys from findings' values, for whole lists: map(values_order, map(fields_of, findings))
# (a Finding's __dict__ read once, not a pydantic attribute read, through its __getattr__ hook, per key).
values_order = itemgetter("account", "check_id", "resource_id", "region")
fields_of: Callable[[Finding], dict[str, Any]] = attrgetter("__dict__")
# (the same, over a finding's values)
_legacy_values_order = itemgetter("check_id", "resource_id", "region")
_finding_id_of = itemgetter("finding_id")


def evaluate(
    source: Inventory | Snapshot,
    checks: Iterable[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    deferred: Iterable[str] = (),
) -> list[Finding]:
    """Every selected check's findings, ordered by scope, check, resource and region."""
    snapshot = as_snapshot(source)
    findings = list(iter_findings(snapshot, checks, frameworks, params, deferred=deferred))
    if len(snapshot.scopes) == 1 and snapshot.scopes[0].metadata.scope_kind is None:
        return findings  # a schema-1 inventory: the order it always had (check, resource, region)
    return sorted(findings, key=finding_order)


def iter_findings(
    snapshot: Snapshot,
    checks: Iterable[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    deferred: Iterable[str] = (),
) -> Iterator[Finding]:
    """The findings of each scope in turn (scopes in snapshot order, each scope's findings sorted)."""
    for _, findings in scope_findings(snapshot.scopes, snapshot.organization_scope, checks, frameworks, params, deferred=deferred):
        yield from findings


def scope_findings(
    scopes: Iterable[Inventory],
    organization: Callable[[], Inventory | None],
    checks: Iterable[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    deferred: Iterable[str] = (),
) -> Iterator[tuple[Inventory, list[Finding]]]:
    """Each scope with its findings, sorted (check, resource, region), one scope at a time.

    A check sees one scope's facts: a member scope's (account, subscription, project), plus the
    organization scope's keys when it reads them ("mixed" checks); a check reading only organization
    keys runs in the organization scope. `deferred` checks are left out of member scopes (a shard
    without the organization scope defers its mixed checks to `merge`). `organization` gives the
    organization scope, asked for only when a mixed check runs in a member scope.
    """
    judge = scope_judge(organization, checks, frameworks, params, deferred=deferred)
    for scope in scopes:
        yield scope, judge(scope)


def scope_judge(
    organization: Callable[[], Inventory | None],
    checks: Iterable[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    deferred: Iterable[str] = (),
) -> Callable[[Inventory], list[Finding]]:
    """What `scope_findings` does to each scope: a function from a scope to its sorted findings (the
    per-check levels worked out at the first scope of a scan, then kept)."""
    specs = list(checks)
    criteria = criteria_index(frameworks)
    keys = {key for spec in specs for key in spec.collection_keys}
    skip = frozenset(deferred)
    found: list[Inventory | None] = []

    def the_organization() -> Inventory | None:
        if not found:
            found.append(organization())
        return found[0]

    levels: dict[str, Level] = {}
    org_keys: list[frozenset[str]] = [frozenset()]

    def judge(scope: Inventory) -> list[Finding]:
        if scope.metadata.scope_kind is not None and not levels:
            # A scope of a scan (a schema-1 inventory evaluates every check, whatever its level)
            org_keys[0] = organization_keys(scope.metadata.provider, keys)
            levels.update({spec.id: check_level(spec, org_keys[0]) for spec in specs})
        return evaluate_scope(scope, the_organization, specs, levels, criteria, params, org_keys[0], skip)

    return judge


def evaluate_scope(
    scope: Inventory,
    organization: Callable[[], Inventory | None],
    specs: list[CheckSpec],
    levels: Mapping[str, Level],
    criteria: Mapping[str, dict[str, list[str]]],
    params: Mapping[str, Mapping[str, Any]] | None,
    org_keys: frozenset[str],
    deferred: frozenset[str] = frozenset(),
) -> list[Finding]:
    """One scope's findings, sorted (check, resource, region)."""
    kind = scope.metadata.scope_kind
    found: list[dict[str, Any]] = []  # the findings' values, check by check
    views: dict[tuple[str, ...], Inventory] = {(): scope}
    prepared: dict[tuple[str, ...], tuple[Any, Any]] = {}
    for spec in specs:
        keys: tuple[str, ...] = ()
        if kind == "organization":
            if levels[spec.id] != "organization":
                continue
        elif kind is not None:  # a member scope (a schema-1 inventory evaluates everything, as it always did)
            level = levels[spec.id]
            if level == "organization" or (level == "mixed" and spec.id in deferred):
                continue
            if level == "mixed":
                keys = tuple(k for k in spec.collection_keys if k in org_keys)
                if keys not in views:
                    views[keys] = with_organization(scope, organization(), keys)
        view = views[keys]
        if keys not in prepared:
            prepared[keys] = iac.prepare(getattr(view, view.metadata.provider))
        found += check_values(view, spec, criteria.get(spec.id, {}), params, prepared[keys])
    return findings_of(sorted(_first_of_each_id(found), key=_legacy_values_order))


def _first_of_each_id(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The findings' values without repeats of a finding id (the first kept), in their order."""
    ids = list(map(_finding_id_of, found))
    if len(dict.fromkeys(ids)) == len(ids):  # the usual case, found in C
        return found
    unique: dict[str, dict[str, Any]] = {}
    for finding_id_, values in zip(ids, found):
        unique.setdefault(finding_id_, values)
    return list(unique.values())


def with_organization(scope: Inventory, organization: Inventory | None, keys: Iterable[str]) -> Inventory:
    """A member scope's inventory that also shows the organization's values (and coverage) at `keys`."""
    provider = scope.metadata.provider
    mine = getattr(scope, provider)
    coverage = list(scope.coverage)
    for key in keys:
        _, service, attribute = key.split(".", 2)
        if organization is not None and getattr(organization, provider) is not None:
            value = getattr(getattr(getattr(organization, provider), service), attribute)
            coverage += organization.coverage_for(key)
        else:
            value = getattr(getattr(type(mine)(), service), attribute)
            coverage.append(Coverage(key=key, scope="global", state=CoverageState.NOT_COLLECTED,
                                     reason=f"{key}: the organization scope is not part of this snapshot"))
        mine = mine.model_copy(update={service: getattr(mine, service).model_copy(update={attribute: value})})
    return scope.model_copy(update={provider: mine, "coverage": coverage})


def evaluate_check(
    inventory: Inventory,
    spec: CheckSpec,
    criteria: dict[str, list[str]],
    params: Mapping[str, Mapping[str, Any]] | None,
    prepared: tuple[Any, Any] | None = None,
) -> list[Finding]:
    """One check over one scope's facts: coverage first, then the check function (through
    scanner.engine.iac, which tracks what a check reads of IaC-sourced resources)."""
    return findings_of(check_values(inventory, spec, criteria, params, prepared))


def check_values(
    inventory: Inventory,
    spec: CheckSpec,
    criteria: dict[str, list[str]],
    params: Mapping[str, Mapping[str, Any]] | None,
    prepared: tuple[Any, Any] | None = None,
) -> list[dict[str, Any]]:
    """What evaluate_check finds, as each finding's fields' values (in field order)."""
    provider_inventory, run_check = prepared or iac.prepare(getattr(inventory, inventory.metadata.provider))
    unset = facets.hidden(inventory, spec, lambda resource: scope_of(inventory, resource))
    if unset:  # facets this scan did not read: a verdict resting on one of their fields is ERROR
        provider_inventory, run_check = facets.guard(provider_inventory, spec, unset, run_check)
    ctx = CheckContext(
        now=inventory.metadata.collected_at,
        params=resolve_params(spec, params),
        account=account_resource(inventory),
        complete=inventory.is_complete,
        uncollected=lambda key, resource=None: uncollected(inventory, key, resource),
    )
    results = list(_coverage_results(inventory, spec))
    # A verdict about a resource in a unit whose inputs were not collected would rest on missing
    # facts (a VPC without its flow logs reads as "no flow log"): the unit's ERROR finding stands for it.
    blocked = {scope_of(inventory, r.resource) for r in results if r.status == Status.ERROR}
    if _any_collected(inventory, spec) and "global" not in blocked:
        start = len(results)
        raised = None
        try:
            results.extend(run_check(spec, provider_inventory, ctx))
        except Exception as exc:  # noqa: BLE001 - a broken check is an ERROR, not a crash (its results so far stand)
            log.warning("check %s raised %r", spec.id, exc)
            raised = Result(ctx.account, Status.ERROR, f"check raised {type(exc).__name__}: {exc}")
        # The check's results filtered and guarded in passes over the list (not a generator per step)
        if blocked:
            results[start:] = [result for result in results[start:] if scope_of(inventory, result.resource) not in blocked]
        if spec.facets:  # nearly every resource has no read errors: only those that do are looked at
            results[start:] = [_facet_guard(spec, result) if result.resource.errors else result for result in results[start:]]
        if raised is not None:
            results.append(raised)
    if not results:
        results.append(Result.not_applicable(ctx.account, f"no {spec.resource_type} resources in scope"))
    constants = _constants(spec, criteria)
    return [_finding_values(spec.id, result, constants) for result in results]


def _any_collected(inventory: Inventory, spec: CheckSpec) -> bool:
    return all(
        any(c.state == CoverageState.COLLECTED for c in inventory.coverage_for(key)) for key in spec.required_keys
    )


def uncollected(inventory: Inventory, key: str, resource: Resource | None = None) -> str | None:
    """Why `key` was not collected in the unit `resource` belongs to (its region, subscription or
    project; every unit when `resource` is None), or None when it was collected there. A key
    collected once per scope ("global") answers for every resource of the scope."""
    entries = inventory.coverage_for(key)
    if not entries:
        return f"{key} was not collected"
    if resource is not None:
        unit = scope_of(inventory, resource)
        entries = [c for c in entries if c.scope == unit] or [c for c in entries if c.scope == "global"] or entries
    reasons = [c.reason or f"{key} was not collected" for c in entries if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)]
    return "; ".join(dict.fromkeys(reasons)) or None


def _coverage_results(inventory: Inventory, spec: CheckSpec) -> Iterable[Result]:
    """ERROR / NOT_APPLICABLE results for the units a check's inputs could not be collected in
    (one result per resource they land on, the reasons joined)."""
    failed: dict[str, tuple[AccountScope, list[str]]] = {}
    unsupported: dict[str, tuple[AccountScope, list[str]]] = {}

    def note(table: dict[str, tuple[AccountScope, list[str]]], scope: str, reason: str) -> None:
        resource = account_resource(inventory, scope)
        table.setdefault(resource.id, (resource, []))[1].append(reason)

    for key in spec.required_keys:  # an optional input's failure is the check's to judge (ctx.missing)
        entries = inventory.coverage_for(key)
        if not entries:
            note(failed, "global", f"{key} was not collected")
        wanted = [read.split(":", 1)[1] for read in spec.reads if read.startswith(f"{key}:")]
        for entry in entries:
            if entry.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED):
                note(failed, entry.scope, entry.reason or f"{key} was not collected")
            elif entry.state == CoverageState.UNSUPPORTED:
                note(unsupported, entry.scope, entry.reason or f"{key} is not available")
            elif entry.facets is not None and (unread := [f for f in wanted if f not in entry.facets]):
                # a snapshot collected for other checks, evaluated with this one
                note(failed, entry.scope, f"{key}:{', '.join(unread)} was not read when this was collected (its checks did not need it)")
    for _, (resource, reasons) in sorted(failed.items()):
        yield Result(resource, Status.ERROR, "; ".join(dict.fromkeys(reasons)))
    for resource_id, (resource, reasons) in sorted(unsupported.items()):
        if resource_id not in failed:
            yield Result(resource, Status.NOT_APPLICABLE, "; ".join(dict.fromkeys(reasons)))


def _facet_guard(spec: CheckSpec, result: Result) -> Result:
    errors = result.resource.errors
    if not errors:  # all its facets were read
        return result
    unreadable = [errors[f] for f in spec.guarded_facets if f in errors]
    if unreadable and result.status != Status.ERROR:
        return Result(result.resource, Status.ERROR, "; ".join(unreadable), result.evidence)
    return result


# Finding's fields in declaration order (the order they serialise in), and those a check's result sets:
# findings are built from values already validated (resources, the check's spec) without validating again.
FINDING_FIELDS = tuple(Finding.model_fields)
_SET_FIELDS = frozenset(FINDING_FIELDS) - {"waiver", "baseline_state"}
# The names of the fields a finding made here has set: one set shared by all of them (a Finding is
# frozen, so no assignment adds to it; model_copy copies it), not a set of 18 names per finding.
_SET_FIELDS_SET = set(_SET_FIELDS)
_constants_cache: dict[str, tuple[CheckSpec, dict[str, list[str]], dict[str, Any]]] = {}


def _constants(spec: CheckSpec, criteria: dict[str, list[str]]) -> dict[str, Any]:
    """The fields every finding of one check shares (computed once per check, not per finding): a
    finding's values in field order, those that vary left to fill."""
    cached = _constants_cache.get(spec.id)
    if cached is not None and cached[0] is spec and cached[1] == criteria:
        return cached[2]
    constants = dict.fromkeys(FINDING_FIELDS)
    constants.update({
        "check_id": spec.id,
        "check_title": spec.title,
        "provider": spec.provider,
        "service": spec.service,
        "severity": spec.severity,
        "category": spec.category,
        "resource_type": spec.resource_type,
        "criteria": {k: sorted(v) for k, v in sorted(criteria.items())},
        "remediation": spec.remediation,
    })
    _constants_cache[spec.id] = (spec, {k: list(v) for k, v in criteria.items()}, constants)
    return constants


def _finding_values(check_id: str, result: Result, constants: dict[str, Any]) -> dict[str, Any]:
    # The resource's fields read from its __dict__ (a pydantic model's attributes go through its
    # __getattr__ hook, each read a lookup more).
    resource = result.resource
    fields = resource.__dict__
    account, region, resource_id = fields["account"], fields["region"], fields["id"]
    evidence = result.evidence
    # A copy of the check's values, the rest filled in place (no dict of 20 keys grown item by item).
    # `criteria` stays shared by the check's findings: never changed in place.
    values = constants.copy()
    values["finding_id"] = finding_id(constants["provider"], account, check_id, resource_id, region)
    is_account = _ACCOUNT_KINDS.get(type(resource))
    if is_account is None:  # isinstance(resource, AccountScope), known by type (pydantic's isinstance goes through ABCMeta)
        is_account = _ACCOUNT_KINDS[type(resource)] = issubclass(type(resource), AccountScope)
    if is_account:
        values["resource_type"] = ACCOUNT_TYPE
    values["resource_id"] = resource_id
    values["resource_name"] = fields["name"]
    values["account"] = account
    values["region"] = region
    values["status"] = result.status
    values["message"] = result.message
    values["evidence"] = _evidence(evidence) if evidence else {}
    values["location"] = result.location
    return values


_ACCOUNT_KINDS: dict[type, bool] = {}  # resource types: whether each is an AccountScope


_new_finding = Finding.__new__
# BaseModel's slots, set through their descriptors (what object.__setattr__ finds by name, without the search)
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def finding_of(values: dict[str, Any]) -> Finding:
    """A Finding from its fields' values, already valid (a check's result, or a worker process's finding)."""
    finding = _new_finding(Finding)
    _set_dict(finding, values)
    _set_fields_set(finding, _SET_FIELDS_SET)
    _set_extra(finding, None)
    _set_private(finding, None)
    return finding


def findings_of(found: list[dict[str, Any]]) -> list[Finding]:
    """[finding_of(values) for values in found], each of its steps run over the whole list in C (no
    Python call per finding: a deque of no length consumes each map)."""
    count = len(found)
    findings = list(map(_new_finding, repeat(Finding, count)))
    deque(map(_set_dict, findings, found), maxlen=0)
    deque(map(_set_fields_set, findings, repeat(_SET_FIELDS_SET, count)), maxlen=0)
    deque(map(_set_extra, findings, repeat(None, count)), maxlen=0)
    deque(map(_set_private, findings, repeat(None, count)), maxlen=0)
    return findings


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _evidence(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """_plain(dict(evidence)), with plain values (and lists of them) copied as they are, not through
    _plain's recursion."""
    if not evidence:
        return {}
    if len(evidence) == 1:  # (most evidence: one plain value)
        for key, value in evidence.items():
            if type(key) is str and type(value) in _SCALARS:
                return {key: value}
    plain = {}
    for key in sorted(evidence):  # the keys alone (unique): as _plain's sort of the items
        if type(key) is not str:
            return _plain(dict(evidence))
        value = evidence[key]
        kind = type(value)
        if kind in _SCALARS:
            plain[key] = value
        elif kind is list and _SCALARS.issuperset(map(type, value)):
            plain[key] = list(value)
        else:
            plain[key] = _plain(value)
    return plain


def _plain(value: Any) -> Any:
    """Evidence as JSON-ready values with a stable shape (datetimes as ISO strings, sets sorted)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
        return value.value
    return value


def summarise(findings: Iterable[Finding]) -> dict[Status, int]:
    """Findings per status (WAIVED listed only when waivers applied)."""
    return Tally().add_all(findings).summary


class Tally:
    """What a report says about its findings, kept one finding at a time: counts per status (the
    summary), per check and status (the per-criterion rollup), per scope (the scopes' counts and
    criteria), and FAIL findings per severity (the gate). A streamed report keeps this instead of
    its findings; an in-memory one computes it the same way, so both say the same."""

    def __init__(self) -> None:
        self.count = 0
        # (account, check, status, severity, provider) -> findings: one count per finding, the views below from it
        self._counts: dict[tuple[str, str, Status, Severity, str], int] = {}

    def add(self, finding: Finding) -> None:
        key = (finding.account, finding.check_id, finding.status, finding.severity, finding.provider)
        self._counts[key] = self._counts.get(key, 0) + 1
        self.count += 1

    def add_all(self, findings: Iterable[Finding]) -> Tally:
        """As `add` for each (counted in C: keys in the order of their first finding, as `add` leaves them)."""
        counted = Counter(map(_tally_values_key, map(fields_of, findings)))
        counts = self._counts
        for key, n in counted.items():
            counts[key] = counts.get(key, 0) + n
            self.count += n
        return self

    def merge(self, other: Tally) -> Tally:
        """`other`'s findings counted too (as if added one by one after these: the same key order)."""
        counts = self._counts
        for key, n in other._counts.items():
            counts[key] = counts.get(key, 0) + n
        self.count += other.count
        return self

    @property
    def summary(self) -> dict[Status, int]:
        """Findings per status: every status but WAIVED, then WAIVED if any finding is."""
        summary = {status: 0 for status in _SUMMARY_ORDER}
        for (_, _, status, _, _), n in self._counts.items():
            summary[status] = summary.get(status, 0) + n
        return summary

    @property
    def by_check(self) -> dict[str, dict[Status, int]]:
        counts: dict[str, dict[Status, int]] = {}
        for (_, check_id, status, _, _), n in self._counts.items():
            of_check = counts.setdefault(check_id, {})
            of_check[status] = of_check.get(status, 0) + n
        return counts

    @property
    def failing(self) -> dict[Severity, int]:
        """FAIL findings per severity."""
        counts: dict[Severity, int] = {}
        for (_, _, status, severity, _), n in self._counts.items():
            if status == Status.FAIL:
                counts[severity] = counts.get(severity, 0) + n
        return counts

    @property
    def providers(self) -> set[str]:
        return {provider for (_, _, _, _, provider) in self._counts}

    def criteria(self, frameworks: Mapping[str, Framework], evaluated: Iterable[str], providers: set[str]) -> list[CriterionRollup]:
        evaluated = list(evaluated)
        by_check = self.by_check
        return [c for framework in frameworks.values() for c in rollup_counts(framework, by_check, evaluated, providers)]

    def scopes(self, bases: Iterable[ScopeSummary], frameworks: Mapping[str, Framework]) -> list[ScopeSummary]:
        """The scopes' counts and criteria over these findings (each finding counts for its account)."""
        by_scope: dict[str, tuple[dict[Status, int], dict[str, set[Status]]]] = {}
        for (account, check_id, status, _, _), n in self._counts.items():
            counts, statuses = by_scope.setdefault(account, ({}, {}))
            counts[status] = counts.get(status, 0) + n
            statuses.setdefault(check_id, set()).add(status)
        out = []
        for base in bases:
            counts, statuses = by_scope.get(base.id, ({}, {}))
            ordered = {status: counts[status] for status in [*_SUMMARY_ORDER, Status.WAIVED] if counts.get(status)}
            criteria = {name: criterion_states_of(framework, statuses) for name, framework in frameworks.items()}
            out.append(base.model_copy(update={"counts": ordered, "criteria": criteria}))
        return out


_SUMMARY_ORDER = [status for status in Status if status != Status.WAIVED]
_tally_values_key = itemgetter("account", "check_id", "status", "severity", "provider")


def collection_errors(snapshot: Snapshot) -> list[CollectionError]:
    """Every unit that failed or was never collected, scope by scope."""
    return ScopesSeen().add_all(snapshot.scopes).errors


def scope_state(scope: Inventory) -> str:
    units = [c for c in scope.coverage]
    bad = [c for c in units if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)]
    if not bad:
        return "scanned"
    return "failed" if len(bad) == len(units) else "partly_failed"


def scope_summaries(snapshot: Snapshot, findings: Iterable[Finding], frameworks: Mapping[str, Framework]) -> list[ScopeSummary]:
    """Per scope: what was scanned (state, collection errors) and what was found (counts, criteria)."""
    return recount_scopes(ScopesSeen().add_all(snapshot.scopes).bases, findings, frameworks)


def recount_scopes(bases: Iterable[ScopeSummary], findings: Iterable[Finding], frameworks: Mapping[str, Framework]) -> list[ScopeSummary]:
    """The scopes' counts and criteria recomputed over `findings` (after waivers, or a merge)."""
    return Tally().add_all(findings).scopes(bases, frameworks)


def report_regions(snapshot: Snapshot) -> list[str]:
    if snapshot.metadata.regions:
        return list(snapshot.metadata.regions)
    return sorted({r for scope in snapshot.scopes for r in scope.metadata.regions})


def report_scope_ids(snapshot: Snapshot) -> list[str]:
    """`metadata.scopes`: the subscriptions / projects scanned (as schema-1 reports listed them)."""
    if len(snapshot.scopes) == 1 and snapshot.scopes[0].metadata.scope_kind is None:
        return list(snapshot.scopes[0].metadata.scopes)
    return [s.scope_id for s in snapshot.scopes if s.metadata.scope_kind in ("subscription", "project")]


class ScopesSeen:
    """What a report says about the scopes themselves (state, collection errors, regions), gathered
    scope by scope as they are evaluated."""

    def __init__(self) -> None:
        self.bases: list[ScopeSummary] = []
        self.errors: list[CollectionError] = []
        self.regions: set[str] = set()
        self.members: list[str] = []  # subscriptions / projects, for `metadata.scopes`
        self.legacy_scopes: list[str] | None = None  # a schema-1 inventory's own `scopes`
        self.organization = False

    def add(self, scope: Inventory) -> None:
        ref = scope.scope_ref()
        bad = [c for c in scope.coverage if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)]
        self.bases.append(ScopeSummary(id=ref.id, kind=ref.kind, name=ref.name, regions=list(ref.regions), state=scope_state(scope),
                                       collection_errors=len(bad)))
        self.errors.extend(
            CollectionError(key=c.key, scope=c.scope, state=c.state.value, reason=c.reason or "", error_code=c.error_code, account=scope.scope_id)
            for c in bad
        )
        self.regions.update(scope.metadata.regions)
        kind = scope.metadata.scope_kind
        if kind is None:
            self.legacy_scopes = list(scope.metadata.scopes)
        elif kind in ("subscription", "project"):
            self.members.append(scope.scope_id)
        self.organization = self.organization or kind == "organization"

    def add_all(self, scopes: Iterable[Inventory]) -> ScopesSeen:
        for scope in scopes:
            self.add(scope)
        return self

    def merge(self, other: ScopesSeen) -> ScopesSeen:
        """The scopes `other` saw, as if seen after these (a worker process's scopes, in order)."""
        self.bases.extend(other.bases)
        self.errors.extend(other.errors)
        self.regions.update(other.regions)
        self.members.extend(other.members)
        if other.legacy_scopes is not None:
            self.legacy_scopes = other.legacy_scopes
        self.organization = self.organization or other.organization
        return self


def build_report(
    source_snapshot: Inventory | Snapshot,
    findings: list[Finding],
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    *,
    source: str,
    started_at: datetime,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    deferred: DeferredChecks | None = None,
) -> Report:
    snapshot = as_snapshot(source_snapshot)
    head = report_head(
        snapshot.metadata, ScopesSeen().add_all(snapshot.scopes), Tally().add_all(findings), checks, frameworks,
        source=source, started_at=started_at, params=params, deferred=deferred,
    )
    return head.model_copy(update={"findings": findings})


def report_head(
    metadata: SnapshotMetadata,
    scopes: ScopesSeen,
    tally: Tally,
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    *,
    source: str,
    started_at: datetime,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    deferred: DeferredChecks | None = None,
    providers: set[str] | None = None,
) -> Report:
    """The report of a snapshot's evaluation but its findings: from the scopes seen and the findings' tally."""
    finished = datetime.now(timezone.utc)
    # The checks that ran are the checks with findings (every check run in a scope yields at least
    # one): a selected check no scope could run leaves its criteria incomplete, never satisfied.
    ran = tally.by_check
    evaluated = [spec.id for spec in checks if spec.id in ran]
    criteria = tally.criteria(frameworks, evaluated, providers or {metadata.provider})
    if metadata.regions:
        regions = list(metadata.regions)
    else:
        regions = sorted(scopes.regions)
    return Report(
        metadata=ScanMetadata(
            tool_version=__version__,
            provider=metadata.provider,
            source=source,
            identity=metadata.identity,
            regions=regions,
            scopes=scopes.legacy_scopes if scopes.legacy_scopes is not None and len(scopes.bases) == 1 else scopes.members,
            collected_at=metadata.collected_at,
            started_at=started_at,
            finished_at=finished,
            elapsed_seconds=round((finished - started_at).total_seconds(), 3),
            checks_evaluated=len(checks) - (len(deferred.checks) if deferred and not scopes.organization else 0),
            incomplete=metadata.incomplete,
            api_calls=metadata.api_calls,
            parameters={spec.id: resolve_params(spec, params) for spec in checks if spec.params},
            organization=metadata.organization,
            plan=metadata.plan,
            shard=metadata.shard,
        ),
        summary=tally.summary,
        findings=[],
        criteria=criteria,
        collection_errors=scopes.errors,
        scopes=tally.scopes(scopes.bases, frameworks),
        deferred=deferred,
    )
