"""Network (plain GETs: azure-mgmt-network is a large package for a few list calls): network security
groups with their rules and attachments, network interfaces, and the flow logs of every network
watcher in the subscription. Every field read comes from the subscription-wide LISTs, which return
the full resource (rules, subnets, NICs) for these types."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.network import FlowLog, NetworkInterface, NetworkSecurityGroup, SecurityRule

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2026-03-01"  # Microsoft.Network (azure-mgmt-network 33.1.0 models it)


def _ids(items: list[dict[str, Any]] | None) -> list[str]:
    return [item["id"] for item in items or [] if item.get("id")]


def _rule(body: dict[str, Any]) -> SecurityRule:
    p = props(body)
    sources = ([p["sourceAddressPrefix"]] if p.get("sourceAddressPrefix") else []) + list(p.get("sourceAddressPrefixes") or [])
    ports = ([p["destinationPortRange"]] if p.get("destinationPortRange") else []) + list(p.get("destinationPortRanges") or [])
    return SecurityRule(
        name=body.get("name") or body.get("id", "").rsplit("/", 1)[-1],
        priority=int(p.get("priority") or 0),
        direction=p.get("direction") or "",
        access=p.get("access") or "",
        protocol=p.get("protocol") or "",
        source_prefixes=[str(s) for s in sources],
        destination_ports=[str(port) for port in ports],
        has_source_groups=bool(p.get("sourceApplicationSecurityGroups")),
    )


@collector("azure.network.security_groups", regional=True, permissions=["Microsoft.Network/networkSecurityGroups/read"])
def security_groups(scope: AzureScope) -> list[NetworkSecurityGroup]:
    items = scope.arm(
        "network", "networkSecurityGroups.listAll", subscription_path(scope, "/providers/Microsoft.Network/networkSecurityGroups"), API_VERSION, paged=True
    )
    return [
        NetworkSecurityGroup(
            **base(scope, body),
            security_rules=[_rule(r) for r in props(body).get("securityRules") or []],
            default_security_rules=[_rule(r) for r in props(body).get("defaultSecurityRules") or []],
            subnet_ids=_ids(props(body).get("subnets")),
            network_interface_ids=_ids(props(body).get("networkInterfaces")),
        )
        for body in items
    ]


@collector("azure.network.network_interfaces", regional=True, permissions=["Microsoft.Network/networkInterfaces/read"])
def network_interfaces(scope: AzureScope) -> list[NetworkInterface]:
    items = scope.arm(
        "network", "networkInterfaces.listAll", subscription_path(scope, "/providers/Microsoft.Network/networkInterfaces"), API_VERSION, paged=True
    )
    result = []
    for body in items:
        p = props(body)
        subnets = [((props(c).get("subnet") or {}).get("id")) for c in p.get("ipConfigurations") or []]
        result.append(
            NetworkInterface(
                **base(scope, body),
                subnet_ids=sorted({s for s in subnets if s}),
                network_security_group_id=(p.get("networkSecurityGroup") or {}).get("id"),
            )
        )
    return result


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
