"""Audit configs, sinks, log buckets, log-metric alerts, Cloud Asset API, Security Command Center."""

from __future__ import annotations

import pytest

from scanner.fakecloud.server import Route
from scanner.models.common import Status
from tests.conftest import finding, verdicts


def test_data_access_audit_logs_merge_organization_and_project(gcp):
    report = gcp.scan("gcp.logging.data_access_audit_logs")
    assert verdicts(report, "gcp.logging.data_access_audit_logs") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    # ADMIN_READ comes from the organization's allServices config
    assert finding(report, "gcp.logging.data_access_audit_logs", "acme-data").message == "allServices audit config lacks DATA_READ, DATA_WRITE"


def test_organization_audit_config_covers_every_project_and_exemptions_fail(gcp):
    gcp.add(Route("POST", "/v3/organizations/104729:getIamPolicy", body={"version": 1, "etag": "BwYjT0bTkFw=", "auditConfigs": [
        {"service": "allServices", "auditLogConfigs": [{"logType": "ADMIN_READ"}, {"logType": "DATA_WRITE"},
                                                       {"logType": "DATA_READ", "exemptedMembers": ["user:bulk-export@acme.example"]}]}]}))
    report = gcp.scan("gcp.logging.data_access_audit_logs")
    assert verdicts(report, "gcp.logging.data_access_audit_logs") == {("acme-prod", "FAIL"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    allowed = gcp.scan("gcp.logging.data_access_audit_logs", params={"gcp.logging.data_access_audit_logs": {"allow_exemptions": True}})
    assert verdicts(allowed, "gcp.logging.data_access_audit_logs") == {("acme-prod", "PASS"), ("acme-data", "PASS"), ("acme-sandbox", "PASS")}


def test_sinks_and_log_bucket_retention(gcp):
    report = gcp.scan("gcp.logging.sink_exports_all", "gcp.logging.bucket_retention")
    assert verdicts(report, "gcp.logging.sink_exports_all") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert "errors-to-bigquery (severity>=ERROR)" in finding(report, "gcp.logging.sink_exports_all", "acme-data").message
    assert verdicts(report, "gcp.logging.bucket_retention") == {
        ("acme-prod/_Default", "PASS"), ("acme-prod/audit-archive", "PASS"), ("acme-data/_Default", "FAIL"), ("acme-sandbox/_Default", "FAIL")}
    locked = gcp.scan("gcp.logging.bucket_retention", params={"gcp.logging.bucket_retention": {"min_days": 30, "require_locked": True}})
    assert verdicts(locked, "gcp.logging.bucket_retention") == {
        ("acme-prod/_Default", "FAIL"), ("acme-prod/audit-archive", "PASS"), ("acme-data/_Default", "FAIL"), ("acme-sandbox/_Default", "FAIL")}


def test_an_organization_sink_covers_every_project(gcp):
    gcp.add(Route("GET", "/v2/organizations/104729/sinks", body={"sinks": [
        {"name": "org-all", "destination": "storage.googleapis.com/acme-org-logs", "includeChildren": True,
         "writerIdentity": "serviceAccount:o@gcp-sa-logging.iam.gserviceaccount.com"}]}, paging="sinks", paging_style="google"))
    report = gcp.scan("gcp.logging.sink_exports_all")
    assert verdicts(report, "gcp.logging.sink_exports_all") == {("acme-prod", "PASS"), ("acme-data", "PASS"), ("acme-sandbox", "PASS")}


ALERTS = ["audit_config_changes", "bucket_iam_changes", "custom_role_changes", "firewall_changes", "network_changes",
          "route_changes", "sql_config_changes"]


def test_log_metric_alerts(gcp):
    report = gcp.scan(*[f"gcp.monitoring.alert_{a}" for a in ALERTS], "gcp.monitoring.alert_project_ownership_changes")
    assert verdicts(report, "gcp.monitoring.alert_project_ownership_changes") == {
        ("acme-prod", "PASS"), ("acme-data", "PASS"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_audit_config_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_bucket_iam_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_custom_role_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_firewall_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_network_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_route_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_sql_config_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    # acme-data has the firewall metric, but its alerting policy is disabled
    assert finding(report, "gcp.monitoring.alert_firewall_changes", "acme-data").message == (
        "log metric firewall-changes has no enabled alerting policy")
    assert finding(report, "gcp.monitoring.alert_route_changes", "acme-sandbox").message == "no log-based metric matches VPC route changes"


def test_cloud_asset_api_and_security_command_center(gcp):
    report = gcp.scan("gcp.serviceusage.cloud_asset_api_enabled", "gcp.securitycenter.scc_active")
    assert verdicts(report, "gcp.serviceusage.cloud_asset_api_enabled") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.securitycenter.scc_active") == {("Security Command Center (organizations/104729)", "PASS")}
    gcp.add(Route("GET", "/v1/organizations/104729/sources", body={}, paging="sources", paging_style="google"))
    inactive = gcp.scan("gcp.securitycenter.scc_active")
    assert verdicts(inactive, "gcp.securitycenter.scc_active") == {("Security Command Center (organizations/104729)", "FAIL")}


@pytest.mark.parametrize("kind", ["permission_denied", "service_disabled"])
def test_security_command_center_not_visible_is_unknown(gcp, kind):
    gcp.fail("/v1/organizations/104729/sources", kind, service="securitycenter.googleapis.com")
    report = gcp.scan("gcp.securitycenter.scc_active")
    [only] = report.findings
    assert only.status == Status.UNKNOWN and "not visible to this principal" in only.message
