"""Azure Backup: VMs protected by a Recovery Services vault, policy retention, recent restore points,
vault soft delete and immutability."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.backup import BackupPolicy
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

VAULT = "Microsoft.RecoveryServices/vaults"
# Protection states in which the vault still takes new recovery points. ProtectionError is a failing job
# (vm_recent_recovery_point judges it); ProtectionStopped, ProtectionPaused and BackupsSuspended take none.
TAKING_BACKUPS = {"Protected", "IRPending", "ProtectionError"}


def _protected(inv: AzureInventory) -> dict[str, list]:
    items: dict[str, list] = {}
    for item in inv.backup.protected_items:
        if item.source_resource_id:
            items.setdefault(item.source_resource_id.lower(), []).append(item)
    return items


@check(
    id="azure.backup.vm_protected",
    title="Virtual machines are protected by a Recovery Services vault backup policy",
    severity=Severity.HIGH,
    category=Category.BACKUP,
    resource_type="Microsoft.Compute/virtualMachines",
    reads=["azure.compute.virtual_machines", "azure.backup.protected_items"],
    remediation="Enable backup for the VM in a Recovery Services vault with a policy that meets the RPO "
    "(az backup protection enable-for-vm --vault-name V -g RG --vm VM --policy-name P).",
)
def vm_protected(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A VM that no backup policy covers cannot be restored after deletion, corruption or ransomware
    (A1.2, CC7.5)."""
    protected = _protected(inv)
    for vm in inv.compute.virtual_machines:
        items = protected.get(vm.id.lower(), [])
        active = [i for i in items if i.protection_state in TAKING_BACKUPS]
        if active:
            yield Result.passed(vm, f"backed up by vault {active[0].vault_name} ({active[0].protection_state})", vault=active[0].vault_name, policy=active[0].policy_id)
        elif items and all(i.protection_state is None for i in items):
            yield Result.unknown(vm, f"vault {items[0].vault_name} holds a backup item for this VM but reports no protectionState", vault=items[0].vault_name)
        elif items:
            states = sorted({i.protection_state or "not reported" for i in items})
            yield Result.failed(vm, f"backup item protectionState is {', '.join(states)}: no new recovery points are taken", vault=items[0].vault_name, protection_states=states)
        else:
            yield Result.failed(vm, "no Recovery Services vault protects this VM")


@check(
    id="azure.backup.vm_recent_recovery_point",
    title="Protected VMs have a recovery point newer than the configured hours",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
    reads=["azure.backup.protected_items"],
    params={"max_age_hours": Param(48, minimum=1, maximum=8760)},
    remediation="Investigate the failing backup jobs for the item (Backup center > Backup jobs) and run an on-demand backup.",
)
def vm_recent_recovery_point(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A policy that is assigned but whose jobs fail produces no restore points; the newest recovery
    point is the evidence that a restore is actually possible (A1.2, A1.3, CC7.5)."""
    limit = ctx.params["max_age_hours"]
    for item in inv.backup.protected_items:
        if item.last_recovery_point is None:
            yield Result.failed(item, "no recovery point exists", protection_state=item.protection_state)
            continue
        age = int((ctx.now - item.last_recovery_point).total_seconds() // 3600)
        if age <= limit:
            yield Result.passed(item, f"last recovery point is {count(age, 'hour')} old", age_hours=age)
        else:
            yield Result.failed(item, f"last recovery point is {count(age, 'hour')} old, older than {limit}", age_hours=age)


def _retention(policy: BackupPolicy) -> tuple[int | None, str]:
    """The retention of the policy's most frequent recovery points: daily (hourly and daily schedules),
    else weekly for a weekly-only schedule."""
    if policy.daily_retention_days is not None:
        return policy.daily_retention_days, f"daily retention is {count(policy.daily_retention_days, 'day')}"
    if policy.weekly_retention_weeks is not None:
        days = policy.weekly_retention_weeks * 7
        return days, f"{(policy.schedule_frequency or 'weekly').lower()} schedule, weekly retention is {count(policy.weekly_retention_weeks, 'week')} ({count(days, 'day')})"
    return None, "the policy reports neither daily nor weekly retention"


@check(
    id="azure.backup.policy_retention",
    title="VM backup policies retain recovery points for at least the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="Microsoft.RecoveryServices/vaults/backupPolicies",
    reads=["azure.backup.policies"],
    params={"min_days": Param(30, minimum=1, maximum=9999)},
    remediation="Raise the policy's daily retention (az backup policy set ...) to the organisation's required days.",
)
def policy_retention(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Retention decides how far back a restore can go; corruption or ransomware found after the window
    cannot be undone (A1.2, CC7.5). A daily (or hourly) policy is judged by its daily retention; a
    weekly-only policy, which keeps no daily points, by its weekly retention."""
    for policy in inv.backup.policies:
        days, said = _retention(policy)
        evidence = {"retention_days": days, "schedule_frequency": policy.schedule_frequency, "vault": policy.vault_name}
        if days is None:
            yield Result.unknown(policy, said, **evidence)
        elif days >= ctx.params["min_days"]:
            yield Result.passed(policy, said, **evidence)
        else:
            yield Result.failed(policy, f"{said}, fewer than {ctx.params['min_days']}", **evidence)


@check(
    id="azure.backup.vault_soft_delete",
    title="Recovery Services vaults have soft delete enabled",
    severity=Severity.HIGH,
    category=Category.BACKUP,
    resource_type=VAULT,
    reads=["azure.backup.vaults:settings"],
    remediation="Vault > Properties > Security settings: enable soft delete (and 'always-on' so it cannot be disabled).",
)
def vault_soft_delete(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Soft delete keeps deleted backup data for 14+ days, so an attacker or mistake that deletes
    backups does not destroy the last line of recovery (A1.2)."""
    for vault in inv.backup.vaults:
        state = vault.soft_delete_state
        if state in ("Enabled", "AlwaysON"):
            yield Result.passed(vault, f"softDeleteState is {state}", retention_days=vault.soft_delete_retention_days)
        elif state is None:
            yield Result.unknown(vault, "the vault's GET reported no securitySettings.softDeleteSettings.softDeleteState")
        else:
            yield Result.failed(vault, f"softDeleteState is {state}")


@check(
    id="azure.backup.vault_immutability",
    title="Recovery Services vaults are immutable",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=VAULT,
    reads=["azure.backup.vaults:settings"],
    params={"require_locked": False},
    remediation="Vault > Properties > Immutable vault: enable it, then lock it once the policies are final.",
)
def vault_immutability(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """An immutable vault refuses operations that would shorten retention or delete recovery points
    before they expire (A1.2, CC7.5). `require_locked=true` accepts only the irreversible Locked state."""
    accepted = {"Locked"} if ctx.params["require_locked"] else {"Locked", "Unlocked"}
    for vault in inv.backup.vaults:
        state = vault.immutability_state
        if state is None:
            yield Result.unknown(vault, "the vault's GET reported no securitySettings.immutabilitySettings.state")
        elif state in accepted:
            yield Result.passed(vault, f"immutabilitySettings.state is {state}")
        else:
            yield Result.failed(vault, f"immutabilitySettings.state is {state}")
