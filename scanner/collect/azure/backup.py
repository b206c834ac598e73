"""Azure Backup: Recovery Services vaults (plain GETs), then each vault's VM backup policies and
protected items (azure-mgmt-recoveryservicesbackup; read as REST JSON because 11.2.0 deserializes VM
items as the generic ProtectedItem).

The subscription-wide vault LIST returns only `provisioningState` in `properties` (the REST spec's
Vaults_ListBySubscriptionId example); `securitySettings` and `redundancySettings` come from the
single-vault GET, so every listed vault is read again, concurrently."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector, facet
from scanner.models.azure.backup import BackupPolicy, ProtectedItem, RecoveryVault

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

VM_FILTER = "backupManagementType eq 'AzureIaasVM'"
VAULTS_API = "2026-11-01"  # Microsoft.RecoveryServices vaults (azure-mgmt-recoveryservices 4.3.0 models it)


def _vaults(scope: AzureScope) -> list[dict[str, Any]]:
    return scope.arm("backup", "vaults.listBySubscriptionId", subscription_path(scope, "/providers/Microsoft.RecoveryServices/vaults"), VAULTS_API, paged=True)


@collector(
    "azure.backup.vaults",
    regional=True,
    permissions=["Microsoft.RecoveryServices/vaults/read"],
    facets={
        "settings": facet(["Microsoft.RecoveryServices/vaults/read"], ["soft_delete_state", "soft_delete_retention_days", "immutability_state", "storage_redundancy", "cross_region_restore"]),
    },
)
def vaults(scope: AzureScope) -> list[RecoveryVault]:
    return scope.map(lambda body: _vault(scope, body), _vaults(scope))


def _vault(scope: AzureScope, listed: dict[str, Any]) -> RecoveryVault:
    from scanner.collect.azure._client import read_facets

    def settings() -> dict[str, Any]:
        p = props(scope.arm("backup", "vaults.get", listed["id"], VAULTS_API))
        security = p.get("securitySettings") or {}
        soft = security.get("softDeleteSettings") or {}
        redundancy = p.get("redundancySettings") or {}
        return {
            "soft_delete_state": soft.get("softDeleteState"),
            "soft_delete_retention_days": soft.get("softDeleteRetentionPeriodInDays"),
            "immutability_state": (security.get("immutabilitySettings") or {}).get("state"),
            "storage_redundancy": redundancy.get("standardTierStorageRedundancy"),
            "cross_region_restore": redundancy.get("crossRegionRestore"),
        }

    fields, errors = read_facets(scope, "backup", {"settings": settings})
    return RecoveryVault(**base(scope, listed), errors=errors, **fields)


def _per_vault(scope: AzureScope, fn: Any) -> list[Any]:
    from scanner.collect.azure._client import resource_group

    chunks = scope.map(lambda v: fn(resource_group(v["id"]), v["name"]), _vaults(scope))
    return [item for chunk in chunks for item in chunk]


def _days(duration: dict[str, Any] | None) -> int | None:
    if not duration:
        return None
    count = int(duration.get("count") or 0)
    return count * {"Days": 1, "Weeks": 7, "Months": 30, "Years": 365}.get(str(duration.get("durationType")), 1)


@collector(
    "azure.backup.policies",
    regional=True,
    permissions=["Microsoft.RecoveryServices/vaults/read", "Microsoft.RecoveryServices/vaults/backupPolicies/read"],
)
def policies(scope: AzureScope) -> list[BackupPolicy]:
    def vault_policies(group: str, vault: str) -> list[BackupPolicy]:
        listed = scope.list("backup", "backupPolicies.list", lambda c: c.backup_policies.list(vault, group, filter=VM_FILTER), group, vault)
        result = []
        for body in listed:
            p = props(body)
            retention = p.get("retentionPolicy") or {}
            daily = (retention.get("dailySchedule") or {}).get("retentionDuration")
            weekly = (retention.get("weeklySchedule") or {}).get("retentionDuration")
            if retention.get("retentionPolicyType") == "SimpleRetentionPolicy":
                daily = retention.get("retentionDuration")
            result.append(
                BackupPolicy(
                    **base(scope, body, region=body.get("location") or "global"),
                    vault_name=vault,
                    management_type=p.get("backupManagementType"),
                    schedule_frequency=(p.get("schedulePolicy") or {}).get("scheduleRunFrequency"),
                    daily_retention_days=_days(daily),
                    weekly_retention_weeks=(_days(weekly) or 0) // 7 if weekly else None,
                    instant_rp_retention_days=p.get("instantRpRetentionRangeInDays"),
                )
            )
        return result

    return _per_vault(scope, vault_policies)


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


@collector(
    "azure.backup.protected_items",
    regional=True,
    permissions=["Microsoft.RecoveryServices/vaults/read", "Microsoft.RecoveryServices/vaults/backupProtectedItems/read"],
)
def protected_items(scope: AzureScope) -> list[ProtectedItem]:
    def vault_items(group: str, vault: str) -> list[ProtectedItem]:
        listed = scope.list(
            "backup", "backupProtectedItems.list", lambda c: c.backup_protected_items.list(vault, group, filter=f"{VM_FILTER} and itemType eq 'VM'"), group, vault
        )
        result = []
        for body in listed:
            p = props(body)  # generic ProtectedItem in the SDK: read the REST fields defensively
            result.append(
                ProtectedItem(
                    **base(scope, body, region=body.get("location") or "global"),
                    vault_name=vault,
                    source_resource_id=p.get("sourceResourceId") or p.get("virtualMachineId"),
                    workload_type=p.get("workloadType"),
                    protection_state=p.get("protectionState"),
                    policy_id=p.get("policyId"),
                    last_recovery_point=_time(p.get("lastRecoveryPoint")),
                    health_status=p.get("healthStatus"),
                )
            )
        return result

    return _per_vault(scope, vault_items)
