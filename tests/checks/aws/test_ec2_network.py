"""EC2 network exposure through moto's server: security groups opening SSH, RDP or all ports to
0.0.0.0/0 or ::/0, the default security group with rules, network ACLs evaluated in rule order, and
denied DescribeSecurityGroups / DescribeNetworkAcls (genuine AccessDenied from moto)."""

from __future__ import annotations

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount
from tests.conftest import finding, verdicts

NACL_CHECK = "aws.ec2.network_acl_admin_ports_restricted"


@pytest.fixture
def aws(aws):
    return SharedSessionAccount(aws.endpoint_url)


def _group(ec2, vpc_id: str, name: str, *permissions: dict) -> str:
    group_id = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    if permissions:
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=list(permissions))
    return group_id


def _tcp(port: int, to_port: int | None = None, v4: str | None = None, v6: str | None = None) -> dict:
    rule: dict = {"IpProtocol": "tcp", "FromPort": port, "ToPort": to_port if to_port is not None else port}
    if v4:
        rule["IpRanges"] = [{"CidrIp": v4}]
    if v6:
        rule["Ipv6Ranges"] = [{"CidrIpv6": v6}]
    return rule


def test_security_groups_opening_ssh_rdp_or_every_port_to_the_internet(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    _group(ec2, vpc, "https-world", _tcp(443, v4="0.0.0.0/0", v6="::/0"))
    _group(ec2, vpc, "ssh-office", _tcp(22, v4="203.0.113.0/24"))
    _group(ec2, vpc, "rdp-udp-world", {"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})
    _group(ec2, vpc, "ssh-world", _tcp(22, v4="0.0.0.0/0"))
    _group(ec2, vpc, "rdp-ipv6", _tcp(3389, v6="::/0"))
    _group(ec2, vpc, "range-20-25", _tcp(20, 25, v4="0.0.0.0/0"))
    _group(ec2, vpc, "every-tcp-port", _tcp(0, 65535, v4="0.0.0.0/0"))
    _group(ec2, vpc, "all-traffic", {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})
    _group(ec2, vpc, "from-other-group", {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": _group(ec2, vpc, "peer")}]})

    report = aws.scan("aws.ec2.security_group_ssh_restricted", "aws.ec2.security_group_rdp_restricted", "aws.ec2.security_group_all_ports_restricted")
    # default, peer and from-other-group (sources are security groups), https-world and ssh-office never open these
    assert verdicts(report, "aws.ec2.security_group_ssh_restricted") == {
        ("default", "PASS"), ("peer", "PASS"), ("from-other-group", "PASS"), ("https-world", "PASS"), ("ssh-office", "PASS"),
        ("rdp-udp-world", "PASS"), ("rdp-ipv6", "PASS"),
        ("ssh-world", "FAIL"), ("range-20-25", "FAIL"), ("every-tcp-port", "FAIL"), ("all-traffic", "FAIL")}
    assert verdicts(report, "aws.ec2.security_group_rdp_restricted") == {
        ("default", "PASS"), ("peer", "PASS"), ("from-other-group", "PASS"), ("https-world", "PASS"), ("ssh-office", "PASS"),
        ("ssh-world", "PASS"), ("range-20-25", "PASS"),
        ("rdp-udp-world", "FAIL"), ("rdp-ipv6", "FAIL"), ("every-tcp-port", "FAIL"), ("all-traffic", "FAIL")}
    assert verdicts(report, "aws.ec2.security_group_all_ports_restricted") == {
        ("default", "PASS"), ("peer", "PASS"), ("from-other-group", "PASS"), ("https-world", "PASS"), ("ssh-office", "PASS"),
        ("ssh-world", "PASS"), ("range-20-25", "PASS"), ("rdp-udp-world", "PASS"), ("rdp-ipv6", "PASS"),
        ("every-tcp-port", "FAIL"), ("all-traffic", "FAIL")}

    def message(check: str, name: str) -> str:
        return finding(report, f"aws.ec2.security_group_{check}_restricted", name).message

    assert message("ssh", "range-20-25") == "inbound rule allows tcp:20-25 from 0.0.0.0/0: SSH is open to the internet"
    assert message("rdp", "rdp-ipv6") == "inbound rule allows tcp:3389 from ::/0: RDP is open to the internet"
    assert message("all_ports", "all-traffic") == "inbound rule allows all traffic from 0.0.0.0/0, ::/0: every port is open to the internet"
    assert message("ssh", "https-world") == "no inbound rule allows SSH from 0.0.0.0/0 or ::/0"
    assert finding(report, "aws.ec2.security_group_ssh_restricted", "ssh-world").evidence["vpc_id"] == vpc


def test_default_security_group_with_rules_fails(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    [closed] = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"]
    for permission in closed["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=closed["GroupId"], IpPermissions=[permission])
    if closed["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=closed["GroupId"], IpPermissions=closed["IpPermissions"])
    _group(ec2, vpc, "app")  # not a default group: not judged

    report = aws.scan("aws.ec2.default_security_group_restricts_all")
    by_group = {f.evidence["group_id"]: (f.status.value, f.message) for f in report.findings}
    # the default VPC's default group keeps the allow-all outbound rule AWS creates
    assert verdicts(report, "aws.ec2.default_security_group_restricts_all") == {("default", "PASS"), ("default", "FAIL")}
    assert by_group[closed["GroupId"]] == ("PASS", "default group has no inbound or outbound rules")
    [(status, message)] = [v for k, v in by_group.items() if k != closed["GroupId"]]
    assert status == "FAIL" and message.startswith("default group has") and "1 outbound rule(s)" in message


def _acl(ec2, vpc_id: str, name: str, *entries: tuple) -> str:
    acl_id = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": name}]}])[
        "NetworkAcl"]["NetworkAclId"]
    for number, protocol, action, cidr, ports in entries:
        entry = {"NetworkAclId": acl_id, "RuleNumber": number, "Protocol": protocol, "RuleAction": action, "Egress": False}
        entry["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
        if ports:
            entry["PortRange"] = {"From": ports[0], "To": ports[1]}
        ec2.create_network_acl_entry(**entry)
    return acl_id


def test_network_acls_are_evaluated_in_rule_order(aws):
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    _acl(ec2, vpc, "pass-denies-admin-first",
         (90, "6", "deny", "0.0.0.0/0", (22, 22)), (91, "6", "deny", "0.0.0.0/0", (3389, 3389)), (100, "-1", "allow", "0.0.0.0/0", None))
    _acl(ec2, vpc, "pass-https-only", (100, "6", "allow", "0.0.0.0/0", (443, 443)), (110, "6", "allow", "::/0", (443, 443)))
    _acl(ec2, vpc, "fail-narrow-deny-first",
         (90, "6", "deny", "10.0.0.0/8", (22, 22)), (100, "6", "allow", "0.0.0.0/0", (0, 65535)))
    _acl(ec2, vpc, "fail-rdp-ipv6", (100, "6", "allow", "::/0", (3389, 3389)))
    _acl(ec2, vpc, "fail-deny-after-allow", (100, "-1", "allow", "0.0.0.0/0", None), (110, "6", "deny", "0.0.0.0/0", (22, 22)))

    report = aws.scan(NACL_CHECK)
    names = {f.resource_name for f in report.findings if f.check_id == NACL_CHECK}
    defaults = sorted(n for n in names if n.startswith("acl-"))  # the default ACLs of both VPCs: allow all
    assert len(defaults) == 2
    assert verdicts(report, "aws.ec2.network_acl_admin_ports_restricted") == {
        ("pass-denies-admin-first", "PASS"), ("pass-https-only", "PASS"),
        ("fail-narrow-deny-first", "FAIL"), ("fail-rdp-ipv6", "FAIL"), ("fail-deny-after-allow", "FAIL"),
        (defaults[0], "FAIL"), (defaults[1], "FAIL"),
    }
    assert finding(report, NACL_CHECK, "fail-rdp-ipv6").message == "inbound entries allow tcp:3389 (RDP) from ::/0 (rule 100)"
    assert finding(report, NACL_CHECK, "fail-deny-after-allow").message == (
        "inbound entries allow tcp:22 (SSH) from 0.0.0.0/0 (rule 100); tcp:3389 (RDP) from 0.0.0.0/0 (rule 100)")
    assert finding(report, NACL_CHECK, defaults[0]).evidence["is_default"] is True


def test_denied_security_groups_and_network_acls_are_errors(aws, denied_session):
    ec2 = aws.client("ec2")
    _group(ec2, ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"], "guarded", _tcp(22, v4="0.0.0.0/0"))
    session = denied_session("ec2:DescribeSecurityGroups", "ec2:DescribeNetworkAcls")
    checks = ("aws.ec2.security_group_ssh_restricted", "aws.ec2.security_group_rdp_restricted", "aws.ec2.security_group_all_ports_restricted",
              "aws.ec2.default_security_group_restricts_all", NACL_CHECK)
    report = aws.scan(*checks, session=session)
    assert {(f.check_id, f.status.value) for f in report.findings} == {(c, "ERROR") for c in checks}
    assert all("access denied to ec2:Describe" in f.message for f in report.findings)
