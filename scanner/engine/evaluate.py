"""Evaluate checks over an inventory: pure, offline, deterministic.

Coverage decides before any check runs: a scope whose collection failed yields ERROR findings with
the collector's reason, an unsupported scope NOT_APPLICABLE, and a check never reads an empty list
that would look like PASS. A verdict resting on a per-resource facet that could not be read
(e.g. a bucket's encryption getter was denied) becomes ERROR.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from scanner import __version__
from scanner.mapping import Framework, criteria_index, rollup
from scanner.models.common import CoverageState, Resource, Status
from scanner.models.inventory import Inventory
from scanner.models.report import CollectionError, Finding, Report, ScanMetadata
from scanner.registry import CheckContext, CheckSpec, Result

log = logging.getLogger("trustscan")


def finding_id(provider: str, account: str, check_id: str, resource_id: str, region: str) -> str:
    digest = hashlib.sha256(f"trustscan/1|{provider}|{account}|{region}|{check_id}|{resource_id}".encode())
    return digest.hexdigest()[:32]


ACCOUNT_TYPE = "account"


class AccountScope(Resource):
    """The scanned account (subscription, project), or one region of it: where account-level
    verdicts and collection errors are reported."""


def account_resource(inventory: Inventory, scope: str = "global") -> AccountScope:
    """The account (or, for a scoped collection, the region / subscription / project) itself."""
    account = inventory.metadata.identity.account
    if scope == "global":
        return AccountScope(id=account, name=f"account {account}", region="global", account=account)
    if inventory.metadata.scope_field == "account":
        return AccountScope(id=scope, name=f"{inventory.metadata.provider} {scope}", region="global", account=scope)
    return AccountScope(id=f"{account}/{scope}", name=f"account {account} in {scope}", region=scope, account=account)


def scope_of(inventory: Inventory, resource: Resource) -> str:
    """The collection scope a resource was collected in (its region, or its subscription/project)."""
    if resource.region == "global" and resource.account == inventory.metadata.identity.account:
        return "global"
    return getattr(resource, inventory.metadata.scope_field)


def resolve_params(spec: CheckSpec, overrides: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    params = dict(spec.params)
    params.update((overrides or {}).get(spec.id, {}))
    return params


def evaluate(
    inventory: Inventory,
    checks: Iterable[CheckSpec],
    frameworks: Mapping[str, Framework],
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Finding]:
    """Every selected check's findings, sorted by (check, resource, region)."""
    from scanner.engine import iac

    provider = inventory.metadata.provider
    provider_inventory, run_check = iac.prepare(getattr(inventory, provider))
    criteria = criteria_index(frameworks)
    findings: dict[str, Finding] = {}
    for spec in checks:
        ctx = CheckContext(
            now=inventory.metadata.collected_at,
            params=resolve_params(spec, params),
            account=account_resource(inventory),
            complete=inventory.is_complete,
        )
        results = list(_coverage_results(inventory, spec))
        # A verdict about a resource in a scope whose inputs were not collected would rest on
        # missing facts (a VPC without its flow logs reads as "no flow log"): the scope's ERROR
        # finding stands for it instead.
        blocked = {scope_of(inventory, r.resource) for r in results if r.status == Status.ERROR}
        if _any_collected(inventory, spec) and "global" not in blocked:
            try:
                results.extend(
                    _facet_guard(spec, result)
                    for result in run_check(spec, provider_inventory, ctx)
                    if scope_of(inventory, result.resource) not in blocked
                )
            except Exception as exc:  # noqa: BLE001 - a broken check is an ERROR, not a crash
                log.warning("check %s raised %r", spec.id, exc)
                results.append(Result(ctx.account, Status.ERROR, f"check raised {type(exc).__name__}: {exc}"))
        if not results:
            results.append(Result.not_applicable(ctx.account, f"no {spec.resource_type} resources in scope"))
        for result in results:
            finding = _finding(inventory, spec, result, criteria.get(spec.id, {}))
            findings.setdefault(finding.finding_id, finding)
    return sorted(findings.values(), key=lambda f: (f.check_id, f.resource_id, f.region))


def _any_collected(inventory: Inventory, spec: CheckSpec) -> bool:
    return all(
        any(c.state == CoverageState.COLLECTED for c in inventory.coverage_for(key)) for key in spec.collection_keys
    )


def _coverage_results(inventory: Inventory, spec: CheckSpec) -> Iterable[Result]:
    """ERROR / NOT_APPLICABLE results for scopes a check's inputs could not be collected in."""
    failed: dict[str, list[str]] = {}
    unsupported: dict[str, list[str]] = {}
    for key in spec.collection_keys:
        entries = inventory.coverage_for(key)
        if not entries:
            failed.setdefault("global", []).append(f"{key} was not collected")
        for entry in entries:
            if entry.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED):
                failed.setdefault(entry.scope, []).append(entry.reason or f"{key} was not collected")
            elif entry.state == CoverageState.UNSUPPORTED:
                unsupported.setdefault(entry.scope, []).append(entry.reason or f"{key} is not available")
    for scope, reasons in sorted(failed.items()):
        yield Result(account_resource(inventory, scope), Status.ERROR, "; ".join(dict.fromkeys(reasons)))
    for scope, reasons in sorted(unsupported.items()):
        if scope not in failed:
            yield Result(account_resource(inventory, scope), Status.NOT_APPLICABLE, "; ".join(dict.fromkeys(reasons)))


def _facet_guard(spec: CheckSpec, result: Result) -> Result:
    unreadable = [result.resource.errors[f] for f in spec.facets if f in result.resource.errors]
    if unreadable and result.status != Status.ERROR:
        return Result(result.resource, Status.ERROR, "; ".join(unreadable), result.evidence)
    return result


def _finding(inventory: Inventory, spec: CheckSpec, result: Result, criteria: dict[str, list[str]]) -> Finding:
    resource = result.resource
    return Finding(
        finding_id=finding_id(spec.provider, resource.account, spec.id, resource.id, resource.region),
        check_id=spec.id,
        check_title=spec.title,
        provider=spec.provider,
        service=spec.service,
        severity=spec.severity,
        category=spec.category,
        resource_type=ACCOUNT_TYPE if isinstance(resource, AccountScope) else spec.resource_type,
        resource_id=resource.id,
        resource_name=resource.name,
        account=resource.account,
        region=resource.region,
        status=result.status,
        message=result.message,
        evidence=_plain(dict(result.evidence)),
        criteria={k: sorted(v) for k, v in sorted(criteria.items())},
        remediation=spec.remediation,
        location=result.location,
    )


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
    summary = {status: 0 for status in Status if status != Status.WAIVED}
    for finding in findings:
        summary[finding.status] = summary.get(finding.status, 0) + 1
    return summary


def build_report(
    inventory: Inventory,
    findings: list[Finding],
    checks: list[CheckSpec],
    frameworks: Mapping[str, Framework],
    *,
    source: str,
    started_at: datetime,
    params: Mapping[str, Mapping[str, Any]] | None = None,
) -> Report:
    finished = datetime.now(timezone.utc)
    summary = summarise(findings)
    evaluated = [spec.id for spec in checks]
    criteria = []
    for framework in frameworks.values():
        criteria.extend(rollup(framework, findings, evaluated, {inventory.metadata.provider}))
    errors = [
        CollectionError(key=c.key, scope=c.scope, state=c.state.value, reason=c.reason or "", error_code=c.error_code)
        for c in inventory.coverage
        if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)
    ]
    metadata = inventory.metadata
    return Report(
        metadata=ScanMetadata(
            tool_version=__version__,
            provider=metadata.provider,
            source=source,
            identity=metadata.identity,
            regions=metadata.regions,
            scopes=metadata.scopes,
            collected_at=metadata.collected_at,
            started_at=started_at,
            finished_at=finished,
            elapsed_seconds=round((finished - started_at).total_seconds(), 3),
            checks_evaluated=len(checks),
            incomplete=metadata.incomplete,
            api_calls=metadata.api_calls,
            parameters={spec.id: resolve_params(spec, params) for spec in checks if spec.params},
        ),
        summary=summary,
        findings=findings,
        criteria=criteria,
        collection_errors=errors,
    )
