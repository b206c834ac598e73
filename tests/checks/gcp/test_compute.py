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
    assert verdicts(exempt, "gcp.compute.project_oslogin_2fa") == {("acme-prod", "PASS")}


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
    assert verdicts(report, "gcp.compute.backend_service_logging") == {("web-backend", "PASS"), ("api-internal", "FAIL")}
    internet = gcp.scan("gcp.compute.firewall_rule_logging", params={"gcp.compute.firewall_rule_logging": {"only_internet_facing": True}})
    assert verdicts(internet, "gcp.compute.firewall_rule_logging") == {
        ("deny-all-ingress", "PASS"), ("default-allow-ssh", "FAIL"), ("allow-http-alt", "FAIL"), ("allow-rdp-anywhere", "FAIL"),
        ("allow-all-ipv6", "FAIL")}


def test_firewall_rules_opening_admin_ports_to_the_internet(gcp):
    report = gcp.scan("gcp.compute.firewall_no_internet_admin_ports")
    # deny-all-ingress (deny), legacy-rdp-disabled (disabled) and allow-egress-all (EGRESS) open nothing
    assert verdicts(report, "gcp.compute.firewall_no_internet_admin_ports") == {
        ("allow-lb-health-checks", "PASS"), ("allow-ssh-from-iap", "PASS"), ("default-allow-internal", "PASS"), ("allow-http-alt", "PASS"),
        ("default-allow-ssh", "FAIL"), ("allow-rdp-anywhere", "FAIL"), ("allow-all-ipv6", "FAIL")}
    messages = {name: finding(report, "gcp.compute.firewall_no_internet_admin_ports", name).message
                for name in ("default-allow-ssh", "allow-rdp-anywhere", "allow-all-ipv6", "allow-http-alt", "allow-ssh-from-iap")}
    assert messages == {
        "default-allow-ssh": "allows tcp:22 (SSH) from 0.0.0.0/0",
        "allow-rdp-anywhere": "allows tcp:3389 (RDP) from 0.0.0.0/0",
        "allow-all-ipv6": "allows all protocols and ports from ::/0",
        "allow-http-alt": "open to 0.0.0.0/0 but not on 22 (SSH), 3389 (RDP)",
        "allow-ssh-from-iap": "no source range covers the whole internet",
    }
    # a wider port list catches the 8000-8443 range
    wider = gcp.scan("gcp.compute.firewall_no_internet_admin_ports", params={"gcp.compute.firewall_no_internet_admin_ports": {"ports": [22, 3389, 8080]}})
    assert finding(wider, "gcp.compute.firewall_no_internet_admin_ports", "allow-http-alt").message == "allows tcp:8080 from 0.0.0.0/0"


def test_firewall_rule_ranges_protocol_numbers_and_rules_without_a_source(gcp):
    def rule(name: str, **fields) -> dict:
        return {"kind": "compute#firewall", "id": str(abs(hash(name)) % 10**13), "name": name, "priority": 1000, "direction": "INGRESS",
                "network": "https://www.googleapis.com/compute/v1/projects/acme-sandbox/global/networks/default",
                "selfLink": f"https://www.googleapis.com/compute/v1/projects/acme-sandbox/global/firewalls/{name}", **fields}

    gcp.add(Route("GET", "/compute/v1/projects/acme-sandbox/global/firewalls", paging="items", paging_style="google", body={
        "kind": "compute#firewallList", "items": [
            rule("fail-range-covers-22", sourceRanges=["0.0.0.0/0"], allowed=[{"IPProtocol": "6", "ports": ["20-23"]}]),
            rule("fail-every-tcp-port", sourceRanges=["10.0.0.0/8", "::/0"], allowed=[{"IPProtocol": "tcp"}]),
            rule("fail-no-source", allowed=[{"IPProtocol": "tcp", "ports": ["3389"]}]),
            rule("pass-udp-only", sourceRanges=["0.0.0.0/0"], allowed=[{"IPProtocol": "udp", "ports": ["22", "3389"]}]),
            rule("pass-source-tags", sourceTags=["bastion"], allowed=[{"IPProtocol": "tcp", "ports": ["22"]}]),
        ]}))
    report = gcp.scan("gcp.compute.firewall_no_internet_admin_ports", projects=["acme-sandbox"])
    assert verdicts(report, "gcp.compute.firewall_no_internet_admin_ports") == {
        ("fail-range-covers-22", "FAIL"), ("fail-every-tcp-port", "FAIL"), ("fail-no-source", "FAIL"),
        ("pass-udp-only", "PASS"), ("pass-source-tags", "PASS")}
    assert finding(report, "gcp.compute.firewall_no_internet_admin_ports", "fail-no-source").message == (
        "allows tcp:3389 (RDP) from 0.0.0.0/0 (no source set)")
    assert finding(report, "gcp.compute.firewall_no_internet_admin_ports", "fail-every-tcp-port").message == "allows every tcp port from ::/0"


@pytest.mark.parametrize("kind", ["permission_denied", "service_disabled"])
def test_firewall_exposure_denied_or_api_disabled(gcp, kind):
    gcp.fail("/compute/v1/projects/acme-data/global/firewalls", kind, service="compute.googleapis.com")
    report = gcp.scan("gcp.compute.firewall_no_internet_admin_ports")
    [data] = [f for f in report.findings if f.account == "acme-data"]
    if kind == "permission_denied":
        assert data.status.value == "ERROR" and "access denied to compute:firewalls.list in project acme-data" in data.message
    else:
        assert data.status.value == "NOT_APPLICABLE" and "compute.googleapis.com is not enabled in project acme-data" in data.message
    assert ("default-allow-ssh", "FAIL") not in verdicts(report, "gcp.compute.firewall_no_internet_admin_ports")
    assert ("allow-rdp-anywhere", "FAIL") in by_project(report, "acme-sandbox")  # the other projects are judged


def test_deletion_protection_and_multi_zone_groups(gcp):
    report = gcp.scan("gcp.compute.instance_deletion_protection", "gcp.compute.mig_multi_zone")
    # web-mig-7x2k is created by a managed instance group: exempt by default
    assert verdicts(report, "gcp.compute.instance_deletion_protection") == {("db-proxy", "PASS"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert verdicts(report, "gcp.compute.mig_multi_zone") == {("web-mig", "PASS"), ("etl-mig", "FAIL")}
    strict = gcp.scan("gcp.compute.instance_deletion_protection", params={"gcp.compute.instance_deletion_protection": {"exempt_mig_instances": False}})
    assert finding(strict, "gcp.compute.instance_deletion_protection", "web-mig-7x2k").status.value == "FAIL"
