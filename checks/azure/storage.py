"""Storage accounts: transport and at-rest encryption, public and shared-key access, data protection
(soft delete, versioning, geo-redundancy)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.storage import StorageAccount
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

ACCOUNTS = "azure.storage.accounts"
TYPE = "Microsoft.Storage/storageAccounts"
TLS_ORDER = {"TLS1_0": 0, "TLS1_1": 1, "TLS1_2": 2, "TLS1_3": 3}


@check(
    id="azure.storage.secure_transfer_required",
    title="Storage accounts require secure transfer (HTTPS only)",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    remediation="az storage account update -n NAME -g RG --https-only true",
)
def secure_transfer_required(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without secure transfer the account accepts plain HTTP and SMB without encryption, exposing data
    and shared keys in transit (CC6.7)."""
    for account in inv.storage.accounts:
        if account.https_only is False:
            yield Result.failed(account, "supportsHttpsTrafficOnly is false", https_only=False)
        else:
            yield Result.passed(account, "supportsHttpsTrafficOnly is true", https_only=True)


@check(
    id="azure.storage.min_tls_1_2",
    title="Storage accounts require TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    remediation="az storage account update -n NAME -g RG --min-tls-version TLS1_2",
)
def min_tls_1_2(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """TLS 1.0 and 1.1 have known weaknesses and are deprecated; CC6.7 expects current transport
    encryption."""
    for account in inv.storage.accounts:
        version = account.minimum_tls_version
        if TLS_ORDER.get(version or "TLS1_0", 0) >= 2:
            yield Result.passed(account, f"minimumTlsVersion is {version}", minimum_tls_version=version)
        else:
            yield Result.failed(account, f"minimumTlsVersion is {version or 'not set (TLS1_0)'}", minimum_tls_version=version)


@check(
    id="azure.storage.infrastructure_encryption",
    title="Storage accounts use infrastructure (double) encryption",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    remediation="Infrastructure encryption can only be set at creation: create a new account with "
    "--require-infrastructure-encryption and migrate the data.",
)
def infrastructure_encryption(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A second, independent layer of AES-256 encryption at the infrastructure level protects
    confidential data if one algorithm or key is compromised (C1.1)."""
    for account in inv.storage.accounts:
        if account.infrastructure_encryption:
            yield Result.passed(account, "encryption.requireInfrastructureEncryption is true")
        else:
            yield Result.failed(account, "encryption.requireInfrastructureEncryption is false")


@check(
    id="azure.storage.cmk_encryption",
    title="Storage accounts encrypt data with customer-managed keys",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    params={"require_cmk": True},
    remediation="Configure encryption with a customer-managed key in Key Vault (Encryption > Customer-managed keys), "
    "with purge protection on the vault.",
)
def cmk_encryption(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """With a customer-managed key the organisation controls rotation and can revoke access to the
    data (C1.1, CC6.1). `require_cmk=false` accepts Microsoft-managed keys."""
    for account in inv.storage.accounts:
        evidence = {"key_source": account.key_source, "key_vault_uri": account.key_vault_key_uri}
        if account.key_source == "Microsoft.Keyvault":
            yield Result.passed(account, "encryption.keySource is Microsoft.Keyvault", **evidence)
        elif not ctx.params["require_cmk"]:
            yield Result.passed(account, f"encryption.keySource is {account.key_source} (Microsoft-managed keys accepted)", **evidence)
        else:
            yield Result.failed(account, f"encryption.keySource is {account.key_source}, not a customer-managed key", **evidence)


@check(
    id="azure.storage.no_public_blob_access",
    title="Storage accounts disallow public blob access",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    remediation="az storage account update -n NAME -g RG --allow-blob-public-access false",
)
def no_public_blob_access(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """While the account allows it, any container can be made anonymously readable with one click;
    confidential data must not be (C1.1, CC6.1)."""
    for account in inv.storage.accounts:
        if account.allow_blob_public_access is False:
            yield Result.passed(account, "allowBlobPublicAccess is false")
        else:
            state = "true" if account.allow_blob_public_access else "not set (public access allowed)"
            yield Result.failed(account, f"allowBlobPublicAccess is {state}", allow_blob_public_access=account.allow_blob_public_access)


@check(
    id="azure.storage.shared_key_disabled",
    title="Storage accounts disallow shared key authorization",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    params={"exempt_accounts": []},
    remediation="Move clients to Entra ID (RBAC) authorization, then: az storage account update -n NAME -g RG "
    "--allow-shared-key-access false. List accounts that must keep keys in the exempt_accounts parameter.",
)
def shared_key_disabled(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Account keys and SAS tokens signed with them are bearer secrets with full access, no MFA and no
    per-user audit trail; Entra ID authorization replaces them (CC6.1). A service-level setting
    (allowSharedKeyAccessForServices) is read as overriding the account's for that service, the
    stricter reading: a service that allows shared keys fails the account whatever the account says."""
    exempt = set(ctx.params["exempt_accounts"])
    for account in inv.storage.accounts:
        allowing = _shared_key_services(account)
        evidence = {"allow_shared_key_access": account.allow_shared_key_access, "by_service": account.shared_key_access_by_service}
        if not allowing:
            said = "allowSharedKeyAccess is false" if account.allow_shared_key_access is False else "every service disallows shared key access"
            yield Result.passed(account, said, **evidence)
        elif account.name in exempt:
            yield Result.passed(account, "shared key access allowed, account exempted by parameter", exempt=True, **evidence)
        elif set(allowing) & set(account.shared_key_access_by_service):
            explicit = [s for s in allowing if account.shared_key_access_by_service.get(s)]
            yield Result.failed(account, f"allowSharedKeyAccessForServices enables shared key access for {', '.join(explicit)}", **evidence)
        else:
            setting = "true" if account.allow_shared_key_access else "not set (allowed)"
            yield Result.failed(account, f"allowSharedKeyAccess is {setting}", **evidence)


# The data services each account kind has (shared key applies to each).
KIND_SERVICES = {"BlobStorage": ("blob",), "BlockBlobStorage": ("blob",), "FileStorage": ("file",)}


def _shared_key_services(account: StorageAccount) -> list[str]:
    """The account's services that accept shared key: an explicit per-service setting, else the account's."""
    default = account.allow_shared_key_access is not False
    services = KIND_SERVICES.get(account.kind or "", ("blob", "file", "queue", "table"))
    return [s for s in services if account.shared_key_access_by_service.get(s, default)]


def _service_results(inv: AzureInventory, field: str, facet: str, label: str, min_days: int) -> Iterator[Result]:
    for account in inv.storage.accounts:
        days = getattr(account, field)
        if days is None and facet not in account.errors:
            continue  # the account kind has no such service
        days = days or 0  # (when unreadable, the engine turns the verdict into ERROR)
        if days >= min_days:
            yield Result.passed(account, f"{label} is enabled for {count(days, 'day')}", retention_days=days)
        elif days == 0:
            yield Result.failed(account, f"{label} is disabled", retention_days=0)
        else:
            yield Result.failed(account, f"{label} keeps {count(days, 'day')}, fewer than {min_days}", retention_days=days)


@check(
    id="azure.storage.blob_soft_delete",
    title="Storage accounts have blob soft delete enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=TYPE,
    reads=["azure.storage.accounts:blob"],
    params={"min_days": Param(7, minimum=1, maximum=365)},
    remediation="az storage account blob-service-properties update -n NAME -g RG --enable-delete-retention true "
    "--delete-retention-days 14",
)
def blob_soft_delete(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Soft delete keeps deleted or overwritten blobs recoverable for the retention window, the first
    line of recovery from mistakes and ransomware (A1.2, CC7.5)."""
    yield from _service_results(inv, "blob_soft_delete_days", "blob", "blob soft delete (deleteRetentionPolicy)", ctx.params["min_days"])


@check(
    id="azure.storage.container_soft_delete",
    title="Storage accounts have container soft delete enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=TYPE,
    reads=["azure.storage.accounts:blob"],
    params={"min_days": Param(7, minimum=1, maximum=365)},
    remediation="az storage account blob-service-properties update -n NAME -g RG --enable-container-delete-retention true "
    "--container-delete-retention-days 14",
)
def container_soft_delete(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deleting a container deletes every blob in it; container soft delete makes that recoverable (A1.2)."""
    yield from _service_results(inv, "container_soft_delete_days", "blob", "container soft delete (containerDeleteRetentionPolicy)", ctx.params["min_days"])


@check(
    id="azure.storage.file_share_soft_delete",
    title="Storage accounts have file share soft delete enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=TYPE,
    reads=["azure.storage.accounts:file"],
    params={"min_days": Param(7, minimum=1, maximum=365)},
    remediation="az storage account file-service-properties update -n NAME -g RG --enable-delete-retention true "
    "--delete-retention-days 14",
)
def file_share_soft_delete(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A deleted file share, and every snapshot of it, is gone unless share soft delete is on (A1.2)."""
    yield from _service_results(inv, "share_soft_delete_days", "file", "file share soft delete (shareDeleteRetentionPolicy)", ctx.params["min_days"])


@check(
    id="azure.storage.blob_versioning",
    title="Storage accounts have blob versioning enabled",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type=TYPE,
    reads=["azure.storage.accounts:blob"],
    remediation="az storage account blob-service-properties update -n NAME -g RG --enable-versioning true "
    "(with a lifecycle rule that deletes old versions).",
)
def blob_versioning(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Versioning keeps every prior version of a blob, so overwrites and encryption by ransomware can be
    rolled back (A1.2, CC7.5)."""
    for account in inv.storage.accounts:
        if account.blob_versioning is None and "blob" not in account.errors:
            continue
        if account.blob_versioning:
            yield Result.passed(account, "isVersioningEnabled is true")
        else:
            yield Result.failed(account, "isVersioningEnabled is false")


@check(
    id="azure.storage.geo_redundant_critical",
    title="Storage accounts tagged critical are geo-redundant",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=TYPE,
    reads=[ACCOUNTS],
    params={"tag": "critical", "values": ["true", "yes", "1"], "all_accounts": False},
    remediation="Change the account's redundancy to GRS, RA-GRS, GZRS or RA-GZRS (az storage account update --sku Standard_GZRS).",
)
def geo_redundant_critical(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Locally or zone-redundant storage does not survive a regional outage; critical data needs a
    copy in the paired region (A1.2, CC9.1). Accounts are in scope when tagged `<tag>=<value>`, or
    all of them with `all_accounts=true`."""
    tag, values = ctx.params["tag"], {str(v).lower() for v in ctx.params["values"]}
    for account in inv.storage.accounts:
        critical = str(account.tags.get(tag, "")).lower() in values
        if not (critical or ctx.params["all_accounts"]):
            continue
        if account.geo_redundant:
            yield Result.passed(account, f"sku is {account.sku_name} (geo-redundant)", sku=account.sku_name)
        else:
            yield Result.failed(account, f"sku is {account.sku_name}, not geo-redundant", sku=account.sku_name)
