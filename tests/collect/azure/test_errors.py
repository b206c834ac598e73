"""Errors are data, for every collector family at once: each subscription-level listing in one
subscription answers 403 AuthorizationFailed, 409 MissingSubscriptionRegistration or 429
TooManyRequests; every Graph read answers 403 or 429. Every check must then yield ERROR (or
NOT_APPLICABLE for an unregistered provider) with a reason for that scope, never PASS or FAIL,
while the other subscription is evaluated as usual."""

from __future__ import annotations

import pytest

from scanner.registry import load_checks, select_checks
from tests.azure_fixtures import DEV, GRAPH, PROD

ALL = [spec.id for spec in select_checks(load_checks(), provider="azure")]
SUBSCRIPTION_CHECKS = [c for c in ALL if not c.startswith("azure.entra.")]
EXPECTED = {"denied": "ERROR", "not_registered": "NOT_APPLICABLE", "throttled": "ERROR"}
REASON = {
    "denied": f"access denied to {{service}}:{{operation}} in subscription {DEV} (AuthorizationFailed)",
    "not_registered": "is not registered in subscription",
    "throttled": f"in subscription {DEV} after retries (TooManyRequests)",
}


def _listings(azure, prefix: str) -> list[str]:
    return sorted({r.path for r in azure.cloud.routes if r.path.startswith(prefix) and "{" not in r.path})


@pytest.mark.parametrize("kind", ["denied", "not_registered", "throttled"])
def test_every_subscription_collector_fails_closed(azure, kind):
    listings = _listings(azure, f"/subscriptions/{DEV}/providers/")
    assert len(listings) == 18  # every subscription-level listing the 23 subscription collectors start from
    for path in listings:
        azure.error(path, kind, action=path.split("/providers/")[1].split("/")[0])
    report = azure.scan(*SUBSCRIPTION_CHECKS)
    dev = [f for f in report.findings if f.account == DEV]
    prod = [f for f in report.findings if f.account == PROD]
    assert {f.check_id for f in dev} == set(SUBSCRIPTION_CHECKS)  # every check says something about DEV
    assert {f.status.value for f in dev} == {EXPECTED[kind]}, sorted({(f.check_id, f.status.value) for f in dev})
    assert all(f.resource_name == f"azure {DEV}" and f.message for f in dev)
    fragment = REASON[kind].split("{")[0] if "{" in REASON[kind] else REASON[kind]
    assert all(fragment in f.message for f in dev), sorted({f.message for f in dev})
    assert {f.status.value for f in prod} == {"PASS", "FAIL"}  # the other subscription proceeds
    if kind == "not_registered":
        assert report.collection_errors == []
    else:
        assert {e.scope for e in report.collection_errors} == {DEV}


@pytest.mark.parametrize("kind", ["graph_denied", "throttled"])
def test_every_graph_collector_fails_closed(azure, kind):
    for path in _listings(azure, GRAPH):
        azure.error(path, kind)
    entra = [c for c in ALL if c.startswith("azure.entra.")]
    report = azure.scan(*entra)
    assert {f.status.value for f in report.findings} == {"ERROR"}
    assert {f.check_id for f in report.findings} == set(entra)
    assert all("in the tenant" in f.message for f in report.findings)
