"""Azure SQL checks: servers (TLS, TDE protector, auditing) and databases (TDE, LTR, backup redundancy)."""

from __future__ import annotations

from scanner.models.common import Status
from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

PROD_SERVER = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.Sql/servers/sql-contoso-prod"
DEV_SERVER = f"{rg(DEV, 'rg-contoso-dev')}/providers/Microsoft.Sql/servers/sql-contoso-dev"
MASTER_SETTINGS = f"{PROD_SERVER}/databases/master/providers/Microsoft.Insights/diagnosticSettings"


def test_server_checks(azure):
    report = azure.scan("azure.sql.min_tls_1_2", "azure.sql.tde_protector_cmk", "azure.sql.auditing_enabled", "azure.sql.audit_retention")
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.tde_protector_cmk") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.auditing_enabled") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    # dev has auditing off. prod audits to Log Analytics only (retentionDays 0, no storage endpoint): the
    # records are kept for the workspace's 365 days, not "unlimited".
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    kept = finding(report, "azure.sql.audit_retention", "sql-contoso-prod")
    assert kept.message == "audit records in Log Analytics workspace log-contoso-prod are kept 365 days"
    strict = azure.scan("azure.sql.audit_retention", params={"azure.sql.audit_retention": {"min_days": 400}})
    assert verdicts(strict, "azure.sql.audit_retention") == {("sql-contoso-prod", "FAIL"), (f"azure {DEV}", "NOT_APPLICABLE")}
    lenient = azure.scan("azure.sql.tde_protector_cmk", params={"azure.sql.tde_protector_cmk": {"require_cmk": False}})
    assert verdicts(lenient, "azure.sql.tde_protector_cmk") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "PASS")}


def test_database_checks_skip_master(azure):
    report = azure.scan("azure.sql.tde_enabled", "azure.sql.database_ltr", "azure.sql.database_geo_backup")
    assert verdicts(report, "azure.sql.tde_enabled") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "PASS")}
    assert verdicts(report, "azure.sql.database_ltr") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "FAIL")}
    assert verdicts(report, "azure.sql.database_geo_backup") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "PASS")}
    assert finding(report, "azure.sql.database_ltr", "appdb").evidence == {"monthly": "P12M", "weekly": "P12W", "yearly": "P5Y"}
    assert azure.calls("/databases/master/") == 0


def test_denied_auditing_getter_is_error_for_that_server_only(azure):
    azure.error(f"{PROD_SERVER}/auditingSettings/default", "denied", action="Microsoft.Sql/servers/auditingSettings/read")
    report = azure.scan("azure.sql.auditing_enabled", "azure.sql.audit_retention", "azure.sql.min_tls_1_2")
    assert verdicts(report, "azure.sql.auditing_enabled") == {("sql-contoso-prod", "ERROR"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "ERROR"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert "access denied to sql:serverBlobAuditingPolicies.get" in finding(report, "azure.sql.auditing_enabled", "sql-contoso-prod").message


def test_sql_not_registered_is_not_applicable(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Sql/servers", "not_registered", action="Microsoft.Sql")
    report = azure.scan("azure.sql.min_tls_1_2")
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    na = finding(report, "azure.sql.min_tls_1_2", f"azure {DEV}")
    assert na.message == f"the resource provider for sql is not registered in subscription {DEV} (MissingSubscriptionRegistration)"
    assert not report.collection_errors
    assert azure.calls("/providers/Microsoft.Sql/register", method="POST") == 0  # the SDK's auto-registration is off
    assert not [f for f in report.findings if f.account == DEV and f.status == Status.PASS]


def _auditing(azure, **properties):
    body = next(r.body for r in azure.cloud.routes if r.path.lower() == f"{PROD_SERVER}/auditingSettings/default".lower())
    azure.body(f"{PROD_SERVER}/auditingSettings/default", {**body, "properties": {**body["properties"], **properties}})


def _master_settings(azure, **properties):
    body = next(r.body for r in azure.cloud.routes if r.path == MASTER_SETTINGS)
    setting = body["value"][0]
    azure.body(MASTER_SETTINGS, {"value": [{**setting, "properties": {**setting["properties"], **properties}}]})


def test_audit_retention_to_event_hub_only_is_unknown_never_unlimited(azure):
    """retentionDays is 0 when auditing goes to Azure Monitor only: that is no evidence of retention."""
    hub = f"/subscriptions/{PROD}/resourceGroups/rg-contoso-logs/providers/Microsoft.EventHub/namespaces/evh-contoso/authorizationRules/RootManageSharedAccessKey"
    _master_settings(azure, workspaceId=None, eventHubAuthorizationRuleId=hub, eventHubName="sql-audit")
    report = azure.scan("azure.sql.audit_retention", subscriptions=(PROD,))
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "UNKNOWN")}


def test_audit_retention_judged_per_destination(azure):
    # A workspace that keeps 30 days, in another subscription: each subscription is evaluated on its own
    # facts, so from the prod subscription the dev workspace's retention is unknown (never PASS).
    dev_workspace = f"/subscriptions/{DEV}/resourceGroups/rg-contoso-dev/providers/Microsoft.OperationalInsights/workspaces/log-contoso-dev"
    _master_settings(azure, workspaceId=dev_workspace)
    short = azure.scan("azure.sql.audit_retention")
    assert verdicts(short, "azure.sql.audit_retention") == {("sql-contoso-prod", "UNKNOWN"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert "log-contoso-dev is not known" in finding(short, "azure.sql.audit_retention", "sql-contoso-prod").message
    # A storage destination with retentionDays 0 keeps records indefinitely.
    _auditing(azure, storageEndpoint="https://stcontosologs.blob.core.windows.net/", retentionDays=0)
    both = azure.scan("azure.sql.audit_retention")
    assert verdicts(both, "azure.sql.audit_retention") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert "kept indefinitely" in finding(both, "azure.sql.audit_retention", "sql-contoso-prod").message
    # Storage for 30 days and no Azure Monitor target: FAIL.
    _auditing(azure, storageEndpoint="https://stcontosologs.blob.core.windows.net/", retentionDays=30, isAzureMonitorTargetEnabled=False)
    azure.cloud.requests.clear()
    storage = azure.scan("azure.sql.audit_retention")
    assert verdicts(storage, "azure.sql.audit_retention") == {("sql-contoso-prod", "FAIL"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert azure.calls("/databases/master/") == 0  # the master database's settings are read only for Azure Monitor targets


def test_audit_retention_without_any_destination_fails(azure):
    azure.body(MASTER_SETTINGS, {"value": []})
    report = azure.scan("azure.sql.audit_retention", subscriptions=(PROD,))
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "FAIL")}


def test_audit_destinations_denied_is_error(azure):
    azure.error(MASTER_SETTINGS, "denied", action="Microsoft.Insights/diagnosticSettings/read")
    report = azure.scan("azure.sql.audit_retention", "azure.sql.auditing_enabled", subscriptions=(PROD,))
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "ERROR")}
    assert verdicts(report, "azure.sql.auditing_enabled") == {("sql-contoso-prod", "PASS")}


def test_threat_detection(azure):
    report = azure.scan("azure.sql.threat_detection_enabled")
    assert verdicts(report, "azure.sql.threat_detection_enabled") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert finding(report, "azure.sql.threat_detection_enabled", "sql-contoso-dev").message == "security alert policy state is Disabled"
    policy = next(r.body for r in azure.cloud.routes if r.path == f"{PROD_SERVER}/securityAlertPolicies/Default")
    azure.body(f"{PROD_SERVER}/securityAlertPolicies/Default", {**policy, "properties": {**policy["properties"], "disabledAlerts": ["Sql_Injection"]}})
    partial = azure.scan("azure.sql.threat_detection_enabled", subscriptions=(PROD,))
    assert verdicts(partial, "azure.sql.threat_detection_enabled") == {("sql-contoso-prod", "FAIL")}
    assert "disables Sql_Injection" in finding(partial, "azure.sql.threat_detection_enabled", "sql-contoso-prod").message


def test_threat_detection_denied_is_error_for_that_server_only(azure):
    azure.error(f"{DEV_SERVER}/securityAlertPolicies/Default", "denied", action="Microsoft.Sql/servers/securityAlertPolicies/read")
    report = azure.scan("azure.sql.threat_detection_enabled", "azure.sql.min_tls_1_2")
    assert verdicts(report, "azure.sql.threat_detection_enabled") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "ERROR")}
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
