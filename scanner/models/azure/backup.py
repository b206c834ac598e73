"""Azure Backup: Recovery Services vaults, their VM backup policies and protected items."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class RecoveryVault(AzureResource):
    # From the single-vault GET (facet "settings"); None = the GET did not report the setting.
    soft_delete_state: str | None = None  # Enabled / Disabled / AlwaysON (securitySettings.softDeleteSettings)
    soft_delete_retention_days: int | None = None
    immutability_state: str | None = None  # Disabled / Unlocked / Locked
    storage_redundancy: str | None = None  # GeoRedundant / LocallyRedundant / ZoneRedundant
    cross_region_restore: str | None = None


class BackupPolicy(AzureResource):
    vault_name: str
    management_type: str | None = None  # AzureIaasVM, AzureStorage, AzureWorkload...
    schedule_frequency: str | None = None  # schedulePolicy.scheduleRunFrequency: Hourly / Daily / Weekly
    daily_retention_days: int | None = None
    weekly_retention_weeks: int | None = None
    instant_rp_retention_days: int | None = None


class ProtectedItem(AzureResource):
    vault_name: str
    source_resource_id: str | None = None  # the VM's ARM id
    workload_type: str | None = None
    protection_state: str | None = None  # Protected, ProtectionStopped, IRPending, ProtectionError...
    policy_id: str | None = None
    last_recovery_point: datetime | None = None
    health_status: str | None = None


class Backup(BaseModel):
    vaults: list[RecoveryVault] = Field(default_factory=list)
    policies: list[BackupPolicy] = Field(default_factory=list)
    protected_items: list[ProtectedItem] = Field(default_factory=list)
