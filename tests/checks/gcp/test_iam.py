"""Service-account keys and project IAM bindings."""

from __future__ import annotations

from scanner.fakecloud.server import Route
from tests.conftest import finding, verdicts


def test_user_managed_keys_and_their_age(gcp):
    report = gcp.scan("gcp.iam.no_user_managed_sa_keys", "gcp.iam.sa_key_rotated")
    assert verdicts(report, "gcp.iam.no_user_managed_sa_keys") == {
        ("app@acme-prod.iam.gserviceaccount.com", "PASS"),
        ("trustscan@acme-prod.iam.gserviceaccount.com", "PASS"),
        ("410000000002-compute@developer.gserviceaccount.com", "PASS"),
        ("deployer@acme-prod.iam.gserviceaccount.com", "FAIL"),
        ("legacy-etl@acme-data.iam.gserviceaccount.com", "FAIL"),
        ("sandbox-bot@acme-sandbox.iam.gserviceaccount.com", "FAIL"),
    }
    assert verdicts(report, "gcp.iam.sa_key_rotated") == {
        ("deployer@acme-prod.iam.gserviceaccount.com", "PASS"),
        ("sandbox-bot@acme-sandbox.iam.gserviceaccount.com", "PASS"),
        ("legacy-etl@acme-data.iam.gserviceaccount.com", "FAIL"),
    }
    assert "400 days old (limit 90)" in finding(report, "gcp.iam.sa_key_rotated", "legacy-etl@acme-data.iam.gserviceaccount.com").message
    strict = gcp.scan("gcp.iam.sa_key_rotated", params={"gcp.iam.sa_key_rotated": {"max_age_days": 20}})
    assert verdicts(strict, "gcp.iam.sa_key_rotated") == {
        ("deployer@acme-prod.iam.gserviceaccount.com", "FAIL"),
        ("sandbox-bot@acme-sandbox.iam.gserviceaccount.com", "PASS"),
        ("legacy-etl@acme-data.iam.gserviceaccount.com", "FAIL"),
    }


def test_denied_key_listing_is_error_for_that_account_only(gcp):
    email = "legacy-etl@acme-data.iam.gserviceaccount.com"
    gcp.fail(f"/v1/projects/acme-data/serviceAccounts/{email}/keys", "permission_denied", service="iam.googleapis.com")
    report = gcp.scan("gcp.iam.no_user_managed_sa_keys")
    legacy = finding(report, "gcp.iam.no_user_managed_sa_keys", email)
    assert legacy.status.value == "ERROR" and "access denied to iam:projects.serviceAccounts.keys.list" in legacy.message
    assert finding(report, "gcp.iam.no_user_managed_sa_keys", "deployer@acme-prod.iam.gserviceaccount.com").status.value == "FAIL"


def test_service_accounts_primitive_roles_and_impersonation(gcp):
    checks = ("gcp.resourcemanager.sa_no_admin_roles", "gcp.resourcemanager.no_primitive_roles_for_users",
              "gcp.resourcemanager.no_sa_user_at_project", "gcp.kms.separation_of_duties")
    report = gcp.scan(*checks)
    assert verdicts(report, "gcp.resourcemanager.sa_no_admin_roles") == {
        ("acme-prod", "PASS"), ("acme-sandbox", "PASS"), ("acme-data", "FAIL")}
    assert verdicts(report, "gcp.resourcemanager.no_primitive_roles_for_users") == {
        ("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.resourcemanager.no_sa_user_at_project") == {
        ("acme-prod", "PASS"), ("acme-sandbox", "PASS"), ("acme-data", "FAIL")}
    assert verdicts(report, "gcp.kms.separation_of_duties") == {
        ("acme-prod", "PASS"), ("acme-sandbox", "PASS"), ("acme-data", "FAIL")}
    assert "serviceAccount:410000000002-compute@developer.gserviceaccount.com (roles/editor)" in finding(
        report, "gcp.resourcemanager.sa_no_admin_roles", "acme-data").message
    assert finding(report, "gcp.kms.separation_of_duties", "acme-data").evidence == {"members": ["user:ops@acme.example"]}
    allowed = gcp.scan("gcp.resourcemanager.no_primitive_roles_for_users", params={
        "gcp.resourcemanager.no_primitive_roles_for_users": {"allowed_members": ["user:sam@acme.example"]}})
    assert verdicts(allowed, "gcp.resourcemanager.no_primitive_roles_for_users") == {
        ("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "PASS")}


def test_unreadable_project_policy_is_error_not_pass(gcp):
    gcp.fail("/v3/projects/acme-prod:getIamPolicy", "permission_denied", project="acme-prod",
             service="cloudresourcemanager.googleapis.com", method="POST")
    report = gcp.scan("gcp.resourcemanager.sa_no_admin_roles")
    prod = finding(report, "gcp.resourcemanager.sa_no_admin_roles", "acme-prod")
    assert prod.status.value == "ERROR"
    assert "access denied to cloudresourcemanager:projects.getIamPolicy in project acme-prod" in prod.message


def test_a_conditional_binding_still_counts(gcp):
    gcp.add(Route("POST", "/v3/projects/acme-sandbox:getIamPolicy", body={"version": 3, "etag": "BwYjT0bTkFw=", "bindings": [
        {"role": "roles/editor", "members": ["serviceAccount:ci@acme-sandbox.iam.gserviceaccount.com"],
         "condition": {"title": "until 2027", "expression": "request.time < timestamp('2027-01-01T00:00:00Z')"}}]}))
    report = gcp.scan("gcp.resourcemanager.sa_no_admin_roles")
    assert finding(report, "gcp.resourcemanager.sa_no_admin_roles", "acme-sandbox").status.value == "FAIL"
