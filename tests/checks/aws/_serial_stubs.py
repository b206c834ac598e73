"""Scans for operations moto's server does not implement (DLM, and AWS Backup's
ListProtectedResources and ListRestoreTestingPlans) or answers wrongly (Redshift's
DescribeClusterParameters returns the same fixed list whatever the parameter group holds).

`stubbed_collect` runs the real collectors and checks exactly as `aws.collect` does, with two
differences:

- the AwsApi client cache is pre-filled with real boto3 clients (built by AwsApi itself, so calls
  are counted as usual) on which botocore's Stubber is activated: every response and error is
  validated against the service model, and each expected call's parameters are checked;
- the run uses a pool that fans out in order on the calling thread, because a Stubber answers calls
  in the order the responses were queued. Collection units still run on the pool's single worker,
  one after another in plan order.

Every other service still goes to moto's server. `at` re-evaluates a collected inventory as a
snapshot taken at another moment (the snapshot's collected_at is "now" for age-based checks), which
is what `trustscan evaluate` does with a saved snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import boto3
from botocore import xform_name
from botocore.stub import Stubber

from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.demo.aws import DEMO_CREDENTIALS
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.inventory import Inventory
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from tests.conftest import MotoAccount

T = TypeVar("T")
R = TypeVar("R")

# (operation, response or error code, expected params or None)
Reply = tuple[str, "dict[str, Any] | str", "dict[str, Any] | None"]


_SHARED: list[boto3.Session] = []


class SharedSessionAccount(MotoAccount):
    """The `aws` fixture's account, except that sessions with the default (demo) credentials are
    one boto3 Session per test process: botocore then parses each service model once, instead of
    once per client (about 0.1 s of CPU each). Sessions for other credentials (denied_session) are
    built as usual. Tests use clients one at a time, so sharing the session is safe."""

    def session(self, **credentials: str) -> boto3.Session:
        if credentials:
            return super().session(**credentials)
        if not _SHARED:
            _SHARED.append(boto3.Session(region_name="us-east-1", **DEMO_CREDENTIALS))
        return _SHARED[0]


class SerialPool(WorkPool):
    """A pool whose fan-out runs in order on the calling thread."""

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(item) for item in items]


def stubbed_collect(
    aws: Any,
    check_ids: list[str],
    replies: dict[tuple[str, str], list[Reply]],
    regions: tuple[str, ...] = ("us-east-1",),
    params: dict[str, dict[str, Any]] | None = None,
    session: Any = None,
) -> tuple[Inventory, Report]:
    """Collect and evaluate `check_ids`; `replies[(service, region)]` are the stubbed answers, in
    call order. A reply whose response is a string is an error with that code (HTTP 400, or 403
    for access-denied codes). `session` (e.g. from `denied_session`) is used for everything else."""
    checks = select_checks(load_checks(), provider="aws", ids=check_ids)
    pool = SerialPool(1)
    stubbers = []
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=session or aws.session(), max_attempts=1)
        for (service, region), calls in replies.items():
            stubber = Stubber(api.client(service, region))
            for operation, response, expected in calls:
                if isinstance(response, str):
                    status = 403 if "AccessDenied" in response else 400
                    stubber.add_client_error(
                        xform_name(operation),
                        service_error_code=response,
                        service_message=f"User is not authorized to perform: {service}:{operation}",
                        http_status_code=status,
                        expected_params=expected,
                    )
                else:
                    stubber.add_response(xform_name(operation), response, expected)
            stubber.activate()
            stubbers.append(stubber)
        options = ScanOptions(checks=checks, params=params or {})
        inventory = collect(AwsCollection(api, regions=list(regions)), pool, options)
        for stubber in stubbers:
            stubber.assert_no_pending_responses()  # every stubbed call was made
        return inventory, report_for(inventory, options, source="test")
    finally:
        for stubber in stubbers:
            stubber.deactivate()
        pool.shutdown()


def at(inventory: Inventory, check_ids: list[str], now: datetime, params: dict[str, dict[str, Any]] | None = None) -> Report:
    """The report for `inventory` as if it had been collected at `now`."""
    shifted = inventory.model_copy(update={"metadata": inventory.metadata.model_copy(update={"collected_at": now})})
    checks = select_checks(load_checks(), provider="aws", ids=check_ids)
    return report_for(shifted, ScanOptions(checks=checks, params=params or {}), source="test")


def inventory_of(aws_inventory: Any, keys: list[str], regions: tuple[str, ...] = ("us-east-1",)) -> Inventory:
    """An inventory built directly from models, every key collected in every region: for states
    moto cannot produce (an AWS-managed KMS key, say)."""

    from scanner.models.common import Coverage, CoverageState
    from scanner.models.inventory import Identity, InventoryMetadata

    metadata = InventoryMetadata(
        tool_version="test",
        provider="aws",
        collected_at=datetime(2026, 1, 15, tzinfo=UTC),
        identity=Identity(account="123456789012", partition="aws"),
        regions=list(regions),
    )
    coverage = [Coverage(key=key, scope=region, state=CoverageState.COLLECTED) for key in keys for region in regions]
    return Inventory(metadata=metadata, coverage=coverage, aws=aws_inventory)
