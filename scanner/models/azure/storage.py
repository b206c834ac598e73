"""Storage accounts with their blob and file service data-protection settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class StorageAccount(AzureResource):
    kind: str | None = None
    sku_name: str | None = None  # Standard_LRS, Standard_GRS, Standard_RAGZRS...
    https_only: bool | None = None  # supportsHttpsTrafficOnly
    minimum_tls_version: str | None = None  # TLS1_0 / TLS1_1 / TLS1_2 / TLS1_3; None = the service default (TLS1_0 on old accounts)
    allow_blob_public_access: bool | None = None  # None = not set (public access allowed on older API versions)
    allow_shared_key_access: bool | None = None  # None = not set, which means allowed
    # allowSharedKeyAccessForServices: the services with an explicit setting ({"blob": True, ...}); a
    # service without one follows allow_shared_key_access.
    shared_key_access_by_service: dict[str, bool] = Field(default_factory=dict)
    infrastructure_encryption: bool = False  # encryption.requireInfrastructureEncryption
    key_source: str | None = None  # Microsoft.Storage / Microsoft.Keyvault
    key_vault_key_uri: str | None = None
    # blob service (None when the account has no blob service, or with errors["blob"])
    blob_soft_delete_days: int | None = None  # 0 = disabled
    container_soft_delete_days: int | None = None
    blob_versioning: bool | None = None
    # file service
    share_soft_delete_days: int | None = None

    @property
    def geo_redundant(self) -> bool:
        return any(tier in (self.sku_name or "") for tier in ("GRS", "GZRS"))


class Storage(BaseModel):
    accounts: list[StorageAccount] = Field(default_factory=list)
