"""GCP test session: the package's fake cloud server on 127.0.0.1, started once, serving the demo
organization's recorded-shape fixtures to the real Google clients (google-cloud-resource-manager
over REST, google-api-python-client with static discovery documents). Each test starts from the
scenario's routes and may override any answer (errors, paging, other data) with `gcp.add(...)`.

Server-side paging is on (2 items per page), so every list the collectors read follows
nextPageToken. No client class is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from scanner.collect.gcp._client import GcpApi, GcpCollection
from scanner.demo.gcp import DEMO_ORGANIZATION, error_body, scenario_routes
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.fakecloud.server import FakeCloud, Route
from scanner.models.inventory import Inventory
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from tests.gcp_discovery import route_problems

PAGE_SIZE = 2
PROJECT_NUMBERS = {"acme-prod": "410000000001", "acme-data": "410000000002", "acme-sandbox": "410000000003"}
API_TITLES = {
    "sqladmin.googleapis.com": "Cloud SQL Admin API",
    "compute.googleapis.com": "Compute Engine API",
    "storage.googleapis.com": "Cloud Storage JSON API",
}


@pytest.fixture(scope="session")
def gcp_cloud() -> Iterator[FakeCloud]:
    with FakeCloud([], page_size=PAGE_SIZE) as cloud:
        yield cloud


@pytest.fixture(scope="session")
def gcp_routes() -> list[Route]:
    return scenario_routes()


@dataclass
class GcpOrg:
    cloud: FakeCloud
    organization: str = DEMO_ORGANIZATION

    @property
    def url(self) -> str:
        return self.cloud.url

    def add(self, *routes: Route) -> None:
        """Override answers; a canned body must be one the real API could send (discovery schema)."""
        for route in routes:
            if route.handler is None:
                found = route_problems(route.method, route.path, route.status, route.body)
                assert not found, f"{route.method} {route.path}: " + "; ".join(found)
        self.cloud.add(*routes)

    def fail(self, path: str, kind: str, *, project: str = "acme-data", service: str = "example.googleapis.com",
             method: str = "GET", query: dict[str, str] | None = None, times: int | None = None) -> Route:
        """Answer `path` with a Google error body: permission_denied (403), service_disabled (403
        SERVICE_DISABLED) or resource_exhausted (429). With `times`, only the first N requests fail."""
        status = 429 if kind == "resource_exhausted" else 403
        body = error_body(kind, service=service, title=API_TITLES.get(service, service), number=PROJECT_NUMBERS.get(project, "0"),
                          permission="example.resources.list", resource=f"projects/{project}")
        route = Route(method, path, status=status, body=body, query=query or {})
        if times is not None:
            original = next(r for r in self.cloud.routes if r.matches(method, path, query or {}))
            seen = {"n": 0}

            def flaky(request: Any) -> tuple[int, Any]:
                seen["n"] += 1
                return (status, body) if seen["n"] <= times else (original.status, original.body)

            route = Route(method, path, query=query or {}, handler=flaky, paging=original.paging, paging_style=original.paging_style)
        self.add(route)
        return route

    def collection(self, pool: WorkPool, *, projects: list[str] | None = None, organization: str | None = DEMO_ORGANIZATION,
                   folder: str | None = None, retries: int = 1) -> GcpCollection:
        from google.auth.credentials import AnonymousCredentials

        api = GcpApi(pool, credentials=AnonymousCredentials(), endpoint_url=self.url, retries=retries, backoff=0.0, timeout=10)
        return GcpCollection(api, projects=projects, organization=organization, folder=folder)

    def collect(self, check_ids: list[str], *, params: dict[str, dict[str, Any]] | None = None, **where: Any) -> tuple[Inventory, Report]:
        checks = select_checks(load_checks(), provider="gcp", ids=check_ids)
        pool = WorkPool(8)
        try:
            options = ScanOptions(checks=checks, params=params or {})
            inventory = collect(self.collection(pool, **where), pool, options)
            return inventory, report_for(inventory, options, source="test")
        finally:
            pool.shutdown()

    def scan(self, *check_ids: str, **kwargs: Any) -> Report:
        return self.collect(list(check_ids), **kwargs)[1]


@pytest.fixture
def gcp(gcp_cloud: FakeCloud, gcp_routes: list[Route]) -> Iterator[GcpOrg]:
    """The demo organization, fresh for each test (routes reset, request log cleared)."""
    gcp_cloud.routes[:] = list(gcp_routes)
    gcp_cloud.requests.clear()
    gcp_cloud.unmatched.clear()
    yield GcpOrg(gcp_cloud)
    assert not gcp_cloud.unmatched, [f"{r.method} {r.path}?{r.query}" for r in gcp_cloud.unmatched]


def by_project(report: Report, project: str) -> set[tuple[str, str]]:
    """(resource name, status) of every finding in one project."""
    return {(f.resource_name, f.status.value) for f in report.findings if f.account == project}
