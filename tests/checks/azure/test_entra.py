"""Entra ID checks through Microsoft Graph on the fake cloud: security defaults, Conditional Access,
MFA registration, role assignments, guest settings."""

from __future__ import annotations

import json

from scanner.demo.azure import DEMO_TENANT
from scanner.fakecloud.azure import scenario_dir
from scanner.fakecloud.server import Route
from scanner.models.common import Status
from tests.azure_fixtures import GRAPH
from tests.conftest import finding, verdicts

TENANT_NAME = f"account {DEMO_TENANT}"
CA_PATH = f"{GRAPH}/identity/conditionalAccess/policies"
GA = "62e90394-69f5-4237-9190-012177145e10"


def _fixture(name: str) -> dict:
    return json.loads((scenario_dir("demo") / "graph" / name).read_text())


def _ca(policies: list[dict]) -> dict:
    return {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/conditionalAccess/policies", "value": policies}


def _enforce_all_users_policy(apps: list[str]) -> dict:
    policies = _fixture("conditional-access-policies.json")["value"]
    pilot = json.loads(json.dumps(policies[2]))
    pilot["state"] = "enabled"
    pilot["conditions"]["applications"]["includeApplications"] = apps
    return _ca([policies[0], policies[1], pilot])


def test_mfa_for_all_users_and_azure_management(azure):
    checks = ("azure.entra.mfa_required_for_all_users", "azure.entra.ca_mfa_for_azure_management")
    demo = azure.scan(*checks)  # the all-users policy is report-only in the demo
    assert verdicts(demo, "azure.entra.mfa_required_for_all_users") == {(TENANT_NAME, "FAIL")}
    assert verdicts(demo, "azure.entra.ca_mfa_for_azure_management") == {(TENANT_NAME, "FAIL")}
    assert finding(demo, "azure.entra.mfa_required_for_all_users", TENANT_NAME).evidence["report_only_policies"] == [
        "CA003: Require MFA for all users (pilot)"
    ]

    azure.body(CA_PATH, _enforce_all_users_policy(["All"]))
    enforced = azure.scan(*checks)
    assert verdicts(enforced, "azure.entra.mfa_required_for_all_users") == {(TENANT_NAME, "PASS")}
    assert verdicts(enforced, "azure.entra.ca_mfa_for_azure_management") == {(TENANT_NAME, "PASS")}

    azure.body(CA_PATH, _enforce_all_users_policy(["797f4846-ba00-4fd7-ba43-dac1f8f63013"]))
    management_only = azure.scan(*checks)
    assert verdicts(management_only, "azure.entra.mfa_required_for_all_users") == {(TENANT_NAME, "FAIL")}
    assert verdicts(management_only, "azure.entra.ca_mfa_for_azure_management") == {(TENANT_NAME, "PASS")}


def test_admin_mfa_and_legacy_auth(azure):
    checks = ("azure.entra.ca_mfa_for_admins", "azure.entra.ca_blocks_legacy_auth")
    demo = azure.scan(*checks)
    assert verdicts(demo, "azure.entra.ca_mfa_for_admins") == {(TENANT_NAME, "PASS")}
    assert verdicts(demo, "azure.entra.ca_blocks_legacy_auth") == {(TENANT_NAME, "PASS")}

    # Only the report-only policy left: neither admins nor legacy clients are covered.
    azure.body(CA_PATH, _ca([_fixture("conditional-access-policies.json")["value"][2]]))
    weak = azure.scan(*checks)
    assert verdicts(weak, "azure.entra.ca_mfa_for_admins") == {(TENANT_NAME, "FAIL")}
    assert verdicts(weak, "azure.entra.ca_blocks_legacy_auth") == {(TENANT_NAME, "FAIL")}


def test_security_defaults_satisfy_the_conditional_access_checks(azure):
    defaults = _fixture("security-defaults.json") | {"isEnabled": True}
    azure.body(f"{GRAPH}/policies/identitySecurityDefaultsEnforcementPolicy", defaults)
    azure.body(CA_PATH, _ca([]))
    checks = ("azure.entra.mfa_required_for_all_users", "azure.entra.ca_mfa_for_admins", "azure.entra.ca_mfa_for_azure_management", "azure.entra.ca_blocks_legacy_auth")
    report = azure.scan(*checks)
    for check_id in checks:
        assert {f.status for f in report.findings if f.check_id == check_id} == {Status.PASS}, check_id
    assert "security defaults are enabled" in finding(report, "azure.entra.ca_mfa_for_admins", TENANT_NAME).message


def test_tenant_without_premium_licence_has_no_conditional_access(azure):
    """Graph answers 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant to a free tenant: that
    is "no policies" (a value), so only security defaults can satisfy the MFA checks."""
    body = {"error": {"code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "message": "Tenant is not a B2C tenant and doesn't have premium license"}}
    azure.add(Route("GET", CA_PATH, status=403, body=body))
    report = azure.scan("azure.entra.ca_mfa_for_admins")
    assert verdicts(report, "azure.entra.ca_mfa_for_admins") == {(TENANT_NAME, "FAIL")}
    assert report.collection_errors == []


def test_mfa_registration(azure):
    checks = ("azure.entra.privileged_users_mfa_registered", "azure.entra.users_mfa_registered")
    report = azure.scan(*checks)
    assert verdicts(report, "azure.entra.privileged_users_mfa_registered") == {
        ("alice.admin@contoso.example", "PASS"),
        ("breakglass@contoso.example", "PASS"),
        ("bob.admin@contoso.example", "FAIL"),
    }
    # carol has a directory role that is not privileged, so she counts as a member; frank is a guest.
    assert verdicts(report, "azure.entra.users_mfa_registered") == {(TENANT_NAME, "FAIL")}
    evidence = finding(report, "azure.entra.users_mfa_registered", TENANT_NAME).evidence
    assert evidence == {"members": 3, "registered_percent": 66.7, "unregistered": ["dave@contoso.example"]}

    lenient = azure.scan(*checks, params={"azure.entra.users_mfa_registered": {"min_percent": 60}})
    assert verdicts(lenient, "azure.entra.users_mfa_registered") == {(TENANT_NAME, "PASS")}
    # 7 users are served two per page: the @odata.nextLink chain was followed to the end.
    assert azure.calls("/userRegistrationDetails") == 8


def test_global_admin_count(azure):
    report = azure.scan("azure.entra.global_admins_limited")
    assert verdicts(report, "azure.entra.global_admins_limited") == {(TENANT_NAME, "PASS")}
    strict = azure.scan("azure.entra.global_admins_limited", params={"azure.entra.global_admins_limited": {"max_global_admins": 2}})
    assert verdicts(strict, "azure.entra.global_admins_limited") == {(TENANT_NAME, "FAIL")}
    assert len(finding(strict, "azure.entra.global_admins_limited", TENANT_NAME).evidence["global_admins"]) == 3


def test_guest_settings(azure):
    checks = ("azure.entra.guest_invites_restricted", "azure.entra.guest_access_restricted")
    demo = azure.scan(*checks)
    assert verdicts(demo, "azure.entra.guest_invites_restricted") == {("authorization policy", "FAIL")}
    assert verdicts(demo, "azure.entra.guest_access_restricted") == {("authorization policy", "FAIL")}
    policy = _fixture("authorization-policy.json") | {"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b"}
    azure.body(f"{GRAPH}/policies/authorizationPolicy", policy)
    hardened = azure.scan(*checks)
    assert verdicts(hardened, "azure.entra.guest_invites_restricted") == {("authorization policy", "PASS")}
    assert verdicts(hardened, "azure.entra.guest_access_restricted") == {("authorization policy", "PASS")}


def test_graph_permission_denied_is_error_never_pass(azure):
    azure.error(f"{GRAPH}/reports/authenticationMethods/userRegistrationDetails", "graph_denied")
    report = azure.scan("azure.entra.privileged_users_mfa_registered", "azure.entra.global_admins_limited")
    denied = finding(report, "azure.entra.privileged_users_mfa_registered", TENANT_NAME)
    assert denied.status == Status.ERROR
    assert "access denied to entra:userRegistrationDetails.list in the tenant (Authorization_RequestDenied)" in denied.message
    assert verdicts(report, "azure.entra.global_admins_limited") == {(TENANT_NAME, "PASS")}  # the other Graph reads proceed


def test_graph_throttling_after_retries_is_error(azure):
    azure.error(f"{GRAPH}/roleManagement/directory/roleAssignments", "throttled")
    report = azure.scan("azure.entra.global_admins_limited", retry_total=1)
    assert verdicts(report, "azure.entra.global_admins_limited") == {(TENANT_NAME, "ERROR")}
    assert "throttled on entra:roleAssignments.list in the tenant after retries (TooManyRequests)" in report.findings[0].message
    assert azure.calls("/roleAssignments") == 2  # the SDK retry policy honoured Retry-After and tried again
