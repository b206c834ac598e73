"""Network (plain GETs: azure-mgmt-network is a 31 MB package for two list calls): network security
groups, and the flow logs of every network watcher in the subscription."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.network import FlowLog, NetworkSecurityGroup

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2024-05-01"


@collector("azure.network.security_groups", regional=True, permissions=["Microsoft.Network/networkSecurityGroups/read"])
def security_groups(scope: AzureScope) -> list[NetworkSecurityGroup]:
    items = scope.arm(
        "network", "networkSecurityGroups.listAll", subscription_path(scope, "/providers/Microsoft.Network/networkSecurityGroups"), API_VERSION, paged=True
    )
    return [NetworkSecurityGroup(**base(scope, body)) for body in items]


@collector(
    "azure.network.flow_logs",
    regional=True,
    permissions=["Microsoft.Network/networkWatchers/read", "Microsoft.Network/networkWatchers/flowLogs/read"],
)
def flow_logs(scope: AzureScope) -> list[FlowLog]:
    watchers = scope.arm("network", "networkWatchers.listAll", subscription_path(scope, "/providers/Microsoft.Network/networkWatchers"), API_VERSION, paged=True)

    def logs(watcher: dict[str, Any]) -> list[FlowLog]:
        items = scope.arm("network", "flowLogs.list", f"{watcher['id']}/flowLogs", API_VERSION, paged=True)
        result = []
        for body in items:
            p = props(body)
            retention = p.get("retentionPolicy") or {}
            result.append(
                FlowLog(
                    **base(scope, body),
                    target_resource_id=p.get("targetResourceId") or "",
                    enabled=bool(p.get("enabled")),
                    retention_enabled=bool(retention.get("enabled")),
                    retention_days=int(retention.get("days") or 0),
                    storage_id=p.get("storageId"),
                )
            )
        return result

    return [log for chunk in scope.map(logs, watchers) for log in chunk]
