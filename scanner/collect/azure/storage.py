"""Storage accounts (SDK), then each account's blob and file service properties concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props
from scanner.collect.registry import collector, facet
from scanner.models.azure.storage import StorageAccount

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

BLOB_KINDS = {"StorageV2", "Storage", "BlobStorage", "BlockBlobStorage"}
FILE_KINDS = {"StorageV2", "Storage", "FileStorage"}


@collector(
    "azure.storage.accounts",
    regional=True,
    permissions=["Microsoft.Storage/storageAccounts/read"],
    facets={
        "blob": facet(["Microsoft.Storage/storageAccounts/blobServices/read"], ["blob_soft_delete_days", "container_soft_delete_days", "blob_versioning"]),
        "file": facet(["Microsoft.Storage/storageAccounts/fileServices/read"], ["share_soft_delete_days"]),
    },
)
def accounts(scope: AzureScope) -> list[StorageAccount]:
    listed = scope.list("storage", "storageAccounts.list", lambda c: c.storage_accounts.list())
    return scope.map(lambda body: _account(scope, body), listed)


def _retention(policy: dict[str, Any] | None) -> int:
    policy = policy or {}
    return int(policy.get("days") or 0) if policy.get("enabled") else 0


def _account(scope: AzureScope, body: dict[str, Any]) -> StorageAccount:
    from scanner.collect.azure._client import read_facets, resource_group

    p = props(body)
    encryption = p.get("encryption") or {}
    key_props = encryption.get("keyvaultproperties") or encryption.get("keyVaultProperties") or {}
    kind = body.get("kind")
    group, name = resource_group(body["id"]), body["name"]

    def blob() -> dict[str, Any]:
        if kind not in BLOB_KINDS:
            return {}
        service = props(scope.get("storage", "blobServices.getServiceProperties", lambda c: c.blob_services.get_service_properties(group, name), group, name))
        return {
            "blob_soft_delete_days": _retention(service.get("deleteRetentionPolicy")),
            "container_soft_delete_days": _retention(service.get("containerDeleteRetentionPolicy")),
            "blob_versioning": bool(service.get("isVersioningEnabled")),
        }

    def files() -> dict[str, Any]:
        if kind not in FILE_KINDS:
            return {}
        service = props(scope.get("storage", "fileServices.getServiceProperties", lambda c: c.file_services.get_service_properties(group, name), group, name))
        return {"share_soft_delete_days": _retention(service.get("shareDeleteRetentionPolicy"))}

    fields, errors = read_facets(scope, "storage", {"blob": blob, "file": files})
    return StorageAccount(
        **base(scope, body),
        errors=errors,
        kind=kind,
        sku_name=(body.get("sku") or {}).get("name"),
        https_only=p.get("supportsHttpsTrafficOnly"),
        minimum_tls_version=p.get("minimumTlsVersion"),
        allow_blob_public_access=p.get("allowBlobPublicAccess"),
        allow_shared_key_access=p.get("allowSharedKeyAccess"),
        shared_key_access_by_service={
            service: bool(setting["enabled"])
            for service, setting in (p.get("allowSharedKeyAccessForServices") or {}).items()
            if isinstance(setting, dict) and setting.get("enabled") is not None
        },
        infrastructure_encryption=bool(encryption.get("requireInfrastructureEncryption")),
        key_source=encryption.get("keySource"),
        key_vault_key_uri=key_props.get("keyvaulturi") or key_props.get("keyVaultUri"),
        **fields,
    )
