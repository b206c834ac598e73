"""Defender for Cloud checks: plans and security contacts."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD
from tests.conftest import finding, verdicts

PLANS = {
    "azure.security.defender_servers": "VirtualMachines",
    "azure.security.defender_sql": "SqlServers",
    "azure.security.defender_storage": "StorageAccounts",
    "azure.security.defender_arm": "Arm",
    "azure.security.defender_containers": "Containers",
}


def test_defender_plans(azure):
    report = azure.scan(*PLANS, "azure.security.defender_keyvault")
    assert verdicts(report, "azure.security.defender_servers") == {("VirtualMachines", "PASS"), ("VirtualMachines", "FAIL")}
    assert verdicts(report, "azure.security.defender_sql") == {("SqlServers", "PASS"), ("SqlServers", "FAIL")}
    assert verdicts(report, "azure.security.defender_storage") == {("StorageAccounts", "PASS"), ("StorageAccounts", "FAIL")}
    assert verdicts(report, "azure.security.defender_arm") == {("Arm", "PASS"), ("Arm", "FAIL")}
    assert verdicts(report, "azure.security.defender_containers") == {("Containers", "PASS"), ("Containers", "FAIL")}
    assert verdicts(report, "azure.security.defender_keyvault") == {("KeyVaults", "PASS")}  # on in both subscriptions
    for check_id in PLANS:
        statuses = {f.account: f.status.value for f in report.findings if f.check_id == check_id}
        assert statuses == {PROD: "PASS", DEV: "FAIL"}, check_id


def test_defender_keyvault_fails_when_free(azure):
    pricings = {"value": [{"id": f"/subscriptions/{PROD}/providers/Microsoft.Security/pricings/KeyVaults", "name": "KeyVaults",
                           "type": "Microsoft.Security/pricings", "properties": {"pricingTier": "Free", "freeTrialRemainingTime": "P30D"}}]}
    azure.body(f"/subscriptions/{PROD}/providers/Microsoft.Security/pricings", pricings)
    report = azure.scan("azure.security.defender_keyvault", subscriptions=(PROD,))
    assert verdicts(report, "azure.security.defender_keyvault") == {("KeyVaults", "FAIL")}


def test_security_contacts(azure):
    report = azure.scan("azure.security.contact_email", "azure.security.alert_notifications")
    assert verdicts(report, "azure.security.contact_email") == {("default", "PASS"), ("default", "FAIL")}
    assert verdicts(report, "azure.security.alert_notifications") == {("default", "PASS"), ("default", "FAIL")}
    by_account = {f.account: f for f in report.findings if f.check_id == "azure.security.contact_email"}
    assert by_account[DEV].message == "no security contact email is configured"  # dev has no contact at all
    assert by_account[PROD].evidence["emails"] == ["secops@contoso.example", "ciso@contoso.example"]
    strict = azure.scan("azure.security.alert_notifications", params={"azure.security.alert_notifications": {"max_minimal_severity": "Low"}})
    assert {f.account: f.status.value for f in strict.findings} == {PROD: "FAIL", DEV: "FAIL"}


def test_security_not_registered(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Security/pricings", "not_registered", action="Microsoft.Security")
    report = azure.scan("azure.security.defender_servers")
    assert verdicts(report, "azure.security.defender_servers") == {("VirtualMachines", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert "not registered" in finding(report, "azure.security.defender_servers", f"azure {DEV}").message
