"""The Azure collection itself: sign-in against the fake authority, subscription enumeration,
error classification, the call cache, request counting, sovereign clouds, the snapshot round trip."""

from __future__ import annotations

import json

import pytest

from scanner.collect.azure._client import CLOUDS, AzureApi, AzureCollection
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, report_for
from scanner.errors import ConfigurationError
from scanner.models.common import CoverageState
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot
from tests.azure_fixtures import DEV, PROD, TENANT


def _collection(azure, **kwargs):
    pool = WorkPool(4)
    api = AzureApi(pool, credential=azure.credential, endpoint_url=azure.cloud.url, connection_verify=azure.cloud.ca_path, retry_total=0, **kwargs)
    return pool, api


def test_identity_and_subscriptions_from_the_real_sdks(azure):
    pool, api = _collection(azure)
    try:
        collection = AzureCollection(api)
    finally:
        pool.shutdown()
    assert collection.identity.account == TENANT  # the token's tid claim
    assert collection.identity.principal == "00000000-0000-0000-0000-00000000c11e"
    assert collection.identity.partition == "azure-public"
    assert collection.subscriptions == [PROD, DEV]  # the Disabled sandbox subscription is skipped
    # the tenant is the organization scope (Entra ID), each subscription a member scope
    assert [(s.kind, s.id) for s in collection.discover()] == [("organization", TENANT), ("subscription", PROD), ("subscription", DEV)]
    assert collection.member(collection.discover()[1]).scopes(True) == [PROD]
    assert collection.member(collection.discover()[0]).scopes(False) == ["global"]
    assert azure.calls("/subscriptions") == 2  # three subscriptions, two a page
    assert azure.calls("/oauth2/v2.0/token", method="POST") <= 1  # the token is cached by azure-identity


def test_no_readable_subscription_is_a_configuration_error(azure):
    azure.body("/subscriptions", {"value": []})
    pool, api = _collection(azure)
    try:
        with pytest.raises(ConfigurationError, match="can read no Azure subscription"):
            AzureCollection(api)
    finally:
        pool.shutdown()


def test_listing_subscriptions_denied_says_pass_subscriptions(azure):
    azure.error("/subscriptions", "denied", action="Microsoft.Resources/subscriptions/read")
    pool, api = _collection(azure)
    try:
        with pytest.raises(ConfigurationError, match=r"cannot list the subscriptions \(access denied .*\); pass --subscriptions"):
            AzureCollection(api)
    finally:
        pool.shutdown()


def test_sovereign_clouds_set_arm_graph_and_token_scopes():
    pool = WorkPool(1)
    try:
        api = AzureApi(pool, credential=object(), cloud="usgov")
        assert (api.arm_url, api.graph_url) == ("https://management.usgovcloudapi.net", "https://graph.microsoft.us")
        assert api.arm_scope == "https://management.usgovcloudapi.net/.default"
        assert api.graph_scope == "https://graph.microsoft.us/.default"
        china = AzureApi(pool, credential=object(), cloud="china")
        assert china.arm_url == "https://management.chinacloudapi.cn" and china.graph_url == "https://microsoftgraph.chinacloudapi.cn"
        assert CLOUDS["china"].authority == "login.chinacloudapi.cn"
        with pytest.raises(ConfigurationError, match="unknown cloud"):
            AzureApi(pool, credential=object(), cloud="moon")
    finally:
        pool.shutdown()


def test_calls_are_counted_per_operation_and_made_once(azure):
    # Two storage checks and one monitor check that also reads the storage accounts: one listing each.
    inventory, report = azure.collect(
        ["azure.storage.min_tls_1_2", "azure.storage.blob_versioning", "azure.monitor.activity_log_storage_private"]
    )
    calls = inventory.metadata.api_calls
    assert calls["storage:storageAccounts.list"] == 2  # one per subscription
    assert calls["storage:blobServices.getServiceProperties"] == 4  # one per account
    assert calls["monitor:diagnosticSettings.list"] == 2
    assert sum(1 for r in azure.cloud.requests if r.path.endswith("/providers/Microsoft.Storage/storageAccounts")) == 2
    assert sum(calls.values()) == len([r for r in azure.cloud.requests if "/oauth2/" not in r.path and "openid" not in r.path and r.path != "/subscriptions"])


def test_snapshot_scopes_and_snapshot_reevaluate_identically(azure):
    checks = ["azure.storage.min_tls_1_2", "azure.entra.global_admins_limited", "azure.backup.vm_protected"]
    snapshot, report = azure.collect(checks)
    meta = snapshot.metadata
    assert meta.provider == "azure" and meta.organization == TENANT and meta.regions == []
    assert meta.identity.account == TENANT  # the caller's tenant
    # one inventory per scope, sorted by id: the tenant (organization) and each subscription
    assert [(s.metadata.scope_kind, s.scope_id) for s in snapshot.scopes] == sorted(
        [("organization", TENANT), ("subscription", PROD), ("subscription", DEV)], key=lambda k: k[1]
    )
    scopes = {s.scope_id: s for s in snapshot.scopes}
    assert {(c.key, c.scope) for c in scopes[PROD].coverage} == {("azure.storage.accounts", PROD), ("azure.compute.virtual_machines", PROD),
                                                                ("azure.backup.protected_items", PROD)}
    assert {c.key for c in scopes[TENANT].coverage} == {"azure.entra.role_assignments"}  # organization collectors run once, there
    assert all(c.state == CoverageState.COLLECTED for c in snapshot.coverage)
    # Resources carry their subscription and location; tenant objects are global in the tenant.
    account = next(a for a in scopes[DEV].azure.storage.accounts if a.name == "stcontosodevaudit")
    assert (account.account, account.region, account.resource_group) == (DEV, "northeurope", "rg-contoso-dev")
    assert not scopes[PROD].azure.entra.role_assignments
    assert {(a.account, a.region) for a in scopes[TENANT].azure.entra.role_assignments} == {(TENANT, "global")}
    assert [(s.id, s.kind, s.state) for s in report.scopes] == [(s.scope_id, s.metadata.scope_kind, "scanned") for s in snapshot.scopes]

    from scanner.models.inventory import Snapshot

    text = dump_snapshot(snapshot)
    again = Snapshot.model_validate(json.loads(text))
    assert dump_snapshot(again) == text
    options = ScanOptions(checks=select_checks(load_checks(), provider="azure", ids=checks))
    first = report_for(snapshot, options, source="snapshot")
    second = report_for(again, options, source="snapshot")
    assert [f.model_dump() for f in first.findings] == [f.model_dump() for f in second.findings]
    assert [f.model_dump() for f in first.findings] == [f.model_dump() for f in report.findings]


def test_explicit_subscriptions_skip_enumeration(azure):
    report = azure.scan("azure.loganalytics.workspace_retention", subscriptions=(DEV,))
    assert {f.resource_name for f in report.findings} == {"log-contoso-dev"}
    assert azure.calls("/subscriptions", "GET") == sum(1 for r in azure.cloud.requests if r.path.startswith("/subscriptions/"))  # never the bare list
    assert not [r for r in azure.cloud.requests if r.path == "/subscriptions"]


def test_not_found_is_failed_with_the_reason(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.OperationalInsights/workspaces", "not_found", action="workspaces")
    inventory, report = azure.collect(["azure.loganalytics.workspace_retention"])
    [failed] = [c for c in inventory.coverage if c.state != CoverageState.COLLECTED]
    assert (failed.scope, failed.state, failed.error_code) == (PROD, CoverageState.FAILED, "ResourceNotFound")
    assert failed.reason.startswith(f"loganalytics:workspaces.list not found in subscription {PROD} (ResourceNotFound)")


def test_the_demo_requests_every_route_it_serves(azure):
    """The whole demo scan: every check, both subscriptions, paging on; nothing unmatched, nothing failed."""
    inventory, report = azure.collect([spec.id for spec in select_checks(load_checks(), provider="azure")], subscriptions=None, workers=16)
    assert azure.cloud.unmatched == []
    assert all(c.state == CoverageState.COLLECTED for c in inventory.coverage)
    assert {f.status.value for f in report.findings} == {"PASS", "FAIL", "NOT_APPLICABLE"}
    # Evaluated per subscription: a subscription without a check's resources says so (one per subscription)
    not_applicable = [f for f in report.findings if f.status.value == "NOT_APPLICABLE"]
    assert all(f.message.startswith("no ") and f.account in (PROD, DEV) and f.resource_id == f.account for f in not_applicable)
    served = {r.path.lower() for r in azure.cloud.routes if "{" not in r.path}
    requested = {r.path.lower() for r in azure.cloud.requests}
    assert served <= requested, sorted(served - requested)
