"""The Azure demo: the fake cloud server (scanner.fakecloud) on a loopback port over TLS, serving the
`fixtures/azure/demo` tenant (two subscriptions, a mix of compliant and non-compliant resources).
The real azure-identity credential and azure-mgmt-* clients scan it exactly as they would Azure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from scanner.fakecloud.server import FakeCloud

DEMO_TENANT = "7f3c1a52-5d1e-4c5b-9a7e-2b9d0c4e8a11"
DEMO_SUBSCRIPTIONS = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
PAGE_SIZE = 2  # every list with more than two items is paged with nextLink, as ARM does


@dataclass(frozen=True)
class DemoTenant:
    cloud: FakeCloud
    credential: Any
    tenant: str = DEMO_TENANT

    @property
    def endpoint_url(self) -> str:
        return self.cloud.url


def start_fake(scenario: str = "demo", page_size: int = PAGE_SIZE) -> FakeCloud:
    from scanner.fakecloud.azure import identity_routes, scenario_routes

    cloud = FakeCloud(tls=True, page_size=page_size)
    cloud.start()
    try:
        cloud.routes = scenario_routes(scenario, cloud) + identity_routes(cloud, DEMO_TENANT)
    except BaseException:
        cloud.stop()  # a bad replay directory: no server left running
        raise
    return cloud


@contextmanager
def demo_tenant(scenario: str = "demo") -> Iterator[DemoTenant]:
    from scanner.fakecloud.azure import credential

    cloud = start_fake(scenario)
    try:
        yield DemoTenant(cloud=cloud, credential=credential(cloud, DEMO_TENANT))
    finally:
        cloud.stop()
