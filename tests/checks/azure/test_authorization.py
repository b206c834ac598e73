"""RBAC: custom roles with owner rights."""

from __future__ import annotations

from tests.azure_fixtures import PROD
from tests.conftest import verdicts


def test_custom_owner_roles(azure):
    report = azure.scan("azure.authorization.no_custom_owner_roles")
    assert verdicts(report, "azure.authorization.no_custom_owner_roles") == {
        ("5d6f7a8b-1111-4a2b-9c3d-000000000001", "PASS"),
        ("5d6f7a8b-2222-4a2b-9c3d-000000000002", "FAIL"),
    }
    failed = next(f for f in report.findings if f.status.value == "FAIL")
    assert failed.message.startswith("custom role 'Legacy Subscription Admin' allows '*'")
    # The list is filtered server-side to custom roles.
    assert any(r.query.get("$filter") == "type eq 'CustomRole'" for r in azure.cloud.requests if r.path.endswith("/roleDefinitions"))


def test_role_definitions_denied(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleDefinitions", "denied", action="Microsoft.Authorization/roleDefinitions/read")
    report = azure.scan("azure.authorization.no_custom_owner_roles")
    assert verdicts(report, "azure.authorization.no_custom_owner_roles") == {
        (f"azure {PROD}", "ERROR"),
        ("5d6f7a8b-2222-4a2b-9c3d-000000000002", "FAIL"),
    }
