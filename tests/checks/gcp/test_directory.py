"""Cloud Identity 2SV through the Admin SDK Directory API on the fake server."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts


def test_users_2sv_enforced_and_admins_enrolled(gcp):
    report = gcp.scan("gcp.directory.users_2sv_enforced", "gcp.directory.admins_2sv_enrolled")
    assert verdicts(report, "gcp.directory.users_2sv_enforced") == {
        ("admin@acme.example", "PASS"),
        ("auditor@acme.example", "PASS"),
        ("dana@acme.example", "PASS"),
        ("dev@acme.example", "FAIL"),
        ("sam@acme.example", "FAIL"),
        ("ops-breakglass@acme.example", "FAIL"),
    }  # former@ is suspended: not evaluated
    assert verdicts(report, "gcp.directory.admins_2sv_enrolled") == {
        ("admin@acme.example", "PASS"),
        ("ops-breakglass@acme.example", "FAIL"),
    }
    assert finding(report, "gcp.directory.users_2sv_enforced", "dev@acme.example").message == "isEnforcedIn2Sv is false (enrolled: true)"
    assert report.metadata.api_calls["admin:users.list"] == 4  # 7 users, 2 per page: nextPageToken followed


def test_directory_not_readable_is_unknown_with_the_manual_evidence(gcp):
    gcp.fail("/admin/directory/v1/users", "permission_denied", service="admin.googleapis.com")
    report = gcp.scan("gcp.directory.users_2sv_enforced")
    [only] = report.findings
    assert only.status == Status.UNKNOWN and only.resource_name == "directory C03az79cb"
    assert "access denied to admin:users.list" in only.message
    assert "collect manually" in only.message and "2-Step Verification" in only.message


def test_directory_api_disabled_is_unknown_and_throttling_is_error(gcp):
    gcp.fail("/admin/directory/v1/users", "service_disabled", service="admin.googleapis.com")
    report = gcp.scan("gcp.directory.admins_2sv_enrolled")
    assert {f.status for f in report.findings} == {Status.UNKNOWN}
    assert "admin.googleapis.com is not enabled" in report.findings[0].message

    gcp.fail("/admin/directory/v1/users", "resource_exhausted", service="admin.googleapis.com")
    report = gcp.scan("gcp.directory.admins_2sv_enrolled")
    assert [(f.status, f.resource_name) for f in report.findings] == [(Status.ERROR, "account 104729")]
    assert "throttled on admin:users.list in the organization after retries (RESOURCE_EXHAUSTED)" in report.findings[0].message
