"""Azure Backup checks: VM protection, recovery point age, policy retention, vault soft delete and immutability."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

PROD_VAULT = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.RecoveryServices/vaults/rsv-contoso-prod"
PROD_ITEM = "VM;iaasvmcontainerv2;rg-contoso-prod;vm-web-01"
DEV_ITEM = "VM;iaasvmcontainerv2;rg-contoso-dev;vm-dev-01"
SUSPENDED_ITEM = "VM;iaasvmcontainerv2;rg-contoso-dev;vm-dev-02"
DEV_VAULT = f"{rg(DEV, 'rg-contoso-dev')}/providers/Microsoft.RecoveryServices/vaults/rsv-contoso-dev"


def test_vm_protection_and_recovery_points(azure):
    report = azure.scan("azure.backup.vm_protected", "azure.backup.vm_recent_recovery_point")
    assert verdicts(report, "azure.backup.vm_protected") == {
        ("vm-web-01", "PASS"), ("vm-web-02", "FAIL"), ("vm-dev-01", "PASS"), ("vm-dev-02", "FAIL"),
    }
    # vm-dev-02 has a backup item, but in BackupsSuspended: no new recovery points, so not protected.
    suspended = finding(report, "azure.backup.vm_protected", "vm-dev-02")
    assert "BackupsSuspended" in suspended.message and suspended.evidence["protection_states"] == ["BackupsSuspended"]
    # The SDK deserializes these items as the generic ProtectedItem: the REST fields are read instead.
    assert verdicts(report, "azure.backup.vm_recent_recovery_point") == {(PROD_ITEM, "PASS"), (DEV_ITEM, "FAIL"), (SUSPENDED_ITEM, "FAIL")}
    assert finding(report, "azure.backup.vm_recent_recovery_point", PROD_ITEM).evidence == {"age_hours": 10}


def test_paused_protection_is_not_protected_and_a_missing_state_is_unknown(azure):
    items = azure.cloud.routes  # the demo's dev items, with vm-dev-01's state changed
    body = next(r.body for r in items if r.path.endswith("rsv-contoso-dev/backupProtectedItems"))
    paused = {**body["value"][0], "properties": {**body["value"][0]["properties"], "protectionState": "ProtectionPaused"}}
    stateless = {**body["value"][1], "properties": {k: v for k, v in body["value"][1]["properties"].items() if k != "protectionState"}}
    azure.body(f"{DEV_VAULT}/backupProtectedItems", {"value": [paused, stateless]})
    report = azure.scan("azure.backup.vm_protected", subscriptions=(DEV,))
    assert verdicts(report, "azure.backup.vm_protected") == {("vm-dev-01", "FAIL"), ("vm-dev-02", "UNKNOWN")}
    assert "ProtectionPaused" in finding(report, "azure.backup.vm_protected", "vm-dev-01").message


def test_policies_and_vaults(azure):
    report = azure.scan("azure.backup.policy_retention", "azure.backup.vault_soft_delete", "azure.backup.vault_immutability")
    # vm-weekly-26w has a weekly schedule and weekly retention only: judged by its 26 weeks, not as "0 days daily".
    assert verdicts(report, "azure.backup.policy_retention") == {("vm-daily-35d", "PASS"), ("DefaultPolicy", "FAIL"), ("vm-weekly-26w", "PASS")}
    weekly = finding(report, "azure.backup.policy_retention", "vm-weekly-26w")
    assert weekly.message == "weekly schedule, weekly retention is 26 weeks (182 days)" and weekly.evidence["retention_days"] == 182
    # The vault LIST carries only provisioningState: the settings come from each vault's GET.
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-prod", "PASS"), ("rsv-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.backup.vault_immutability") == {("rsv-contoso-prod", "PASS"), ("rsv-contoso-dev", "FAIL")}
    assert azure.calls("/vaults/rsv-contoso-prod") >= 1 and azure.calls("/vaults/rsv-contoso-dev") >= 1
    # VM policies only: the filter goes to the service.
    assert any("AzureIaasVM" in r.query.get("$filter", "") for r in azure.cloud.requests if r.path.endswith("/backupPolicies"))


def test_vault_settings_absent_from_the_get_are_unknown_never_disabled(azure):
    """A vault whose GET carries no securitySettings (as a LIST item never does) is UNKNOWN, not Disabled."""
    listed = next(r.body for r in azure.cloud.routes if r.path == f"/subscriptions/{DEV}/providers/Microsoft.RecoveryServices/vaults")
    azure.body(DEV_VAULT, listed["value"][0])
    report = azure.scan("azure.backup.vault_soft_delete", "azure.backup.vault_immutability", subscriptions=(DEV,))
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-dev", "UNKNOWN")}
    assert verdicts(report, "azure.backup.vault_immutability") == {("rsv-contoso-dev", "UNKNOWN")}


def test_a_denied_vault_get_is_error_for_that_vault_only(azure):
    azure.error(DEV_VAULT, "denied", action="Microsoft.RecoveryServices/vaults/read")
    report = azure.scan("azure.backup.vault_soft_delete")
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-prod", "PASS"), ("rsv-contoso-dev", "ERROR")}
    assert "AuthorizationFailed" in finding(report, "azure.backup.vault_soft_delete", "rsv-contoso-dev").message


def test_protected_items_denied_in_one_vault_is_error_never_fail_or_pass(azure):
    azure.error(f"{PROD_VAULT}/backupProtectedItems", "denied", action="Microsoft.RecoveryServices/vaults/backupProtectedItems/read")
    report = azure.scan("azure.backup.vm_protected")
    assert verdicts(report, "azure.backup.vm_protected") == {(f"azure {PROD}", "ERROR"), ("vm-dev-01", "PASS"), ("vm-dev-02", "FAIL")}


def test_recovery_services_not_registered_is_not_applicable(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.RecoveryServices/vaults", "not_registered", action="Microsoft.RecoveryServices")
    report = azure.scan("azure.backup.vault_soft_delete")
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
