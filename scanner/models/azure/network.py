"""Network security groups (their rules and what they are attached to), network interfaces, and the
flow logs network watchers keep for NSGs, virtual networks, subnets and NICs."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource
from scanner.models.common import Frozen


class SecurityRule(Frozen):
    """One NSG security rule as ARM returns it; the singular and plural prefix/port fields are merged."""

    name: str
    priority: int
    direction: str  # Inbound / Outbound
    access: str  # Allow / Deny
    protocol: str  # Tcp / Udp / Icmp / Esp / Ah / *
    source_prefixes: list[str] = Field(default_factory=list)  # sourceAddressPrefix + sourceAddressPrefixes
    destination_ports: list[str] = Field(default_factory=list)  # destinationPortRange + destinationPortRanges ("22", "1000-2000", "*")
    has_source_groups: bool = False  # sourceApplicationSecurityGroups: never the Internet


class NetworkSecurityGroup(AzureResource):
    security_rules: list[SecurityRule] = Field(default_factory=list)
    default_security_rules: list[SecurityRule] = Field(default_factory=list)
    subnet_ids: list[str] = Field(default_factory=list)  # properties.subnets[].id
    network_interface_ids: list[str] = Field(default_factory=list)  # properties.networkInterfaces[].id


class NetworkInterface(AzureResource):
    subnet_ids: list[str] = Field(default_factory=list)  # ipConfigurations[].properties.subnet.id
    network_security_group_id: str | None = None


class FlowLog(AzureResource):
    target_resource_id: str  # an NSG, or (VNet flow logs) a virtual network, subnet or network interface
    enabled: bool = False
    retention_enabled: bool = False
    retention_days: int = 0  # 0 with retention enabled = keep forever
    storage_id: str | None = None


class Network(BaseModel):
    security_groups: list[NetworkSecurityGroup] = Field(default_factory=list)
    network_interfaces: list[NetworkInterface] = Field(default_factory=list)
    flow_logs: list[FlowLog] = Field(default_factory=list)
