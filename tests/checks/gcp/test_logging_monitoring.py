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
    assert verdicts(report, "gcp.monitoring.alert_custom_role_changes") == {("acme-prod", "PASS"), ("acme-data", "PASS"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_firewall_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_network_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_route_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.monitoring.alert_sql_config_changes") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    # acme-data has the firewall metric, but its alerting policy is disabled
    assert finding(report, "gcp.monitoring.alert_firewall_changes", "acme-data").message == (
        "log metric firewall-changes has no enabled alerting policy")
    # acme-sandbox's log-match alert on route changes is disabled
    assert finding(report, "gcp.monitoring.alert_route_changes", "acme-sandbox").message == (
        "no log-based metric or log-matching alert catches VPC route changes")
    # acme-data's ownership alert is a PromQL condition on the metric's PromQL name
    assert finding(report, "gcp.monitoring.alert_project_ownership_changes", "acme-data").message == (
        "log metric project-ownership-changes alerts through policy 'project-ownership-changes alert'")
    # acme-data catches custom role changes with a SQL (Log Analytics) condition, no metric needed
    assert finding(report, "gcp.monitoring.alert_custom_role_changes", "acme-data").message == (
        "alerting policy 'custom-role-changes (Log Analytics)' matches custom IAM role changes in its SQL condition")


def _policy(number: int, condition: dict, enabled: bool = True) -> dict:
    record = {"mutateTime": "2025-02-12T09:30:00Z", "mutatedBy": "secops@acme.example"}
    return {"name": f"projects/acme-data/alertPolicies/{number}", "displayName": f"policy-{number}", "combiner": "OR",
            "enabled": enabled, "conditions": [{"name": f"projects/acme-data/alertPolicies/{number}/conditions/1",
                                                "displayName": "c", **condition}],
            "creationRecord": record, "mutationRecord": record}


def test_alert_conditions_in_every_language(gcp):
    """Threshold filters, MQL, PromQL (legacy metric names and quoted UTF-8 names), log-match filters
    and SQL are all read; a metric whose name merely starts with the watched one does not count."""
    metric = "logging.googleapis.com/user/firewall-changes"
    cases = {
        "filter": {"conditionThreshold": {"filter": f'metric.type = "{metric}"', "comparison": "COMPARISON_GT", "duration": "0s"}},
        "mql": {"conditionMonitoringQueryLanguage": {"query": f"fetch global | metric '{metric}' | every 1m | condition val() > 0",
                                                     "duration": "0s"}},
        "promql": {"conditionPrometheusQueryLanguage": {"query": "increase(logging_googleapis_com:user_firewall_changes[5m]) > 0"}},
        "promql-utf8": {"conditionPrometheusQueryLanguage": {"query": f'increase({{"__name__"="{metric}"}}[5m]) > 0'}},
        "promql-longer-name": {"conditionPrometheusQueryLanguage": {"query": "increase(logging_googleapis_com:user_firewall_changes_v2[5m]) > 0"}},
        "filter-longer-name": {"conditionThreshold": {"filter": f'metric.type = "{metric}-v2"', "comparison": "COMPARISON_GT"}},
        "sql-other-change": {"conditionSql": {"query": "SELECT * FROM `acme-data.global._Default._AllLogs` WHERE resource.type = 'gce_route'",
                                              "minutes": {"periodicity": 5}, "rowCountTest": {"comparison": "COMPARISON_GT", "threshold": "0"}}},
        "log-match": {"conditionMatchedLog": {"filter": 'resource.type="gce_firewall_rule" AND (protoPayload.methodName:"compute.firewalls.patch" '
                                                        'OR protoPayload.methodName:"compute.firewalls.insert" OR '
                                                        'protoPayload.methodName:"compute.firewalls.delete")'}},
    }
    seen = {}
    for number, (case, condition) in enumerate(cases.items(), start=5000):
        gcp.add(Route("GET", "/v3/projects/acme-data/alertPolicies", body={"alertPolicies": [_policy(number, condition)]},
                      paging="alertPolicies", paging_style="google"))
        report = gcp.scan("gcp.monitoring.alert_firewall_changes")
        seen[case] = finding(report, "gcp.monitoring.alert_firewall_changes", "acme-data").status.value
    assert seen == {"filter": "PASS", "mql": "PASS", "promql": "PASS", "promql-utf8": "PASS", "promql-longer-name": "FAIL",
                    "filter-longer-name": "FAIL", "sql-other-change": "FAIL", "log-match": "PASS"}


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
