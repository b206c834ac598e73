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


def test_security_contacts_read_with_2023_12_01_preview(azure):
    azure.scan("azure.security.contact_email", subscriptions=(PROD,))
    versions = {r.query.get("api-version") for r in azure.cloud.requests if r.path.endswith("/securityContacts")}
    assert versions == {"2023-12-01-preview"}


def test_security_contacts_fall_back_to_2020_01_01_preview_where_the_new_version_is_not_served(azure):
    from scanner.fakecloud.server import Route

    path = f"/subscriptions/{PROD}/providers/Microsoft.Security/securityContacts"
    message = ("No registered resource provider found for location 'global' and API version '2023-12-01-preview' for type "
               "'securityContacts'. The supported api-versions are '2017-08-01-preview, 2020-01-01-preview'.")
    azure.add(Route("GET", path, status=400, query={"api-version": "2023-12-01-preview"},
                    body={"error": {"code": "NoRegisteredProviderFound", "message": message}}))
    report = azure.scan("azure.security.contact_email", "azure.security.alert_notifications", subscriptions=(PROD,))
    assert verdicts(report, "azure.security.contact_email") == {("default", "PASS")}
    assert verdicts(report, "azure.security.alert_notifications") == {("default", "PASS")}
    assert finding(report, "azure.security.alert_notifications", "default").evidence["minimal_severity"] == "Medium"
    versions = [r.query.get("api-version") for r in azure.cloud.requests if r.path == path]
    assert versions == ["2023-12-01-preview", "2020-01-01-preview"]


def test_security_contacts_denied_is_error_without_fallback(azure):
    path = f"/subscriptions/{PROD}/providers/Microsoft.Security/securityContacts"
    azure.error(path, "denied", action="Microsoft.Security/securityContacts/read")
    report = azure.scan("azure.security.contact_email", subscriptions=(PROD,))
    assert verdicts(report, "azure.security.contact_email") == {(f"azure {PROD}", "ERROR")}
    assert [r.query.get("api-version") for r in azure.cloud.requests if r.path == path] == ["2023-12-01-preview"]


def test_disabled_contact_sends_no_alerts(azure):
    body = next(r.body for r in azure.cloud.routes if r.path.endswith(f"{PROD}/providers/Microsoft.Security/securityContacts") and not r.query)
    contact = body["value"][0]
    azure.body(f"/subscriptions/{PROD}/providers/Microsoft.Security/securityContacts",
               {"value": [{**contact, "properties": {**contact["properties"], "isEnabled": False}}]})
    report = azure.scan("azure.security.alert_notifications", subscriptions=(PROD,))
    assert verdicts(report, "azure.security.alert_notifications") == {("default", "FAIL")}
