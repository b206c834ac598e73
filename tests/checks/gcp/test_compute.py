"""Compute Engine checks over aggregatedList / list answers of the fake server."""

from __future__ import annotations

import pytest

from scanner.fakecloud.server import Route
from tests.checks.gcp.conftest import by_project
from tests.conftest import finding, verdicts


def test_oslogin_and_project_ssh_keys(gcp):
    report = gcp.scan("gcp.compute.project_oslogin_enabled", "gcp.compute.project_oslogin_2fa", "gcp.compute.instance_block_project_ssh_keys")
    assert verdicts(report, "gcp.compute.project_oslogin_enabled") == {("acme-prod", "PASS"), ("acme-data", "PASS"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.compute.project_oslogin_2fa") == {("acme-prod", "PASS"), ("acme-data", "FAIL"), ("acme-sandbox", "FAIL")}
    assert verdicts(report, "gcp.compute.instance_block_project_ssh_keys") == {
        ("web-mig-7x2k", "PASS"), ("db-proxy", "PASS"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert finding(report, "gcp.compute.project_oslogin_2fa", "acme-data").message == "enable-oslogin-2fa is not set"
    exempt = gcp.scan("gcp.compute.project_oslogin_2fa", params={"gcp.compute.project_oslogin_2fa": {"exempt_projects": ["acme-data", "acme-sandbox"]}})
    assert verdicts(exempt, "gcp.compute.project_oslogin_2fa") == {("acme-prod", "PASS"), ("gcp acme-data", "NOT_APPLICABLE"), ("gcp acme-sandbox", "NOT_APPLICABLE")}


def test_disk_encryption_snapshots_and_schedules(gcp):
    report = gcp.scan("gcp.compute.disk_cmek", "gcp.compute.disk_snapshot_schedule", "gcp.compute.disk_recent_snapshot")
    assert verdicts(report, "gcp.compute.disk_cmek") == {
        ("web-mig-7x2k", "PASS"), ("db-proxy", "PASS"), ("etl-scratch", "PASS"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert verdicts(report, "gcp.compute.disk_snapshot_schedule") == {
        ("web-mig-7x2k", "PASS"), ("db-proxy", "PASS"), ("etl-scratch", "FAIL"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert verdicts(report, "gcp.compute.disk_recent_snapshot") == {
        ("web-mig-7x2k", "PASS"), ("db-proxy", "PASS"), ("etl-scratch", "FAIL"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert finding(report, "gcp.compute.disk_recent_snapshot", "etl-worker").message == "latest snapshot is 30 days old (limit 7)"
    # etl-scratch has a resource policy, but a placement policy is not a snapshot schedule
    assert "weekly-placement" in str(finding(report, "gcp.compute.disk_snapshot_schedule", "etl-scratch").evidence)
    no_csek = gcp.scan("gcp.compute.disk_cmek", params={"gcp.compute.disk_cmek": {"allow_csek": False}})
    assert finding(no_csek, "gcp.compute.disk_cmek", "etl-scratch").status.value == "FAIL"


def test_disk_snapshot_schedule_without_resource_policies(gcp):
    """Resource policies are an optional input: with acme-data's list denied, its disk with no
    policy attached still FAILs, the one with a policy attached is ERROR (is it a schedule?), and
    acme-prod's disks are judged as ever."""
    gcp.fail("/compute/v1/projects/acme-data/aggregated/resourcePolicies", "permission_denied", service="compute.googleapis.com")
    report = gcp.scan("gcp.compute.disk_snapshot_schedule")
    assert verdicts(report, "gcp.compute.disk_snapshot_schedule") == {
        ("web-mig-7x2k", "PASS"), ("db-proxy", "PASS"), ("etl-worker", "FAIL"), ("etl-scratch", "ERROR"), ("test-vm", "FAIL")}
    assert "weekly-placement could not be read" in finding(report, "gcp.compute.disk_snapshot_schedule", "etl-scratch").message


def test_flow_logs_firewall_and_load_balancer_logging(gcp):
    report = gcp.scan("gcp.compute.subnet_flow_logs", "gcp.compute.firewall_rule_logging", "gcp.compute.backend_service_logging")
    # prod-proxy-only (REGIONAL_MANAGED_PROXY) cannot have flow logs and is skipped; prod-legacy-eu's
    # PRIVATE_RFC_1918 is a regular subnet (compute v1 discovery document) and is judged
    assert verdicts(report, "gcp.compute.subnet_flow_logs") == {
        ("prod-us-central1", "PASS"), ("default-eu", "PASS"), ("default", "FAIL"), ("prod-legacy-eu", "FAIL")}
    legacy = finding(report, "gcp.compute.subnet_flow_logs", "prod-legacy-eu")
    assert legacy.message == "logConfig.enable is false or unset (no VPC flow logs)" and legacy.evidence["purpose"] == "PRIVATE_RFC_1918"
    # legacy-rdp-disabled is disabled and skipped
    assert verdicts(report, "gcp.compute.firewall_rule_logging") == {
        ("allow-lb-health-checks", "PASS"), ("deny-all-ingress", "PASS"), ("allow-ssh-from-iap", "PASS"),
        ("default-allow-ssh", "FAIL"), ("default-allow-internal", "FAIL"), ("allow-http-alt", "FAIL"), ("allow-rdp-anywhere", "FAIL"),
        ("allow-all-ipv6", "FAIL"), ("allow-egress-all", "FAIL")}
    assert verdicts(report, "gcp.compute.backend_service_logging") == {("web-backend", "PASS"), ("api-internal", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    internet = gcp.scan("gcp.compute.firewall_rule_logging", params={"gcp.compute.firewall_rule_logging": {"only_internet_facing": True}})
    assert verdicts(internet, "gcp.compute.firewall_rule_logging") == {
        ("deny-all-ingress", "PASS"), ("default-allow-ssh", "FAIL"), ("allow-http-alt", "FAIL"), ("allow-rdp-anywhere", "FAIL"),
        ("allow-all-ipv6", "FAIL")}


def test_firewall_rules_opening_ssh_rdp_or_every_port_to_the_internet(gcp):
    report = gcp.scan("gcp.compute.firewall_ssh_restricted", "gcp.compute.firewall_rdp_restricted", "gcp.compute.firewall_all_ports_restricted")
    # deny-all-ingress (deny), legacy-rdp-disabled (disabled) and allow-egress-all (EGRESS) open nothing and are not judged
    assert verdicts(report, "gcp.compute.firewall_ssh_restricted") == {
        ("allow-lb-health-checks", "PASS"), ("allow-ssh-from-iap", "PASS"), ("default-allow-internal", "PASS"), ("allow-http-alt", "PASS"),
        ("allow-rdp-anywhere", "PASS"), ("default-allow-ssh", "FAIL"), ("allow-all-ipv6", "FAIL")}
    assert verdicts(report, "gcp.compute.firewall_rdp_restricted") == {
        ("allow-lb-health-checks", "PASS"), ("allow-ssh-from-iap", "PASS"), ("default-allow-internal", "PASS"), ("allow-http-alt", "PASS"),
        ("default-allow-ssh", "PASS"), ("allow-rdp-anywhere", "FAIL"), ("allow-all-ipv6", "FAIL")}
    assert verdicts(report, "gcp.compute.firewall_all_ports_restricted") == {
        ("allow-lb-health-checks", "PASS"), ("allow-ssh-from-iap", "PASS"), ("default-allow-internal", "PASS"), ("allow-http-alt", "PASS"),
        ("default-allow-ssh", "PASS"), ("allow-rdp-anywhere", "PASS"), ("allow-all-ipv6", "FAIL")}

    def message(check: str, name: str) -> str:
        return finding(report, f"gcp.compute.firewall_{check}_restricted", name).message

    assert message("ssh", "default-allow-ssh") == "allows tcp:22 from 0.0.0.0/0: SSH is open to the internet"
    assert message("rdp", "allow-rdp-anywhere") == "allows tcp:3389 from 0.0.0.0/0: RDP is open to the internet"
    assert message("all_ports", "allow-all-ipv6") == "allows all protocols from ::/0: every port is open to the internet"
    assert message("ssh", "allow-http-alt") == "open to 0.0.0.0/0, but not for SSH"
    assert message("ssh", "allow-ssh-from-iap") == "no source range covers the whole internet"
    # default-allow-internal opens tcp 0-65535, but only to 10.128.0.0/9
    assert message("all_ports", "default-allow-internal") == "no source range covers the whole internet"


def test_firewall_rule_ranges_protocol_numbers_and_rules_without_a_source(gcp):
    def rule(name: str, **fields) -> dict:
        return {"kind": "compute#firewall", "id": str(sum(map(ord, name)) * 7919), "name": name, "priority": 1000, "direction": "INGRESS",
                "network": "https://www.googleapis.com/compute/v1/projects/acme-sandbox/global/networks/default",
                "selfLink": f"https://www.googleapis.com/compute/v1/projects/acme-sandbox/global/firewalls/{name}", **fields}

    gcp.add(Route("GET", "/compute/v1/projects/acme-sandbox/global/firewalls", paging="items", paging_style="google", body={
        "kind": "compute#firewallList", "items": [
            rule("range-covers-22", sourceRanges=["0.0.0.0/0"], allowed=[{"IPProtocol": "6", "ports": ["20-23"]}]),
            rule("every-tcp-port", sourceRanges=["10.0.0.0/8", "::/0"], allowed=[{"IPProtocol": "tcp"}]),
            rule("no-source", allowed=[{"IPProtocol": "udp", "ports": ["3389"]}]),
            rule("udp-ssh", sourceRanges=["0.0.0.0/0"], allowed=[{"IPProtocol": "udp", "ports": ["22"]}]),
            rule("source-tags", sourceTags=["bastion"], allowed=[{"IPProtocol": "all"}]),
        ]}))
    report = gcp.scan("gcp.compute.firewall_ssh_restricted", "gcp.compute.firewall_rdp_restricted", "gcp.compute.firewall_all_ports_restricted",
                      projects=["acme-sandbox"])
    assert verdicts(report, "gcp.compute.firewall_ssh_restricted") == {
        ("range-covers-22", "FAIL"), ("every-tcp-port", "FAIL"), ("no-source", "PASS"), ("udp-ssh", "PASS"), ("source-tags", "PASS")}
    assert verdicts(report, "gcp.compute.firewall_rdp_restricted") == {
        ("range-covers-22", "PASS"), ("every-tcp-port", "FAIL"), ("no-source", "FAIL"), ("udp-ssh", "PASS"), ("source-tags", "PASS")}
    assert verdicts(report, "gcp.compute.firewall_all_ports_restricted") == {
        ("range-covers-22", "PASS"), ("every-tcp-port", "FAIL"), ("no-source", "PASS"), ("udp-ssh", "PASS"), ("source-tags", "PASS")}
    assert finding(report, "gcp.compute.firewall_rdp_restricted", "no-source").message == (
        "allows udp:3389 from 0.0.0.0/0 (no source set): RDP is open to the internet")
    assert finding(report, "gcp.compute.firewall_all_ports_restricted", "every-tcp-port").message == (
        "allows tcp on every port from ::/0: every port is open to the internet")


@pytest.mark.parametrize("kind", ["permission_denied", "service_disabled"])
def test_firewall_exposure_denied_or_api_disabled(gcp, kind):
    gcp.fail("/compute/v1/projects/acme-data/global/firewalls", kind, service="compute.googleapis.com")
    checks = ("gcp.compute.firewall_ssh_restricted", "gcp.compute.firewall_rdp_restricted", "gcp.compute.firewall_all_ports_restricted")
    report = gcp.scan(*checks)
    data = [f for f in report.findings if f.account == "acme-data"]
    assert sorted(f.check_id for f in data) == sorted(checks)
    assert len({(f.status, f.message) for f in data}) == 1
    data = data[0]
    if kind == "permission_denied":
        assert data.status.value == "ERROR" and "access denied to compute:firewalls.list in project acme-data" in data.message
    else:
        assert data.status.value == "NOT_APPLICABLE" and "compute.googleapis.com is not enabled in project acme-data" in data.message
    assert ("allow-rdp-anywhere", "FAIL") in by_project(report, "acme-sandbox")  # the other projects are judged


def test_deletion_protection_and_multi_zone_groups(gcp):
    report = gcp.scan("gcp.compute.instance_deletion_protection", "gcp.compute.mig_multi_zone")
    # web-mig-7x2k is created by a managed instance group: exempt by default
    assert verdicts(report, "gcp.compute.instance_deletion_protection") == {("db-proxy", "PASS"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert verdicts(report, "gcp.compute.mig_multi_zone") == {("web-mig", "PASS"), ("etl-mig", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    strict = gcp.scan("gcp.compute.instance_deletion_protection", params={"gcp.compute.instance_deletion_protection": {"exempt_mig_instances": False}})
    assert finding(strict, "gcp.compute.instance_deletion_protection", "web-mig-7x2k").status.value == "FAIL"
