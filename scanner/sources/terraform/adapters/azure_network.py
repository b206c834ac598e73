"""Azure network security groups with their rules (inline security_rule blocks and
azurerm_network_security_rule resources), what they are attached to (the subnet and network
interface association resources), network interfaces, and Network Watcher flow logs.

Every NSG also has Azure's fixed default rules (AllowVnetInBound, AllowAzureLoadBalancerInBound,
DenyAllInBound at 65000-65500, and their outbound counterparts), which no configuration declares:
they are added as ARM reports them."""

from __future__ import annotations

from typing import Any

from scanner.models.azure.network import FlowLog, NetworkInterface, NetworkSecurityGroup, SecurityRule
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.adapters._azure import arm_id, location, reference, resource_group
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown, first_unknown

RULES = ("azurerm_network_security_rule",)
SUBNET_ASSOCIATIONS = ("azurerm_subnet_network_security_group_association",)
NIC_ASSOCIATIONS = ("azurerm_network_interface_security_group_association",)
DEFAULT_RULES_NOTE = "Azure adds its default rules to every NSG (DenyAllInBound at priority 65500 ends the inbound list)"


def _default(name: str, priority: int, direction: str, access: str, source: str) -> SecurityRule:
    return SecurityRule(name=name, priority=priority, direction=direction, access=access, protocol="*", source_prefixes=[source], destination_ports=["*"])


DEFAULT_RULES = [
    _default("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork"),
    _default("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer"),
    _default("DenyAllInBound", 65500, "Inbound", "Deny", "*"),
    _default("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork"),
    _default("AllowInternetOutBound", 65001, "Outbound", "Allow", "*"),
    _default("DenyAllOutBound", 65500, "Outbound", "Deny", "*"),
]


@identity("azurerm_network_security_group")
def _nsg_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Network/networkSecurityGroups", name)}


@identity("azurerm_virtual_network")
def _vnet_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Network/virtualNetworks", name)}


@identity("azurerm_subnet")
def _subnet_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    vnet = ctx.ref(tf, tf.values.get("virtual_network_name"))
    vnet_name = vnet if isinstance(vnet, str) else "(known after apply)"
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Network/virtualNetworks", f"{vnet_name}/subnets/{name}")}


@identity("azurerm_network_interface")
def _nic_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Network/networkInterfaces", name)}


@identity("azurerm_network_watcher")
def _watcher_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Network/networkWatchers", name)}


def _strings(values: dict[str, Any], single: str, plural: str) -> list[str]:
    one = values.get(single)
    many = values.get(plural) or []
    return ([str(one)] if one not in (None, "") else []) + [str(v) for v in many]


def _rule(values: dict[str, Any]) -> SecurityRule | Unknown:
    """One rule's settings (singular and plural prefix / port arguments merged, as ARM does)."""
    wanted = {k: values.get(k) for k in (
        "name", "priority", "direction", "access", "protocol", "source_address_prefix", "source_address_prefixes",
        "destination_port_range", "destination_port_ranges", "source_application_security_group_ids",
    )}
    unknown = first_unknown(wanted)
    if unknown is not None:
        return unknown
    return SecurityRule(
        name=str(values.get("name") or ""),
        priority=int(values.get("priority") or 0),
        direction=str(values.get("direction") or ""),
        access=str(values.get("access") or ""),
        protocol=str(values.get("protocol") or ""),
        source_prefixes=_strings(values, "source_address_prefix", "source_address_prefixes"),
        destination_ports=_strings(values, "destination_port_range", "destination_port_ranges"),
        has_source_groups=bool(values.get("source_application_security_group_ids")),
    )


def _rules_of(ctx: Context, nsg: TfResource) -> list[TfResource]:
    """azurerm_network_security_rule resources naming this NSG (by name, in its resource group)."""
    group = resource_group(ctx, nsg)
    return [
        tf
        for tf in ctx.referrers(nsg, RULES, "network_security_group_name", "name")
        if ctx.ref(tf, tf.values.get("resource_group_name")) == group
    ]


def _ids(ctx: Context, f: Fields, nsg: TfResource, types: tuple[str, ...], attribute: str, field: str) -> None:
    """The subnets or NICs association resources attach this NSG to."""
    found = ctx.referrers(nsg, types, "network_security_group_id", "id")
    ids = [reference(ctx, tf, tf.values.get(attribute)) for tf in found]
    unknown = next((v for v in ids if isinstance(v, Unknown)), None)
    if unknown is not None:
        f.unknown(field, found[ids.index(unknown)], attribute, unknown, [])
        return
    f.set(field, sorted(ids), tf=found[-1] if found else None)
    unsure = ctx.unresolved_referrers(types, "network_security_group_id", nsg.root)
    if unsure:
        f.unresolved[field] = f"{unsure[0].address}.network_security_group_id is not known, so it may attach this NSG"


@adapter("azure.network.security_groups", ["azurerm_network_security_group", *RULES, *SUBNET_ASSOCIATIONS, *NIC_ASSOCIATIONS])
def security_groups(ctx: Context) -> list[NetworkSecurityGroup]:
    out = []
    for tf in ctx.of_type("azurerm_network_security_group"):
        f = Fields(ctx, tf)
        inline = path_value(tf.values, "security_rule")
        separate = _rules_of(ctx, tf)
        rules: list[SecurityRule] = []
        problem: tuple[TfResource, str, Unknown] | None = None
        if isinstance(inline, Unknown):
            problem = (tf, "security_rule", inline)
        else:
            for values in inline if isinstance(inline, list) else []:
                rule = _rule(values) if isinstance(values, dict) else Unknown(("a security_rule is not an object",))
                if isinstance(rule, Unknown):
                    problem = problem or (tf, "security_rule", rule)
                else:
                    rules.append(rule)
        for rule_tf in separate:
            rule = _rule(rule_tf.values)
            if isinstance(rule, Unknown):
                problem = problem or (rule_tf, "security_rule", rule)
            else:
                rules.append(rule)
        if problem is not None:
            f.unknown("security_rules", problem[0], problem[1], problem[2], rules)
        else:
            f.set("security_rules", rules, tf=separate[-1] if separate and not inline else tf, path="security_rule" if inline else None)
        unsure = ctx.unresolved_referrers(RULES, "network_security_group_name", tf.root)
        if unsure:
            f.unresolved.setdefault("security_rules", f"{unsure[0].address}.network_security_group_name is not known, so its rule may belong to this NSG")
        f.set("default_security_rules", DEFAULT_RULES, note=DEFAULT_RULES_NOTE)
        _ids(ctx, f, tf, SUBNET_ASSOCIATIONS, "subnet_id", "subnet_ids")
        _ids(ctx, f, tf, NIC_ASSOCIATIONS, "network_interface_id", "network_interface_ids")
        ident = ctx.identity_of(tf)
        out.append(f.build(NetworkSecurityGroup, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out


@adapter("azure.network.network_interfaces", ["azurerm_network_interface", *NIC_ASSOCIATIONS])
def network_interfaces(ctx: Context) -> list[NetworkInterface]:
    out = []
    for tf in ctx.of_type("azurerm_network_interface"):
        f = Fields(ctx, tf)
        configurations = path_value(tf.values, "ip_configuration")
        subnets = [reference(ctx, tf, c.get("subnet_id")) for c in configurations if isinstance(c, dict)] if isinstance(configurations, list) else []
        unknown = next((s for s in subnets if isinstance(s, Unknown)), None)
        if isinstance(configurations, Unknown) or unknown is not None:
            f.unknown("subnet_ids", tf, "ip_configuration.subnet_id", configurations if isinstance(configurations, Unknown) else unknown, [])
        else:
            f.set("subnet_ids", sorted({s for s in subnets if isinstance(s, str)}), tf=tf, path="ip_configuration")
        association = next(iter(ctx.referrers(tf, NIC_ASSOCIATIONS, "network_interface_id", "id")), None)
        nsg = reference(ctx, association, association.values.get("network_security_group_id")) if association is not None else None
        f.set("network_security_group_id", nsg if isinstance(nsg, str) else None, tf=association)
        ident = ctx.identity_of(tf)
        out.append(f.build(NetworkInterface, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out


@adapter("azure.network.flow_logs", ["azurerm_network_watcher_flow_log"])
def flow_logs(ctx: Context) -> list[FlowLog]:
    out = []
    for tf in ctx.of_type("azurerm_network_watcher_flow_log"):
        f = Fields(ctx, tf)
        path = "target_resource_id" if "target_resource_id" in tf.values else "network_security_group_id"  # azurerm 3.x names the NSG
        target = reference(ctx, tf, tf.values.get(path))
        if isinstance(target, Unknown) or target is None:
            f.get("target_resource_id", path, placeholder="")
        else:
            f.set("target_resource_id", target, tf=tf, path=path)
        f.get("enabled", default=True, convert=as_bool)
        f.get("retention_enabled", "retention_policy.enabled", default=False, convert=as_bool)
        f.get("retention_days", "retention_policy.days", default=0, convert=as_int)
        storage = reference(ctx, tf, tf.values.get("storage_account_id"))
        f.set("storage_id", storage if isinstance(storage, str) else None, tf=tf, path="storage_account_id")
        watcher = ctx.ref(tf, tf.values.get("network_watcher_name"))
        name = name_or_address(tf.values.get("name"), tf)
        group = resource_group(ctx, tf)
        watcher_name = watcher if isinstance(watcher, str) else "(known after apply)"
        flow_id = f"/subscriptions/(subscription)/resourceGroups/{group}/providers/Microsoft.Network/networkWatchers/{watcher_name}/flowLogs/{name}"
        out.append(f.build(FlowLog, id=flow_id, name=name, region=location(tf), resource_group=group))
    return out
