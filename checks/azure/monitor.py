"""Azure Monitor: activity log export (and the storage it lands in), activity log alerts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.storage import StorageAccount
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

REQUIRED_CATEGORIES = ("Administrative", "Security", "Policy", "Alert")


@check(
    id="azure.monitor.activity_log_exported",
    title="Each subscription exports its activity log (Administrative, Security, Policy, Alert)",
    severity=Severity.HIGH,
    category=Category.LOGGING,
    resource_type="Microsoft.Insights/diagnosticSettings",
    reads=["azure.monitor.activity_log"],
    remediation="Add a subscription diagnostic setting (Monitor > Activity log > Export activity logs) with at least "
    "the Administrative, Security, Policy and Alert categories, sent to Log Analytics or a storage account.",
)
def activity_log_exported(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """The activity log is the record of every change to the subscription's resources but Azure keeps
    it only 90 days; exporting it is what makes it audit evidence (CC7.2, CC7.3)."""
    for sub in inv.monitor.activity_log:
        covered: set[str] = set()
        for setting in sub.settings:
            if setting.has_destination:
                covered |= set(setting.categories)
        if "group:allLogs" in covered:
            covered |= set(REQUIRED_CATEGORIES)
        missing = [c for c in REQUIRED_CATEGORIES if c not in covered]
        evidence = {"settings": [s.name for s in sub.settings], "categories": sorted(covered)}
        if not sub.settings:
            yield Result.failed(sub, "no diagnostic setting exports the activity log", **evidence)
        elif missing:
            yield Result.failed(sub, f"activity log export misses categories {', '.join(missing)}", missing=missing, **evidence)
        else:
            yield Result.passed(sub, "activity log exported with Administrative, Security, Policy and Alert", **evidence)


def _activity_log_accounts(inv: AzureInventory) -> Iterator[StorageAccount]:
    targets = {s.storage_account_id.lower() for sub in inv.monitor.activity_log for s in sub.settings if s.storage_account_id}
    for account in inv.storage.accounts:
        if account.id.lower() in targets:
            yield account


@check(
    id="azure.monitor.activity_log_storage_private",
    title="Storage accounts holding activity logs disallow public access",
    severity=Severity.HIGH,
    category=Category.LOGGING,
    resource_type="Microsoft.Storage/storageAccounts",
    reads=["azure.monitor.activity_log", "azure.storage.accounts"],
    remediation="az storage account update -n NAME -g RG --allow-blob-public-access false on the account the activity log is exported to.",
)
def activity_log_storage_private(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Audit logs in a publicly readable account leak the organisation's operations and can be deleted
    or altered by anyone with a key (CC7.2, C1.1)."""
    for account in _activity_log_accounts(inv):
        if account.allow_blob_public_access is False:
            yield Result.passed(account, "activity log storage account has allowBlobPublicAccess false")
        else:
            yield Result.failed(account, "activity log storage account allows public blob access", allow_blob_public_access=account.allow_blob_public_access)


@check(
    id="azure.monitor.activity_log_storage_cmk",
    title="Storage accounts holding activity logs are encrypted with customer-managed keys",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="Microsoft.Storage/storageAccounts",
    reads=["azure.monitor.activity_log", "azure.storage.accounts"],
    remediation="Configure a customer-managed key (Key Vault) for the storage account the activity log is exported to.",
)
def activity_log_storage_cmk(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A customer-managed key puts the audit trail under the organisation's own key controls (CIS 5.1.4; CC7.2)."""
    for account in _activity_log_accounts(inv):
        if account.key_source == "Microsoft.Keyvault":
            yield Result.passed(account, "activity log storage account uses a customer-managed key")
        else:
            yield Result.failed(account, f"activity log storage account keySource is {account.key_source}")


def _alert_check(inv: AzureInventory, topic: str, operations: tuple[str, ...]) -> Iterator[Result]:
    for sub in inv.monitor.activity_log_alerts:
        missing = [op for op in operations if not sub.alerting_on(op)]
        evidence = {"required": list(operations), "alerts": sorted(a.name for a in sub.alerts)}
        if missing:
            yield Result.failed(sub, f"no enabled activity log alert with an action group for {', '.join(missing)}", missing=missing, **evidence)
        else:
            yield Result.passed(sub, f"activity log alerts notify on {topic}", **evidence)


def _alert(id_: str, title: str, topic: str, operations: tuple[str, ...], rationale: str):  # noqa: ANN202 - check factory
    def func(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
        yield from _alert_check(inv, topic, operations)

    func.__doc__ = rationale
    func.__name__ = func.__qualname__ = id_.rsplit(".", 1)[-1]
    return check(
        id=id_,
        title=title,
        severity=Severity.MEDIUM,
        category=Category.LOGGING,
        resource_type="Microsoft.Insights/activityLogAlerts",
        reads=["azure.monitor.activity_log_alerts"],
        remediation=f"Create activity log alert rules for {' and '.join(operations)} on the subscription, each with an action group that notifies the security team.",
    )(func)


alert_policy_assignment = _alert(
    "azure.monitor.alert_policy_assignment",
    "Activity log alerts fire on policy assignment changes",
    "policy assignment changes",
    ("Microsoft.Authorization/policyAssignments/write", "Microsoft.Authorization/policyAssignments/delete"),
    "Removing a policy assignment disables a guardrail silently; an alert makes the change visible (CC7.2, CC8.1).",
)
alert_nsg_changes = _alert(
    "azure.monitor.alert_nsg_changes",
    "Activity log alerts fire on network security group changes",
    "network security group changes",
    ("Microsoft.Network/networkSecurityGroups/write", "Microsoft.Network/networkSecurityGroups/delete"),
    "Opening a network security group exposes workloads to the internet; an alert lets the team review it (CC7.2, CC6.6).",
)
alert_security_solution = _alert(
    "azure.monitor.alert_security_solution",
    "Activity log alerts fire on security solution changes",
    "security solution changes",
    ("Microsoft.Security/securitySolutions/write", "Microsoft.Security/securitySolutions/delete"),
    "Changing or removing a security solution is how an intruder blinds monitoring; an alert exposes it (CC7.2).",
)
alert_sql_firewall = _alert(
    "azure.monitor.alert_sql_firewall",
    "Activity log alerts fire on SQL server firewall rule changes",
    "SQL firewall rule changes",
    ("Microsoft.Sql/servers/firewallRules/write", "Microsoft.Sql/servers/firewallRules/delete"),
    "A new SQL firewall rule can open a database to the internet; an alert lets the team catch it (CC7.2, CC6.6).",
)
