"""Compute Engine checks over aggregatedList / list answers of the fake server."""

from __future__ import annotations

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


def test_flow_logs_firewall_and_load_balancer_logging(gcp):
    report = gcp.scan("gcp.compute.subnet_flow_logs", "gcp.compute.firewall_rule_logging", "gcp.compute.backend_service_logging")
    # prod-proxy-only (REGIONAL_MANAGED_PROXY) cannot have flow logs and is skipped
    assert verdicts(report, "gcp.compute.subnet_flow_logs") == {("prod-us-central1", "PASS"), ("default-eu", "PASS"), ("default", "FAIL")}
    assert verdicts(report, "gcp.compute.firewall_rule_logging") == {
        ("allow-lb-health-checks", "PASS"), ("deny-all-ingress", "PASS"),
        ("default-allow-ssh", "FAIL"), ("default-allow-internal", "FAIL"), ("allow-rdp-anywhere", "FAIL")}
    assert verdicts(report, "gcp.compute.backend_service_logging") == {("web-backend", "PASS"), ("api-internal", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    internet = gcp.scan("gcp.compute.firewall_rule_logging", params={"gcp.compute.firewall_rule_logging": {"only_internet_facing": True}})
    assert verdicts(internet, "gcp.compute.firewall_rule_logging") == {
        ("deny-all-ingress", "PASS"), ("default-allow-ssh", "FAIL"), ("allow-rdp-anywhere", "FAIL")}


def test_deletion_protection_and_multi_zone_groups(gcp):
    report = gcp.scan("gcp.compute.instance_deletion_protection", "gcp.compute.mig_multi_zone")
    # web-mig-7x2k is created by a managed instance group: exempt by default
    assert verdicts(report, "gcp.compute.instance_deletion_protection") == {("db-proxy", "PASS"), ("etl-worker", "FAIL"), ("test-vm", "FAIL")}
    assert verdicts(report, "gcp.compute.mig_multi_zone") == {("web-mig", "PASS"), ("etl-mig", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    strict = gcp.scan("gcp.compute.instance_deletion_protection", params={"gcp.compute.instance_deletion_protection": {"exempt_mig_instances": False}})
    assert finding(strict, "gcp.compute.instance_deletion_protection", "web-mig-7x2k").status.value == "FAIL"
