"""Cloud Storage checks: bucket settings from buckets.list, IAM from buckets.getIamPolicy."""

from __future__ import annotations

from tests.conftest import finding, verdicts


def test_bucket_encryption_access_and_public_bindings(gcp):
    report = gcp.scan("gcp.storage.bucket_cmek", "gcp.storage.bucket_uniform_access", "gcp.storage.bucket_not_public")
    assert verdicts(report, "gcp.storage.bucket_cmek") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-data-raw", "PASS"),
        ("acme-prod-web-assets", "FAIL"), ("acme-data-exports", "FAIL"), ("acme-sandbox-scratch", "FAIL")}
    assert verdicts(report, "gcp.storage.bucket_uniform_access") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-prod-web-assets", "PASS"), ("acme-data-raw", "PASS"),
        ("acme-data-exports", "FAIL"), ("acme-sandbox-scratch", "FAIL")}
    assert verdicts(report, "gcp.storage.bucket_not_public") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-data-exports", "PASS"), ("acme-sandbox-scratch", "PASS"),
        ("acme-prod-web-assets", "FAIL"), ("acme-data-raw", "FAIL")}
    assert finding(report, "gcp.storage.bucket_not_public", "acme-data-raw").message == (
        "public IAM bindings: allAuthenticatedUsers (roles/storage.legacyObjectReader)")
    relaxed = gcp.scan("gcp.storage.bucket_cmek", params={"gcp.storage.bucket_cmek": {"require_cmek": False}})
    assert {f.status.value for f in relaxed.findings} == {"PASS"}


def test_bucket_versioning_soft_delete_and_retention(gcp):
    report = gcp.scan("gcp.storage.bucket_versioning", "gcp.storage.bucket_soft_delete", "gcp.storage.bucket_retention_policy")
    assert verdicts(report, "gcp.storage.bucket_versioning") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-data-exports", "PASS"), ("acme-data-raw", "PASS"),
        ("acme-prod-web-assets", "FAIL"), ("acme-sandbox-scratch", "FAIL")}
    assert verdicts(report, "gcp.storage.bucket_soft_delete") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-prod-web-assets", "PASS"), ("acme-data-raw", "PASS"),
        ("acme-data-exports", "FAIL"), ("acme-sandbox-scratch", "FAIL")}
    assert verdicts(report, "gcp.storage.bucket_retention_policy") == {
        ("acme-prod-audit-logs", "PASS"), ("acme-data-exports", "PASS"),
        ("acme-prod-web-assets", "FAIL"), ("acme-data-raw", "FAIL"), ("acme-sandbox-scratch", "FAIL")}
    locked = gcp.scan("gcp.storage.bucket_retention_policy", params={"gcp.storage.bucket_retention_policy": {
        "require_locked": True, "buckets": ["acme-prod-audit-logs", "acme-data-exports"]}})
    assert verdicts(locked, "gcp.storage.bucket_retention_policy") == {("acme-prod-audit-logs", "PASS"), ("acme-data-exports", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    assert finding(locked, "gcp.storage.bucket_retention_policy", "acme-data-exports").message == "retention policy of 30 days is not locked"


def test_denied_bucket_policy_is_error_for_that_bucket_only(gcp):
    gcp.fail("/storage/v1/b/acme-prod-web-assets/iam", "permission_denied", project="acme-prod", service="storage.googleapis.com")
    report = gcp.scan("gcp.storage.bucket_not_public", "gcp.storage.bucket_versioning")
    assert finding(report, "gcp.storage.bucket_not_public", "acme-prod-web-assets").status.value == "ERROR"
    assert finding(report, "gcp.storage.bucket_versioning", "acme-prod-web-assets").status.value == "FAIL"  # does not read the policy
    assert finding(report, "gcp.storage.bucket_not_public", "acme-data-raw").status.value == "FAIL"
