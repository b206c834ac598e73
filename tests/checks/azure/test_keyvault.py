"""Key Vault checks: key/secret expiry, rotation policy, diagnostic logging, purge protection."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

PROD_VAULT = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.KeyVault/vaults/kv-contoso-prod"


def test_keys_and_secrets(azure):
    report = azure.scan("azure.keyvault.key_expiry", "azure.keyvault.secret_expiry", "azure.keyvault.key_rotation")
    assert verdicts(report, "azure.keyvault.key_expiry") == {("cmk-storage", "PASS"), ("cmk-sql", "FAIL"), ("dev-signing", "PASS")}
    assert verdicts(report, "azure.keyvault.secret_expiry") == {("db-password", "PASS"), ("api-token", "FAIL"), ("dev-db-password", "FAIL")}
    assert verdicts(report, "azure.keyvault.key_rotation") == {("cmk-storage", "PASS"), ("cmk-sql", "FAIL"), ("dev-signing", "PASS")}
    assert finding(report, "azure.keyvault.key_expiry", "cmk-storage").message == "key expires 2027-09-01"
    assert finding(report, "azure.keyvault.key_rotation", "cmk-sql").evidence["actions"] == ["notify"]


def test_vault_logging_and_purge_protection(azure):
    report = azure.scan("azure.keyvault.diagnostic_logging", "azure.keyvault.soft_delete_purge_protection")
    assert verdicts(report, "azure.keyvault.diagnostic_logging") == {("kv-contoso-prod", "PASS"), ("kv-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.keyvault.soft_delete_purge_protection") == {("kv-contoso-prod", "PASS"), ("kv-contoso-dev", "FAIL")}


def test_denied_key_get_makes_only_rotation_error(azure):
    azure.error(f"{PROD_VAULT}/keys/cmk-sql", "denied", action="Microsoft.KeyVault/vaults/keys/read")
    report = azure.scan("azure.keyvault.key_rotation", "azure.keyvault.key_expiry")
    assert verdicts(report, "azure.keyvault.key_rotation") == {("cmk-storage", "PASS"), ("cmk-sql", "ERROR"), ("dev-signing", "PASS")}
    assert verdicts(report, "azure.keyvault.key_expiry") == {("cmk-storage", "PASS"), ("cmk-sql", "FAIL"), ("dev-signing", "PASS")}


def test_denied_vault_listing_is_error_for_that_subscription(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.KeyVault/vaults", "denied", action="Microsoft.KeyVault/vaults/read")
    report = azure.scan("azure.keyvault.secret_expiry")
    assert verdicts(report, "azure.keyvault.secret_expiry") == {("db-password", "PASS"), ("api-token", "FAIL"), (f"azure {DEV}", "ERROR")}
