"""The Azure test session: the fake cloud (scanner.fakecloud) on 127.0.0.1 over TLS with a throwaway
CA, serving the demo tenant's fixtures; the real azure-identity credential and azure-mgmt-* clients
talk to it. Started once per session; each test gets the scenario's routes afresh and may override
any answer (an error, another body) with `azure.add(...)` / `azure.error(...)`.

Use from a conftest: `from tests.azure_fixtures import azure, azure_server  # noqa: F401`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from scanner.demo.azure import DEMO_SUBSCRIPTIONS, DEMO_TENANT, start_fake
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.fakecloud.server import FakeCloud, Route
from scanner.models.inventory import Inventory
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks

PROD, DEV = DEMO_SUBSCRIPTIONS
TENANT = DEMO_TENANT
GRAPH = "/v1.0"

ARM_ERRORS = {
    "denied": (403, "AuthorizationFailed", "The client 'trustscan' with object id '00000000-0000-0000-0000-00000000c11e' does not have "
               "authorization to perform action '{action}' over scope '{scope}' or the scope is invalid."),
    "not_registered": (409, "MissingSubscriptionRegistration", "The subscription is not registered to use namespace '{action}'. "
                       "See https://aka.ms/rps-not-found for how to register subscriptions."),
    "throttled": (429, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read."),
    "not_found": (404, "ResourceNotFound", "The Resource '{action}' under resource group 'rg' was not found."),
    "graph_denied": (403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
}


@pytest.fixture(scope="session")
def azure_server() -> Iterator[tuple[FakeCloud, list[Route]]]:
    cloud = start_fake("demo", page_size=2)
    try:
        yield cloud, list(cloud.routes)
    finally:
        cloud.stop()


# The ARM paths the fakes serve: subscriptions and what is below them, management groups.
ARM_PREFIXES = ("/subscriptions", "/providers/microsoft.management/")


@dataclass
class FakeAzure:
    cloud: FakeCloud
    credential: Any

    def add(self, *routes: Route) -> None:
        """Override answers. A successful ARM body a test adds is held to the SDK model of its
        api-version like the scenario's fixtures (tests/azure_schemas.py): a test cannot pass on a
        shape the real API would never send."""
        from tests import azure_schemas

        for route in routes:
            if route.status < 300 and route.body is not None and route.path.lower().startswith(ARM_PREFIXES):
                operation = azure_schemas.operation_for(route.path)
                assert operation is not None, f"no schema is known for {route.path}: add it to tests/azure_schemas.py"
                found = azure_schemas.body_problems(operation, route.query.get("api-version"), route.body)
                assert not found, f"{route.path}: the body is not what the API sends: {found}"
            elif route.status < 300 and route.body is not None and route.path.startswith(GRAPH):
                found = azure_schemas.graph_problems(route.path, route.body)
                assert not found, f"{route.path}: the body is not what Graph v1.0 sends: {found}"
        self.cloud.add(*routes)

    def error(self, path: str, kind: str, *, method: str = "GET", action: str = "", retry_after: str = "0") -> None:
        status, code, message = ARM_ERRORS[kind]
        headers = {"Retry-After": retry_after} if status == 429 else {}
        body = {"error": {"code": code, "message": message.format(action=action, scope=path)}}
        self.cloud.add(Route(method, path, status=status, body=body, headers=headers))

    def body(self, path: str, body: Any) -> None:
        self.add(Route("GET", path, body=body, paging="value" if isinstance(body, dict) and "value" in body else None,
                       paging_style="graph" if path.startswith(GRAPH) else "azure"))

    def collect(
        self,
        check_ids: list[str],
        *,
        subscriptions: tuple[str, ...] | None = (PROD, DEV),
        params: dict[str, dict[str, Any]] | None = None,
        retry_total: int = 0,
        workers: int = 8,
    ) -> tuple[Inventory, Report]:
        from scanner.providers import azure as provider

        checks = select_checks(load_checks(), provider="azure", ids=check_ids)
        pool = WorkPool(workers)
        try:
            collection = provider.open_collection(
                pool,
                subscriptions=",".join(subscriptions) if subscriptions else None,
                endpoint_url=self.cloud.url,
                credential=self.credential,
                connection_verify=self.cloud.ca_path,
                retry_total=retry_total,
                retry_backoff_factor=0.0,
            )
            options = ScanOptions(checks=checks, params=params or {})
            inventory = collect(collection, pool, options)
            return inventory, report_for(inventory, options, source="test")
        finally:
            pool.shutdown()

    def scan(self, *check_ids: str, **kwargs: Any) -> Report:
        return self.collect(list(check_ids), **kwargs)[1]

    def add_subscription(self, subscription: str, name: str, *, like: str = DEV) -> None:
        """Another enabled subscription of the tenant, holding a copy of `like`'s resources (every
        fixture answer under /subscriptions/<like>/ served again under the new id, ids inside the
        bodies rewritten), and listed by GET /subscriptions: a tenant of several subscriptions from
        recorded shapes."""
        import copy
        import json

        def renamed(value: Any) -> Any:
            return json.loads(json.dumps(value).replace(like, subscription)) if value is not None else None

        clones = [
            Route(r.method, r.path.replace(like, subscription), status=r.status, body=renamed(copy.deepcopy(r.body)),
                  headers=dict(r.headers), query=dict(r.query), paging=r.paging, paging_style=r.paging_style, handler=r.handler,
                  api_version=r.api_version)
            for r in self.cloud.routes
            if f"/subscriptions/{like}/".lower() in r.path.lower() and r.handler is None
        ]
        self.cloud.add(*clones)  # the scenario's bodies, already held to their models
        listing = next(r for r in self.cloud.routes if r.method == "GET" and r.path == "/subscriptions")
        entry = next(e for e in listing.body["value"] if e["subscriptionId"] == like)
        added = {**renamed(entry), "displayName": name, "state": "Enabled"}
        self.body("/subscriptions", {"value": [*listing.body["value"], added]})

    def calls(self, fragment: str, method: str = "GET") -> int:
        return self.cloud.calls(method, fragment)


@pytest.fixture
def azure(azure_server: tuple[FakeCloud, list[Route]]) -> Iterator[FakeAzure]:
    """The demo tenant with its fixtures; routes and the request log reset for each test."""
    from scanner.fakecloud.azure import credential

    cloud, routes = azure_server
    cloud.routes = list(routes)
    cloud.requests.clear()
    cloud.unmatched.clear()
    yield FakeAzure(cloud, credential(cloud, TENANT))


def rg(subscription: str, group: str) -> str:
    return f"/subscriptions/{subscription}/resourceGroups/{group}"
