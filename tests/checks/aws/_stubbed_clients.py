"""Helpers for the few operations moto's server cannot answer.

`scan_with_clients` runs the real collectors and checks, exactly as `aws.scan` does, except that
the AwsApi client cache is pre-filled with the given clients: a real boto3 client with botocore's
Stubber activated (every stubbed response and expected parameter validated against the service
model). Everything else still goes to moto's server. `evaluate_at` re-evaluates a collected
inventory as a snapshot taken at another moment (the snapshot's collected_at is "now" for every
age-based check), which is how `trustscan evaluate` treats a saved snapshot. `with_changes` edits
collected resources where moto cannot produce a state AWS reports (MFA delete, which needs the
root user's MFA code), to evaluate the inventory exactly as a snapshot with that fact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.stub import Stubber

from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.inventory import Inventory
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks


def stubbed(aws: Any, service: str, region: str = "us-east-1") -> tuple[Any, Stubber]:
    client = aws.client(service, region)
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def scan_with_clients(
    aws: Any,
    check_ids: list[str],
    clients: dict[tuple[str, str], Any],
    regions: tuple[str, ...] = ("us-east-1",),
    params: dict[str, dict[str, Any]] | None = None,
) -> tuple[Inventory, Report]:
    checks = select_checks(load_checks(), provider="aws", ids=check_ids)
    pool = WorkPool(8)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=aws.session(), max_attempts=2)
        api._clients.update(clients)
        options = ScanOptions(checks=checks, params=params or {})
        inventory = collect(AwsCollection(api, regions=list(regions)), pool, options)
        return inventory, report_for(inventory, options, source="test")
    finally:
        pool.shutdown()


def with_changes(inventory: Inventory, service: str, attribute: str, changes: dict[str, dict[str, Any]]) -> Inventory:
    """A copy of `inventory` where the resources of `aws.<service>.<attribute>` named in `changes` have those fields."""
    aws = inventory.aws
    section = getattr(aws, service)
    resources = [r.model_copy(update=changes.get(r.name, {})) for r in getattr(section, attribute)]
    section = section.model_copy(update={attribute: resources})
    return inventory.model_copy(update={"aws": aws.model_copy(update={service: section})})


def evaluate_at(
    inventory: Inventory, check_ids: list[str], now: datetime | None = None, params: dict[str, dict[str, Any]] | None = None
) -> Report:
    """The report for `inventory` as if it had been collected at `now` (default: when it was)."""
    now = now or inventory.metadata.collected_at
    shifted = inventory.model_copy(update={"metadata": inventory.metadata.model_copy(update={"collected_at": now})})
    checks = select_checks(load_checks(), provider="aws", ids=check_ids)
    return report_for(shifted, ScanOptions(checks=checks, params=params or {}), source="test")
