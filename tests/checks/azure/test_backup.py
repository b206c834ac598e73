"""Azure Backup checks: VM protection, recovery point age, policy retention, vault soft delete and immutability."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

PROD_VAULT = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.RecoveryServices/vaults/rsv-contoso-prod"
PROD_ITEM = "VM;iaasvmcontainerv2;rg-contoso-prod;vm-web-01"
DEV_ITEM = "VM;iaasvmcontainerv2;rg-contoso-dev;vm-dev-01"


def test_vm_protection_and_recovery_points(azure):
    report = azure.scan("azure.backup.vm_protected", "azure.backup.vm_recent_recovery_point")
    assert verdicts(report, "azure.backup.vm_protected") == {
        ("vm-web-01", "PASS"), ("vm-web-02", "FAIL"), ("vm-dev-01", "PASS"), ("vm-dev-02", "FAIL"),
    }
    # The SDK deserializes these items as the generic ProtectedItem: the REST fields are read instead.
    assert verdicts(report, "azure.backup.vm_recent_recovery_point") == {(PROD_ITEM, "PASS"), (DEV_ITEM, "FAIL")}
    assert finding(report, "azure.backup.vm_recent_recovery_point", PROD_ITEM).evidence == {"age_hours": 10}


def test_policies_and_vaults(azure):
    report = azure.scan("azure.backup.policy_retention", "azure.backup.vault_soft_delete", "azure.backup.vault_immutability")
    assert verdicts(report, "azure.backup.policy_retention") == {("vm-daily-35d", "PASS"), ("DefaultPolicy", "FAIL")}
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-prod", "PASS"), ("rsv-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.backup.vault_immutability") == {("rsv-contoso-prod", "PASS"), ("rsv-contoso-dev", "FAIL")}
    # VM policies only: the filter goes to the service.
    assert any("AzureIaasVM" in r.query.get("$filter", "") for r in azure.cloud.requests if r.path.endswith("/backupPolicies"))


def test_protected_items_denied_in_one_vault_is_error_never_fail_or_pass(azure):
    azure.error(f"{PROD_VAULT}/backupProtectedItems", "denied", action="Microsoft.RecoveryServices/vaults/backupProtectedItems/read")
    report = azure.scan("azure.backup.vm_protected")
    assert verdicts(report, "azure.backup.vm_protected") == {(f"azure {PROD}", "ERROR"), ("vm-dev-01", "PASS"), ("vm-dev-02", "FAIL")}


def test_recovery_services_not_registered_is_not_applicable(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.RecoveryServices/vaults", "not_registered", action="Microsoft.RecoveryServices")
    report = azure.scan("azure.backup.vault_soft_delete")
    assert verdicts(report, "azure.backup.vault_soft_delete") == {("rsv-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
