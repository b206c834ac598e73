"""Network: NSG flow logs and their retention."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.azure import AzureInventory
from scanner.models.azure.network import FlowLog
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

NSGS = "azure.network.security_groups"
FLOW_LOGS = "azure.network.flow_logs"


def _logs_by_target(inv: AzureInventory) -> dict[str, list[FlowLog]]:
    logs: dict[str, list[FlowLog]] = {}
    for log in inv.network.flow_logs:
        logs.setdefault(log.target_resource_id.lower(), []).append(log)
    return logs


@check(
    id="azure.network.nsg_flow_logs_enabled",
    title="Network security groups have flow logs enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="Microsoft.Network/networkSecurityGroups",
    reads=[NSGS, FLOW_LOGS],
    remediation="Enable a flow log for the NSG in Network Watcher (or a VNet flow log for its virtual network: NSG "
    "flow logs can no longer be created after June 2025).",
)
def nsg_flow_logs_enabled(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Flow logs record which traffic each network security group allowed or denied, the network
    evidence incident responders need (CC6.6, CC7.2)."""
    logs = _logs_by_target(inv)
    for nsg in inv.network.security_groups:
        enabled = [log for log in logs.get(nsg.id.lower(), []) if log.enabled]
        if enabled:
            yield Result.passed(nsg, f"flow log {enabled[0].name!r} is enabled", flow_log=enabled[0].id)
        else:
            yield Result.failed(nsg, "no enabled flow log targets this network security group")


@check(
    id="azure.network.flow_log_retention",
    title="Flow logs are retained for at least the configured days",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="Microsoft.Network/networkWatchers/flowLogs",
    reads=[FLOW_LOGS],
    params={"min_days": Param(90, minimum=1, maximum=365)},
    remediation="Set the flow log's retention policy to 90 days or more (0 with retention enabled keeps logs forever).",
)
def flow_log_retention(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Network evidence must outlive the time it takes to notice an incident (CC7.2, CC7.3)."""
    for log in inv.network.flow_logs:
        if not log.enabled:
            continue
        days = log.retention_days
        evidence = {"retention_enabled": log.retention_enabled, "retention_days": days}
        if log.retention_enabled and (days == 0 or days >= ctx.params["min_days"]):
            yield Result.passed(log, "retention is unlimited" if days == 0 else f"retention is {days} days", **evidence)
        elif not log.retention_enabled:
            yield Result.failed(log, "retention policy is disabled (the storage account's lifecycle decides)", **evidence)
        else:
            yield Result.failed(log, f"retention is {days} days, fewer than {ctx.params['min_days']}", **evidence)
