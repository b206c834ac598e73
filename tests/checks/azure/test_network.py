"""Network checks: flow logs (NSG flow logs and VNet flow logs on what an NSG is attached to), their
retention, and NSG rules that open SSH, RDP or every port to the Internet."""

from __future__ import annotations

import pytest

from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

DEV_NSGS = f"/subscriptions/{DEV}/providers/Microsoft.Network/networkSecurityGroups"
DEV_FLOW_LOGS = f"/subscriptions/{DEV}/resourceGroups/NetworkWatcherRG/providers/Microsoft.Network/networkWatchers/NetworkWatcher_northeurope/flowLogs"
DEV_VNET = f"{rg(DEV, 'rg-contoso-dev')}/providers/Microsoft.Network/virtualNetworks/vnet-contoso-dev"
EXPOSURE = ("azure.network.nsg_ssh_restricted", "azure.network.nsg_rdp_restricted", "azure.network.nsg_all_ports_restricted")


def _route_body(azure, path: str) -> dict:
    return next(r.body for r in azure.cloud.routes if r.path == path)


def test_flow_logs_enabled_and_retained(azure):
    report = azure.scan("azure.network.nsg_flow_logs_enabled", "azure.network.flow_log_retention")
    # nsg-app has no NSG flow log: the VNet flow log on vnet-contoso-prod covers the NICs it is attached to.
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == {
        ("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), ("nsg-dev", "FAIL"), ("nsg-dev-debug", "FAIL"),
    }
    app = finding(report, "azure.network.nsg_flow_logs_enabled", "nsg-app")
    assert app.message == "VNet flow log 'fl-vnet-contoso-prod' covers every subnet and NIC it is attached to"
    # dev's only flow log covers vm-dev-01-nic, not the subnet nsg-dev is attached to.
    assert finding(report, "azure.network.nsg_flow_logs_enabled", "nsg-dev").evidence["uncovered"] == ["snet-dev"]
    assert verdicts(report, "azure.network.flow_log_retention") == {
        ("fl-nsg-web", "PASS"), ("fl-nsg-db", "FAIL"), ("fl-vnet-contoso-prod", "PASS"), ("fl-vm-dev-01-nic", "FAIL"),
    }
    assert finding(report, "azure.network.flow_log_retention", "fl-nsg-db").evidence == {"retention_days": 30, "retention_enabled": True}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (DEV_VNET, {("nsg-dev", "PASS"), ("nsg-dev-debug", "PASS")}),  # a VNet flow log covers subnets and NICs in it
        (f"{DEV_VNET}/subnets/snet-dev", {("nsg-dev", "PASS"), ("nsg-dev-debug", "PASS")}),  # the NIC's subnet
        (f"{rg(DEV, 'rg-contoso-dev')}/providers/Microsoft.Network/networkInterfaces/vm-dev-02-nic", {("nsg-dev", "FAIL"), ("nsg-dev-debug", "PASS")}),
        (f"{rg(DEV, 'rg-contoso-dev')}/providers/Microsoft.Network/virtualNetworks/vnet-other", {("nsg-dev", "FAIL"), ("nsg-dev-debug", "FAIL")}),
    ],
)
def test_vnet_flow_logs_cover_the_nsg_through_its_attachments(azure, target, expected):
    logs = _route_body(azure, DEV_FLOW_LOGS)
    log = {**logs["value"][0], "properties": {**logs["value"][0]["properties"], "targetResourceId": target}}
    azure.body(DEV_FLOW_LOGS, {"value": [log]})
    report = azure.scan("azure.network.nsg_flow_logs_enabled", subscriptions=(DEV,))
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == expected


def test_a_disabled_vnet_flow_log_covers_nothing(azure):
    logs = _route_body(azure, DEV_FLOW_LOGS)
    log = {**logs["value"][0], "properties": {**logs["value"][0]["properties"], "targetResourceId": DEV_VNET, "enabled": False}}
    azure.body(DEV_FLOW_LOGS, {"value": [log]})
    report = azure.scan("azure.network.nsg_flow_logs_enabled", subscriptions=(DEV,))
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == {("nsg-dev", "FAIL"), ("nsg-dev-debug", "FAIL")}


def test_watchers_denied_is_error_not_missing_flow_logs(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Network/networkWatchers", "denied", action="Microsoft.Network/networkWatchers/read")
    report = azure.scan("azure.network.nsg_flow_logs_enabled")
    # dev's verdicts would rest on the unread flow logs: the subscription's ERROR stands for them.
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == {("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), (f"azure {DEV}", "ERROR")}


def test_network_interfaces_denied_is_error(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.Network/networkInterfaces", "denied", action="Microsoft.Network/networkInterfaces/read")
    report = azure.scan("azure.network.nsg_flow_logs_enabled")
    assert (f"azure {PROD}", "ERROR") in verdicts(report, "azure.network.nsg_flow_logs_enabled")
    assert not {n for n, s in verdicts(report, "azure.network.nsg_flow_logs_enabled") if s == "PASS"} & {"nsg-web", "nsg-db", "nsg-app"}


def test_nsg_rules_open_to_the_internet(azure):
    report = azure.scan(*EXPOSURE)
    # nsg-db allows 22 from 203.0.113.0/24 only; nsg-app denies 3389 from the Internet (priority 100) before allowing it from * (300);
    # nsg-dev allows 22 from * and 3380-3390 from 0.0.0.0/0 (in a list of prefixes); nsg-dev-debug allows every port from Internet.
    assert verdicts(report, "azure.network.nsg_ssh_restricted") == {
        ("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), ("nsg-dev", "FAIL"), ("nsg-dev-debug", "FAIL"),
    }
    assert verdicts(report, "azure.network.nsg_rdp_restricted") == {
        ("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), ("nsg-dev", "FAIL"), ("nsg-dev-debug", "FAIL"),
    }
    assert verdicts(report, "azure.network.nsg_all_ports_restricted") == {
        ("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), ("nsg-dev", "PASS"), ("nsg-dev-debug", "FAIL"),
    }
    ssh = finding(report, "azure.network.nsg_ssh_restricted", "nsg-dev")
    assert ssh.message == "rule 'allow-ssh-anywhere' (priority 200) allows Tcp to ports 22 from *: TCP port 22 is open to the Internet"
    rdp = finding(report, "azure.network.nsg_rdp_restricted", "nsg-dev")
    assert rdp.evidence == {"rule": "allow-rdp-range", "priority": 210, "protocol": "Tcp", "sources": ["198.51.100.0/24", "0.0.0.0/0"], "ports": ["3380-3390"]}
    assert finding(report, "azure.network.nsg_rdp_restricted", "nsg-app").message == (
        "rule 'deny-rdp-internet' (priority 100) denies port 3389 from the Internet before any rule allows it"
    )
    assert finding(report, "azure.network.nsg_ssh_restricted", "nsg-web").message == (
        "the default rule 'DenyAllInBound' (priority 65500) denies TCP port 22 from the Internet before any rule allows it"
    )
    assert "allows any protocol to ports *" in finding(report, "azure.network.nsg_all_ports_restricted", "nsg-dev-debug").message


@pytest.mark.parametrize(("ports", "all_ports"), [(["1-65535"], "FAIL"), (["0-65535"], "FAIL"), (["2-65535"], "PASS"), (["1-1024", "1025-65535"], "FAIL"), (["1-1024", "1026-65535"], "PASS")])
def test_all_ports_means_the_whole_range_in_one_rule_pieces_included(azure, ports, all_ports):
    nsgs = _route_body(azure, DEV_NSGS)
    nsg = nsgs["value"][1]
    rule = {**nsg["properties"]["securityRules"][0]}
    rule["properties"] = {**rule["properties"], "destinationPortRange": "", "destinationPortRanges": ports}
    azure.body(DEV_NSGS, {"value": [{**nsg, "properties": {**nsg["properties"], "securityRules": [rule]}}]})
    report = azure.scan("azure.network.nsg_all_ports_restricted", "azure.network.nsg_ssh_restricted", subscriptions=(DEV,))
    assert verdicts(report, "azure.network.nsg_all_ports_restricted") == {("nsg-dev-debug", all_ports)}
    assert verdicts(report, "azure.network.nsg_ssh_restricted") == {("nsg-dev-debug", "FAIL")}  # 22 is open in every case


@pytest.mark.parametrize("source", ["::/0", "0.0.0.0/0", "Internet", "*"])
def test_every_internet_source_spelling_is_exposure(azure, source):
    nsgs = _route_body(azure, DEV_NSGS)
    nsg = nsgs["value"][1]
    rule = {**nsg["properties"]["securityRules"][0]}
    rule["properties"] = {**rule["properties"], "protocol": "Tcp", "destinationPortRange": "", "destinationPortRanges": ["80", "20-25"],
                          "sourceAddressPrefix": "", "sourceAddressPrefixes": ["10.0.0.0/8", source]}
    azure.body(DEV_NSGS, {"value": [{**nsg, "properties": {**nsg["properties"], "securityRules": [rule]}}]})
    report = azure.scan(*EXPOSURE, subscriptions=(DEV,))
    assert verdicts(report, "azure.network.nsg_ssh_restricted") == {("nsg-dev-debug", "FAIL")}
    assert verdicts(report, "azure.network.nsg_rdp_restricted") == {("nsg-dev-debug", "PASS")}
    assert verdicts(report, "azure.network.nsg_all_ports_restricted") == {("nsg-dev-debug", "PASS")}


def test_nsgs_denied_is_error_never_pass(azure):
    azure.error(DEV_NSGS, "denied", action="Microsoft.Network/networkSecurityGroups/read")
    report = azure.scan(*EXPOSURE)
    for check_id in EXPOSURE:
        assert verdicts(report, check_id) == {("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-app", "PASS"), (f"azure {DEV}", "ERROR")}


def test_network_provider_not_registered_is_not_applicable(azure):
    azure.error(DEV_NSGS, "not_registered", action="Microsoft.Network")
    report = azure.scan("azure.network.nsg_ssh_restricted", subscriptions=(DEV,))
    assert verdicts(report, "azure.network.nsg_ssh_restricted") == {(f"azure {DEV}", "NOT_APPLICABLE")}
