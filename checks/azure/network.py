"""Network: flow logs for network security groups (NSG flow logs, or VNet flow logs on what the NSG
is attached to) and their retention; NSG rules that open SSH, RDP or every port to the Internet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.network import FlowLog, NetworkInterface, NetworkSecurityGroup, SecurityRule
from scanner.models.common import Category, Severity
from scanner.models.index import per_inventory, per_inventory_item
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

NSGS = "azure.network.security_groups"
NICS = "azure.network.network_interfaces"
FLOW_LOGS = "azure.network.flow_logs"
NSG_TYPE = "Microsoft.Network/networkSecurityGroups"


def _logs_by_target(inv: AzureInventory) -> dict[str, list[FlowLog]]:
    logs: dict[str, list[FlowLog]] = {}
    for log in inv.network.flow_logs:
        if log.enabled:
            logs.setdefault(log.target_resource_id.lower(), []).append(log)
    return logs


def _virtual_network(subnet_id: str) -> str:
    return subnet_id.lower().split("/subnets/", 1)[0]


@per_inventory
def _nics(inv: AzureInventory) -> dict[str, NetworkInterface]:
    return {nic.id.lower(): nic for nic in inv.network.network_interfaces}


def _attachments(inv: AzureInventory, nsg: NetworkSecurityGroup) -> list[tuple[str, list[str]]]:
    """Each subnet or NIC the NSG is attached to, with the flow log targets that would cover its traffic:
    itself, and (VNet flow logs) its subnet and virtual network."""
    nics = _nics(inv)
    attached = [(subnet, [subnet.lower(), _virtual_network(subnet)]) for subnet in nsg.subnet_ids]
    for nic_id in nsg.network_interface_ids:
        nic = nics.get(nic_id.lower())
        subnets = nic.subnet_ids if nic else []
        attached.append((nic_id, [nic_id.lower()] + [s.lower() for s in subnets] + [_virtual_network(s) for s in subnets]))
    return attached


def _name(resource_id: str) -> str:
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


@check(
    id="azure.network.nsg_flow_logs_enabled",
    title="Network security groups have flow logs enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=NSG_TYPE,
    reads=[NSGS, FLOW_LOGS, NICS],
    remediation="Enable a VNet flow log (Network Watcher > Flow logs) for the virtual network, subnet or NIC the NSG is "
    "attached to; NSG flow logs can no longer be created after June 2025.",
)
def nsg_flow_logs_enabled(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Flow logs record which traffic each network security group allowed or denied, the network
    evidence incident responders need (CC6.6, CC7.2). VNet flow logs replace NSG flow logs: an NSG is
    covered by a flow log on itself, or when every subnet and NIC it is attached to is covered by a
    flow log on that subnet or NIC or on its virtual network."""
    logs = _logs_by_target(inv)
    for nsg in inv.network.security_groups:
        own = logs.get(nsg.id.lower(), [])
        if own:
            yield Result.passed(nsg, f"flow log {own[0].name!r} is enabled", flow_log=own[0].id)
            continue
        attachments = _attachments(inv, nsg)
        if not attachments:
            yield Result.failed(nsg, "no enabled flow log targets this network security group, and it is attached to no subnet or NIC")
            continue
        covering = {attached: next((log for target in targets for log in logs.get(target, [])), None) for attached, targets in attachments}
        uncovered = sorted(_name(a) for a, log in covering.items() if log is None)
        used = sorted({log.id for log in covering.values() if log is not None})
        if uncovered:
            yield Result.failed(
                nsg, f"no enabled flow log covers {', '.join(uncovered)} (attached to this NSG)", uncovered=uncovered, flow_logs=used
            )
        else:
            names = sorted({_name(log_id) for log_id in used})
            yield Result.passed(nsg, f"VNet flow log {', '.join(repr(n) for n in names)} covers every subnet and NIC it is attached to", flow_logs=used)


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
            yield Result.passed(log, "retention is unlimited" if days == 0 else f"retention is {count(days, 'day')}", **evidence)
        elif not log.retention_enabled:
            yield Result.failed(log, "retention policy is disabled (the storage account's lifecycle decides)", **evidence)
        else:
            yield Result.failed(log, f"retention is {count(days, 'day')}, fewer than {ctx.params['min_days']}", **evidence)


# Source prefixes that mean "anyone on the Internet": any address (IPv4, IPv6) or the Internet service tag.
INTERNET_SOURCES = {"*", "any", "internet", "0.0.0.0/0", "0.0.0.0", "::/0"}
ALL_PORTS = (0, 65535)


def _from_internet(rule: SecurityRule) -> bool:
    return rule.direction.lower() == "inbound" and any(s.strip().lower() in INTERNET_SOURCES for s in rule.source_prefixes)


def _ranges(rule: SecurityRule) -> list[tuple[int, int]]:
    ranges = []
    for port in rule.destination_ports:
        text = port.strip()
        if text == "*":
            ranges.append(ALL_PORTS)
        elif "-" in text:
            low, high = text.split("-", 1)
            ranges.append((int(low), int(high)))
        elif text.isdigit():
            ranges.append((int(text), int(text)))
    return ranges


PortTest = Callable[[list[tuple[int, int]]], bool]  # a rule's port ranges -> do they cover what is judged


@per_inventory_item(key=lambda nsg: nsg.id)
def _rules_from_internet(inv: AzureInventory, nsg: NetworkSecurityGroup) -> list[SecurityRule]:
    """An NSG's inbound rules from the Internet in priority order, sorted once for the three exposure checks."""
    return [rule for rule in sorted(nsg.security_rules + nsg.default_security_rules, key=lambda r: r.priority) if _from_internet(rule)]


def _first_internet_rule(inv: AzureInventory, nsg: NetworkSecurityGroup, protocols: set[str], covers: PortTest) -> SecurityRule | None:
    """The highest-priority inbound rule from the Internet, for one of `protocols` (or any), whose ports
    satisfy `covers`: NSGs apply the first matching rule, so a Deny before an Allow closes the port."""
    for rule in _rules_from_internet(inv, nsg):
        if rule.protocol.lower() in protocols and covers(_ranges(rule)):
            return rule
    return None


def _exposure(inv: AzureInventory, nsg: NetworkSecurityGroup, what: str, protocols: set[str], covers: PortTest) -> Result:
    rule = _first_internet_rule(inv, nsg, {p.lower() for p in protocols} | {"*"}, covers)
    if rule is None:
        return Result.passed(nsg, f"no inbound rule matches {what} from the Internet")
    if rule.access.lower() != "allow":
        by = "the default rule" if any(rule is default for default in nsg.default_security_rules) else "rule"
        return Result.passed(nsg, f"{by} {rule.name!r} (priority {rule.priority}) denies {what} from the Internet before any rule allows it")
    evidence = {"rule": rule.name, "priority": rule.priority, "protocol": rule.protocol, "sources": rule.source_prefixes, "ports": rule.destination_ports}
    protocol = "any protocol" if rule.protocol == "*" else rule.protocol
    return Result.failed(
        nsg,
        f"rule {rule.name!r} (priority {rule.priority}) allows {protocol} to ports {','.join(rule.destination_ports)} "
        f"from {','.join(rule.source_prefixes)}: {what} is open to the Internet",
        **evidence,
    )


def _port(port: int) -> PortTest:
    return lambda ranges: any(low <= port <= high for low, high in ranges)


def _every_port(ranges: list[tuple[int, int]]) -> bool:
    """The ranges together cover 1-65535 ("*", "0-65535", or pieces such as "1-1024" + "1025-65535")."""
    reached = 0
    for low, high in sorted(ranges):
        if low > reached + 1:
            return False
        reached = max(reached, high)
    return reached >= ALL_PORTS[1]


@check(
    id="azure.network.nsg_ssh_restricted",
    title="Network security groups do not allow SSH (22) from the Internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type=NSG_TYPE,
    reads=[NSGS],
    remediation="Remove or narrow the inbound rule (source: a known address range, or use Azure Bastion / just-in-time VM access).",
)
def nsg_ssh_restricted(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """SSH open to any address invites brute force and exploitation of the daemon; logical access to
    administration ports is restricted to known sources (CC6.6, CC6.1). Sources `*`, `0.0.0.0/0`,
    `::/0` and the `Internet` tag count; rules are read in priority order, as the NSG applies them."""
    for nsg in inv.network.security_groups:
        yield _exposure(inv, nsg, "TCP port 22", {"Tcp"}, _port(22))


@check(
    id="azure.network.nsg_rdp_restricted",
    title="Network security groups do not allow RDP (3389) from the Internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type=NSG_TYPE,
    reads=[NSGS],
    remediation="Remove or narrow the inbound rule (source: a known address range, or use Azure Bastion / just-in-time VM access).",
)
def nsg_rdp_restricted(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """RDP open to any address is the most common way into Windows hosts (brute force, BlueKeep-class
    flaws); administration ports are restricted to known sources (CC6.6, CC6.1)."""
    for nsg in inv.network.security_groups:
        yield _exposure(inv, nsg, "port 3389", {"Tcp", "Udp"}, _port(3389))


@check(
    id="azure.network.nsg_all_ports_restricted",
    title="Network security groups do not allow every port from the Internet",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type=NSG_TYPE,
    reads=[NSGS],
    remediation="Replace the rule with rules for the ports the workload serves (e.g. 443), from the sources that need them.",
)
def nsg_all_ports_restricted(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A rule that opens every port to the Internet exposes every service on the host, including ones
    nobody meant to publish (CC6.6)."""
    for nsg in inv.network.security_groups:
        yield _exposure(inv, nsg, "every port", {"Tcp", "Udp"}, _every_port)
