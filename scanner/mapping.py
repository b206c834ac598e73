"""Framework mappings kept as data (mappings/<framework>.yaml): criterion -> checks, with rationale.

Checks carry no framework tags; this layer links them. Loading validates the shape; `validate`
checks the links against the registry (dangling ids, unmapped checks).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, Field, ValidationError

from scanner.errors import ConfigurationError
from scanner.models.common import Status
from scanner.models.report import CriterionRollup, CriterionState, Finding


class Criterion(BaseModel):
    title: str
    category: str | None = None  # e.g. "Security (common criteria)", "Availability"
    checks: dict[str, str] = Field(default_factory=dict)  # check id -> why it evidences this criterion
    manual_evidence: list[str] = Field(default_factory=list)


class Framework(BaseModel):
    framework: str
    title: str
    version: str | None = None
    criteria: dict[str, Criterion]

    def criteria_for(self, check_id: str) -> list[str]:
        return [cid for cid, criterion in self.criteria.items() if check_id in criterion.checks]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def available_frameworks() -> list[str]:
    return sorted(p.name[: -len(".yaml")] for p in resources.files("mappings").iterdir() if p.name.endswith(".yaml"))


@cache
def load_framework(name: str) -> Framework:
    resource = resources.files("mappings").joinpath(f"{name}.yaml")
    if not resource.is_file():
        raise ConfigurationError(f"unknown framework {name!r} (available: {', '.join(available_frameworks())})")
    try:
        # libyaml's loader when present: the pure-Python one costs most of a second on every run
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(resource.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
        return Framework.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise ConfigurationError(f"mappings/{name}.yaml is invalid: {first}") from exc


def validate(framework: Framework, check_ids: Iterable[str]) -> list[str]:
    """Problems with a framework's links: ids that do not exist, checks that are not mapped."""
    known = set(check_ids)
    mapped = {cid for criterion in framework.criteria.values() for cid in criterion.checks}
    problems = [
        f"{framework.framework} {criterion_id} maps unknown check {check_id}"
        for criterion_id, criterion in framework.criteria.items()
        for check_id in criterion.checks
        if check_id not in known
    ]
    problems += [f"check {check_id} is not mapped in {framework.framework}" for check_id in sorted(known - mapped)]
    return problems


def rollup(framework: Framework, findings: list[Finding], evaluated_checks: Iterable[str], providers: set[str]) -> list[CriterionRollup]:
    """Each criterion: not satisfied on any FAIL; incomplete on ERROR/UNKNOWN or a mapped check not run;
    satisfied when every mapped check ran and passed (or had nothing in scope); manual when no
    automated check applies to the scanned providers."""
    return rollup_counts(framework, status_counts(findings), evaluated_checks, providers)


def status_counts(findings: Iterable[Finding]) -> dict[str, dict[Status, int]]:
    """check id -> status -> findings."""
    counts: dict[str, dict[Status, int]] = {}
    for finding in findings:
        of_check = counts.setdefault(finding.check_id, {})
        of_check[finding.status] = of_check.get(finding.status, 0) + 1
    return counts


def rollup_counts(
    framework: Framework, counts_by_check: Mapping[str, Mapping[Status, int]], evaluated_checks: Iterable[str], providers: set[str]
) -> list[CriterionRollup]:
    """`rollup` from each check's counts per status (what a streamed report keeps instead of its findings)."""
    evaluated = set(evaluated_checks)
    rollups = []
    for criterion_id, criterion in framework.criteria.items():
        relevant = sorted(c for c in criterion.checks if c.split(".", 1)[0] in providers)
        ran = [c for c in relevant if c in evaluated]
        counts: dict[Status, int] = {}
        for check_id in ran:
            for status, n in counts_by_check.get(check_id, {}).items():
                counts[status] = counts.get(status, 0) + n
        if not ran:
            state = CriterionState.MANUAL
        elif counts.get(Status.FAIL):
            state = CriterionState.NOT_SATISFIED
        elif counts.get(Status.ERROR) or counts.get(Status.UNKNOWN) or len(ran) < len(relevant):
            state = CriterionState.INCOMPLETE
        else:
            state = CriterionState.SATISFIED
        rollups.append(
            CriterionRollup(
                framework=framework.framework,
                criterion=criterion_id,
                title=criterion.title,
                state=state,
                checks=ran,
                counts=dict(sorted(counts.items(), key=lambda kv: kv[0].value)),
                manual_evidence=list(criterion.manual_evidence),
            )
        )
    return rollups


def criterion_states(framework: Framework, findings: Iterable[Finding]) -> dict[str, CriterionState]:
    """Per criterion, the state over these findings alone (one scope's): not satisfied on any FAIL,
    incomplete on ERROR / UNKNOWN, satisfied otherwise; criteria none of the findings' checks maps are
    left out (a scope is not expected to run every check: organization checks run once)."""
    by_check: dict[str, set[Status]] = {}
    for finding in findings:
        by_check.setdefault(finding.check_id, set()).add(finding.status)
    return criterion_states_of(framework, by_check)


def criterion_states_of(framework: Framework, statuses_by_check: Mapping[str, Iterable[Status]]) -> dict[str, CriterionState]:
    """`criterion_states` from the statuses each check's findings had."""
    states: dict[str, CriterionState] = {}
    for criterion_id, criterion in framework.criteria.items():
        present = [c for c in criterion.checks if c in statuses_by_check]
        if not present:
            continue
        statuses = set().union(*(statuses_by_check[c] for c in present))
        if Status.FAIL in statuses:
            states[criterion_id] = CriterionState.NOT_SATISFIED
        elif Status.ERROR in statuses or Status.UNKNOWN in statuses:
            states[criterion_id] = CriterionState.INCOMPLETE
        else:
            states[criterion_id] = CriterionState.SATISFIED
    return states


def criteria_index(frameworks: Mapping[str, Framework]) -> dict[str, dict[str, list[str]]]:
    """check id -> {framework -> [criterion ids]} for every mapped check."""
    index: dict[str, dict[str, list[str]]] = {}
    for name, framework in frameworks.items():
        for criterion_id, criterion in framework.criteria.items():
            for check_id in criterion.checks:
                index.setdefault(check_id, {}).setdefault(name, []).append(criterion_id)
    return index
