"""Key vaults (management plane), their keys and secrets (metadata only, never values)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource
from scanner.models.azure.monitor import DiagnosticSetting


class KeyVault(AzureResource):
    soft_delete: bool | None = None  # enableSoftDelete (None = not reported: on by default since 2020)
    soft_delete_retention_days: int | None = None
    purge_protection: bool = False
    rbac_authorization: bool = False
    public_network_access: str | None = None
    diagnostic_settings: list[DiagnosticSetting] = Field(default_factory=list)  # facet "diagnostics"


class VaultKey(AzureResource):
    vault_name: str
    enabled: bool = True
    expires: datetime | None = None
    rotation_actions: list[str] = Field(default_factory=list)  # lifetimeActions[].action.type ("rotate", "notify"); facet "rotation"


class VaultSecret(AzureResource):
    vault_name: str
    enabled: bool = True
    expires: datetime | None = None


class KeyVaultService(BaseModel):
    vaults: list[KeyVault] = Field(default_factory=list)
    keys: list[VaultKey] = Field(default_factory=list)
    secrets: list[VaultSecret] = Field(default_factory=list)
