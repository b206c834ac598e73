"""Key Vault: key and secret expiry, key rotation, diagnostic logging, soft delete and purge protection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

AUDIT_CATEGORIES = {"AuditEvent", "group:audit", "group:allLogs"}


@check(
    id="azure.keyvault.key_expiry",
    title="Enabled Key Vault keys have an expiration date",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.KeyVault/vaults/keys",
    reads=["azure.keyvault.keys"],
    remediation="Set an expiration date on each key (az keyvault key set-attributes --expires ...), ideally through a rotation policy.",
)
def key_expiry(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A key without expiry can stay in use indefinitely; a bounded lifetime forces rotation (CC6.1)."""
    for key in inv.keyvault.keys:
        if not key.enabled:
            continue
        if key.expires:
            yield Result.passed(key, f"key expires {key.expires.date().isoformat()}", vault=key.vault_name)
        else:
            yield Result.failed(key, "key has no expiration date (attributes.exp)", vault=key.vault_name)


@check(
    id="azure.keyvault.secret_expiry",
    title="Enabled Key Vault secrets have an expiration date",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.KeyVault/vaults/secrets",
    reads=["azure.keyvault.secrets"],
    remediation="Set an expiration date on each secret (az keyvault secret set-attributes --expires ...) and rotate before it.",
)
def secret_expiry(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Secrets (passwords, connection strings, API tokens) without expiry are never rotated; a leaked one
    stays valid (CC6.1)."""
    for secret in inv.keyvault.secrets:
        if not secret.enabled:
            continue
        if secret.expires:
            yield Result.passed(secret, f"secret expires {secret.expires.date().isoformat()}", vault=secret.vault_name)
        else:
            yield Result.failed(secret, "secret has no expiration date (attributes.exp)", vault=secret.vault_name)


@check(
    id="azure.keyvault.key_rotation",
    title="Key Vault keys have an automatic rotation policy",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.KeyVault/vaults/keys",
    reads=["azure.keyvault.keys:rotation"],
    remediation="Add a rotation policy with a Rotate lifetime action (az keyvault key rotation-policy update ...).",
)
def key_rotation(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automatic rotation limits how much data any one key version protects and how long a compromised
    version is useful (CC6.1)."""
    for key in inv.keyvault.keys:
        if not key.enabled:
            continue
        if "rotate" in key.rotation_actions:
            yield Result.passed(key, "rotation policy has a Rotate lifetime action", actions=key.rotation_actions)
        else:
            yield Result.failed(key, "no Rotate lifetime action in the key's rotation policy", actions=key.rotation_actions)


@check(
    id="azure.keyvault.diagnostic_logging",
    title="Key vaults send AuditEvent logs to a diagnostic destination",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="Microsoft.KeyVault/vaults",
    reads=["azure.keyvault.vaults:diagnostics"],
    remediation="Add a diagnostic setting on the vault with the 'audit' category group (or AuditEvent) sent to a "
    "Log Analytics workspace or storage account.",
)
def diagnostic_logging(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Every read of a key or secret is a security event; without AuditEvent logs nobody can tell who
    used them (CC7.2)."""
    for vault in inv.keyvault.vaults:
        logging = [s.name for s in vault.diagnostic_settings if s.has_destination and AUDIT_CATEGORIES & set(s.categories)]
        if logging:
            yield Result.passed(vault, f"diagnostic setting {logging[0]!r} exports AuditEvent logs", settings=logging)
        else:
            yield Result.failed(vault, "no diagnostic setting exports AuditEvent logs", settings=[s.name for s in vault.diagnostic_settings])


@check(
    id="azure.keyvault.soft_delete_purge_protection",
    title="Key vaults have soft delete and purge protection enabled",
    severity=Severity.HIGH,
    category=Category.BACKUP,
    resource_type="Microsoft.KeyVault/vaults",
    reads=["azure.keyvault.vaults"],
    remediation="az keyvault update -n VAULT -g RG --enable-purge-protection true (soft delete is on by default and cannot be turned off).",
)
def soft_delete_purge_protection(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A deleted or purged key makes everything encrypted with it unrecoverable; purge protection keeps
    deleted vaults and keys recoverable for the retention period even from an administrator (A1.2)."""
    for vault in inv.keyvault.vaults:
        evidence = {"soft_delete": vault.soft_delete, "purge_protection": vault.purge_protection, "retention_days": vault.soft_delete_retention_days}
        if vault.soft_delete is False:
            yield Result.failed(vault, "enableSoftDelete is false", **evidence)
        elif not vault.purge_protection:
            yield Result.failed(vault, "enablePurgeProtection is not set", **evidence)
        else:
            yield Result.passed(vault, "soft delete and purge protection are enabled", **evidence)
