"""No check resolves references by scanning a list per resource: evaluation stays linear.

Counted, not timed: every field read of every resource in the inventory is counted (resources are
swapped for instances of a subclass that counts attribute reads, as scanner.engine.iac does to
track IaC fields), and so is every equality test between resources, as a read of every field of
both (`resource in some_list` compares the models field by field: a list scan that reads no field
by name). Each check runs over estates of the demo's collected shapes (tests/snapshots, the demos' own
snapshots) copied k, 2k and 4k times inside each scope (scanner.demo.estate): a linear check's reads
grow by the same amount at each doubling of the copies' count... twice as much for twice as many
copies, while a check that scans a list per resource (a KMS key looked up among all keys for each
volume) grows four times as fast. Azure and GCP are also evaluated as one schema-1 inventory holding
n, 2n and 4n subscriptions / projects, where filtering every subscription's resources for each
subscription would be quadratic.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from scanner.demo.estate import Estate
from scanner.engine.evaluate import evaluate
from scanner.engine.scan import frameworks
from scanner.models.common import Resource
from scanner.models.inventory import Inventory, Snapshot
from scanner.registry import load_checks

SNAPSHOTS = Path(__file__).parent / "snapshots"
GROWTH_LIMIT = 2.05  # second growth over first: 2 for a linear check, about 4 for a quadratic one
SLACK = 8  # a few reads of constant-sized work (the first or last of something)

_reads: Counter[str] = Counter()


@cache
def _counting(cls: type) -> type:
    fields = frozenset(cls.model_fields)

    def __getattribute__(self: Any, name: str) -> Any:  # noqa: N807 - the hook itself
        if name in fields:
            _reads[name] += 1
        return object.__getattribute__(self, name)

    def __eq__(self: Any, other: Any) -> bool:  # noqa: N807 - the hook itself
        _reads["=="] += 2 * len(fields)
        return cls.__eq__(self, other)

    # __hash__ kept: a class that defines __eq__ alone loses it
    return type(cls.__name__, (cls,), {"__getattribute__": __getattribute__, "__eq__": __eq__, "__hash__": cls.__hash__,
                                       "__module__": cls.__module__})


def _counted(resource: Resource) -> Resource:
    copy = object.__new__(_counting(type(resource)))
    for name in ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
        object.__setattr__(copy, name, object.__getattribute__(resource, name))
    return copy


def _swap(inventory: Inventory) -> Inventory:
    provider = inventory.metadata.provider
    data = getattr(inventory, provider)
    services = {}
    for service_name in type(data).model_fields:
        service = getattr(data, service_name)
        if not isinstance(service, BaseModel):
            continue
        updates = {}
        for attribute in type(service).model_fields:
            value = getattr(service, attribute)
            if isinstance(value, Resource):
                updates[attribute] = _counted(value)
            elif isinstance(value, list) and value and isinstance(value[0], Resource):
                updates[attribute] = [_counted(r) for r in value]
        services[service_name] = service.model_copy(update=updates)
    return inventory.model_copy(update={provider: data.model_copy(update=services)})


def _template(provider: str) -> dict[str, Any]:
    return json.loads((SNAPSHOTS / f"{provider}-demo.json").read_text())


def reads_per_check(source: Snapshot | Inventory, provider: str) -> dict[str, int]:
    if isinstance(source, Snapshot):
        source = source.model_copy(update={"scopes": [_swap(s) for s in source.scopes]})
    else:
        source = _swap(source)
    loaded = frameworks()
    counts = {}
    for spec in load_checks().values():
        if spec.provider != provider:
            continue
        _reads.clear()
        evaluate(source, [spec], loaded)
        counts[spec.id] = sum(_reads.values())
    return counts


def superlinear(counts: list[dict[str, int]]) -> list[str]:
    """Checks whose reads grow faster than linearly over sizes k, 2k, 4k: for a linear check the
    growth from 2k to 4k is twice the growth from k to 2k (exactly: copies are alike); a list
    scanned per resource makes it about four times."""
    small, middle, large = counts
    return sorted(
        f"{check_id}: {small[check_id]}, {middle[check_id]}, {large[check_id]} field reads"
        for check_id in large
        if large[check_id] - middle[check_id] > GROWTH_LIMIT * (middle[check_id] - small[check_id]) + SLACK
    )


def _members(template: dict[str, Any]) -> int:
    return sum(1 for s in template["scopes"] if s["metadata"].get("scope_kind") != "organization")


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
def test_checks_read_linearly_as_a_scope_grows(provider):
    template = _template(provider)
    counts = [reads_per_check(Estate(template, copies=k, scopes=_members(template)).snapshot(), provider) for k in (2, 4, 8)]
    assert sum(counts[2].values()) > 3 * sum(counts[0].values())  # the count sees what checks read
    assert superlinear(counts) == []


@pytest.mark.parametrize("provider", ["azure", "gcp"])
def test_checks_read_linearly_as_subscriptions_and_projects_grow(provider):
    template = _template(provider)
    counts = [reads_per_check(Estate(template, copies=2, scopes=n * _members(template)).flat_inventory(), provider) for n in (2, 4, 8)]
    assert superlinear(counts) == []


def test_monitoring_alert_lookup_agrees_with_searching_each_filter_for_each_metric():
    """gcp.monitoring's first (metric, policy) pair, found from each filter's tokens, is the one the
    pairwise search with `references` finds: prefixes, PromQL names, MQL, quoting, odd metric names."""
    from checks.gcp.monitoring import first_alerting, references
    from scanner.models.gcp.logging import LogMetric
    from scanner.models.gcp.monitoring import AlertPolicy

    base = {"region": "global", "account": "p"}
    names = ["fw", "fw-changes", "fw.changes", "fw_changes", "a b", "x(1)", "owner", "route"]
    metrics = [LogMetric(id=f"m{i}", name=n, metric_type=f"logging.googleapis.com/user/{n}", filter="", **base) for i, n in enumerate(names)]
    filters = [
        'metric.type="logging.googleapis.com/user/fw-changes" AND resource.type="gce_firewall_rule"',
        "fetch gce_instance | metric 'logging.googleapis.com/user/fw'",
        "logging_googleapis_com:user_fw_changes > 0",
        "rate(logging_googleapis_com:user_fw_changes_total[5m])",
        '{"__name__"="logging.googleapis.com/user/fw.changes"}',
        'metric.type="logging.googleapis.com/user/fw-changes-v2"',
        "metric.type=logging.googleapis.com/user/a b",
        "xlogging.googleapis.com/user/x(1)",
        'metric.type="logging.googleapis.com/user/owner"',
        "",
    ]
    policies = [AlertPolicy(id=f"p{i}", name=f"policy-{i}", condition_filters=[f], **base) for i, f in enumerate(filters)]
    for first in range(len(metrics)):
        for skip in range(len(policies)):
            mine_metrics = metrics[first:] + metrics[:first]
            mine_policies = policies[skip:] + policies[:skip]
            pairs = [(m.name, p.name) for m in mine_metrics for p in mine_policies if any(references(f, m.metric_type) for f in p.condition_filters)]
            assert first_alerting(mine_metrics, mine_policies) == (pairs[0] if pairs else None)
    assert first_alerting(metrics, policies[-1:]) is None
