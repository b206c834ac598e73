"""Azure Monitor checks: activity log export and its storage, activity log alerts."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD
from tests.conftest import finding, verdicts

PROD_SUB, DEV_SUB = f"subscription {PROD}", f"subscription {DEV}"
ALERTS = (
    "azure.monitor.alert_policy_assignment",
    "azure.monitor.alert_nsg_changes",
    "azure.monitor.alert_security_solution",
    "azure.monitor.alert_sql_firewall",
)


def test_activity_log_export(azure):
    report = azure.scan("azure.monitor.activity_log_exported")
    assert verdicts(report, "azure.monitor.activity_log_exported") == {(PROD_SUB, "PASS"), (DEV_SUB, "FAIL")}
    assert finding(report, "azure.monitor.activity_log_exported", DEV_SUB).evidence["missing"] == ["Security", "Policy", "Alert"]
    azure.body(f"/subscriptions/{DEV}/providers/Microsoft.Insights/diagnosticSettings", {"value": []})
    none = azure.scan("azure.monitor.activity_log_exported")
    assert finding(none, "azure.monitor.activity_log_exported", DEV_SUB).message == "no diagnostic setting exports the activity log"


def test_activity_log_storage(azure):
    report = azure.scan("azure.monitor.activity_log_storage_private", "azure.monitor.activity_log_storage_cmk")
    assert verdicts(report, "azure.monitor.activity_log_storage_private") == {("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS")}
    assert verdicts(report, "azure.monitor.activity_log_storage_cmk") == {("stcontosologs", "FAIL"), ("stcontosodevaudit", "PASS")}


def test_activity_log_alerts(azure):
    report = azure.scan(*ALERTS)
    for check_id in ALERTS:
        assert {s for n, s in verdicts(report, check_id) if n == PROD_SUB} == {"PASS"}, check_id
    assert verdicts(report, "azure.monitor.alert_policy_assignment") == {(PROD_SUB, "PASS"), (DEV_SUB, "FAIL")}
    assert verdicts(report, "azure.monitor.alert_nsg_changes") == {(PROD_SUB, "PASS"), (DEV_SUB, "FAIL")}
    assert verdicts(report, "azure.monitor.alert_security_solution") == {(PROD_SUB, "PASS"), (DEV_SUB, "FAIL")}
    assert verdicts(report, "azure.monitor.alert_sql_firewall") == {(PROD_SUB, "PASS"), (DEV_SUB, "FAIL")}
    # prod's SQL firewall rule is one alert with {"field": "operationName", "containsAny": [write, delete]} (API 2020-10-01).
    sql = finding(report, "azure.monitor.alert_sql_firewall", PROD_SUB)
    assert sql.status == "PASS" and sql.evidence["alerts"] == sorted(sql.evidence["alerts"]) and "alert-sql-firewall-changes" in sql.evidence["alerts"]
    # dev alerts on NSG writes, not deletes; its policy-assignment rule is disabled.
    assert finding(report, "azure.monitor.alert_nsg_changes", DEV_SUB).evidence["missing"] == ["Microsoft.Network/networkSecurityGroups/delete"]
    assert len(finding(report, "azure.monitor.alert_policy_assignment", DEV_SUB).evidence["missing"]) == 2
    # prod's 8 alert rules come two a page: four requests, then nextLink runs out.
    assert azure.calls(f"/subscriptions/{PROD}/providers/Microsoft.Insights/activityLogAlerts") == 4


def test_monitor_denied_and_throttled(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.Insights/diagnosticSettings", "denied", action="Microsoft.Insights/diagnosticSettings/read")
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Insights/activityLogAlerts", "throttled")
    report = azure.scan("azure.monitor.activity_log_exported", "azure.monitor.alert_nsg_changes")
    assert verdicts(report, "azure.monitor.activity_log_exported") == {(f"azure {PROD}", "ERROR"), (DEV_SUB, "FAIL")}
    assert verdicts(report, "azure.monitor.alert_nsg_changes") == {(PROD_SUB, "PASS"), (f"azure {DEV}", "ERROR")}


def test_contains_any_matches_part_of_an_operation_name(azure):
    """containsAny holds strings the operation name contains: one broad rule covers write and delete."""
    rule = {
        "id": f"/subscriptions/{DEV}/resourceGroups/rg-contoso-dev/providers/Microsoft.Insights/activityLogAlerts/alert-nsg-any",
        "name": "alert-nsg-any",
        "type": "Microsoft.Insights/ActivityLogAlerts",
        "location": "Global",
        "properties": {
            "scopes": [f"/subscriptions/{DEV}"],
            "condition": {"allOf": [{"field": "category", "equals": "Administrative"},
                                    {"anyOf": [{"field": "operationName", "containsAny": ["microsoft.network/networksecuritygroups/"]}]}]},
            "actions": {"actionGroups": [{"actionGroupId": f"/subscriptions/{DEV}/resourceGroups/rg-contoso-dev/providers/microsoft.insights/actionGroups/ag-dev"}]},
            "enabled": True,
        },
    }
    azure.body(f"/subscriptions/{DEV}/providers/Microsoft.Insights/activityLogAlerts", {"value": [rule]})
    report = azure.scan("azure.monitor.alert_nsg_changes", "azure.monitor.alert_sql_firewall", subscriptions=(DEV,))
    assert verdicts(report, "azure.monitor.alert_nsg_changes") == {(DEV_SUB, "PASS")}
    assert verdicts(report, "azure.monitor.alert_sql_firewall") == {(DEV_SUB, "FAIL")}
