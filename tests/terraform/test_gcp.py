"""GCP checks on Terraform: KMS keys, subnetworks, firewall rules (allow, deny, all protocols),
disks with snapshot schedules (on the disk or by attachment), instances, backend services, project
metadata (items and the authoritative resource, one project per root module), Cloud SQL and
Cloud Storage; provider defaults and values not known before apply."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import FIXTURES, tf_scan, tf_verdicts
from tests.terraform.test_locations import assert_locations_inside_blocks

GCP = FIXTURES / "gcp"


@pytest.fixture(scope="module")
def report():
    return tf_scan(GCP)


def _judged(report, check_id):
    """Verdicts about declared resources (root modules without any such resource say NOT_APPLICABLE)."""
    return {v for v in tf_verdicts(report, check_id) if v[1] != "NOT_APPLICABLE"}


def test_kms_key_rotation(report):
    assert _judged(report, "gcp.kms.key_rotation_period") == {
        ("google_kms_crypto_key.data", "PASS"),
        ("google_kms_crypto_key.fail_no_rotation", "FAIL"),
        ("google_kms_crypto_key.fail_yearly_rotation", "FAIL"),
    }  # the asymmetric signing key cannot rotate automatically: not judged
    key_iam = {f.status.value for f in report.findings if f.check_id == "gcp.kms.key_not_public"}
    assert key_iam == {"NOT_APPLICABLE"}


def test_subnet_flow_logs(report):
    assert _judged(report, "gcp.compute.subnet_flow_logs") == {
        ("google_compute_subnetwork.pass_subnet", "PASS"),
        ("google_compute_subnetwork.fail_subnet", "FAIL"),
    }  # the proxy-only subnet cannot have flow logs


def test_firewall_exposure(report):
    for check_id in ("gcp.compute.firewall_ssh_restricted", "gcp.compute.firewall_rdp_restricted", "gcp.compute.firewall_all_ports_restricted"):
        assert _judged(report, check_id) == {
            ("google_compute_firewall.pass_firewall", "PASS"),
            ("google_compute_firewall.fail_firewall", "FAIL"),
            ("google_compute_firewall.fail_all_protocols", "FAIL"),
            ("google_compute_firewall.unknown_firewall", "UNKNOWN"),  # var.trusted_ranges has no value
        }, check_id  # the deny rule opens nothing
    unknown = next(f for f in report.findings if f.check_id == "gcp.compute.firewall_ssh_restricted" and f.status.value == "UNKNOWN")
    assert "trusted_ranges" in unknown.message and unknown.location.file == "compute.tf"


def test_firewall_logging(report):
    assert _judged(report, "gcp.compute.firewall_rule_logging") == {
        ("google_compute_firewall.pass_firewall", "PASS"),
        ("google_compute_firewall.deny_telnet", "PASS"),
        ("google_compute_firewall.unknown_firewall", "PASS"),  # its logging does not depend on the unknown ranges
        ("google_compute_firewall.fail_firewall", "FAIL"),
        ("google_compute_firewall.fail_all_protocols", "FAIL"),
    }


def test_disks(report):
    assert _judged(report, "gcp.compute.disk_cmek") == {
        ("google_compute_disk.pass_disk", "PASS"),
        ("google_compute_disk.attached_schedule", "PASS"),
        ("google_compute_disk.fail_disk", "FAIL"),
    }
    assert _judged(report, "gcp.compute.disk_snapshot_schedule") == {
        ("google_compute_disk.pass_disk", "PASS"),  # resource_policies on the disk
        ("google_compute_disk.attached_schedule", "PASS"),  # google_compute_disk_resource_policy_attachment
        ("google_compute_disk.fail_disk", "FAIL"),
    }
    snapshots = {f.status.value for f in report.findings if f.check_id == "gcp.compute.disk_recent_snapshot"}
    assert snapshots == {"NOT_APPLICABLE"}


def test_instances_and_backend_services(report):
    for check_id in ("gcp.compute.instance_block_project_ssh_keys", "gcp.compute.instance_deletion_protection"):
        assert _judged(report, check_id) == {
            ("google_compute_instance.pass_instance", "PASS"),
            ("google_compute_instance.fail_instance", "FAIL"),
        }, check_id
    assert _judged(report, "gcp.compute.backend_service_logging") == {
        ("google_compute_backend_service.pass_backend", "PASS"),
        ("google_compute_backend_service.fail_backend", "FAIL"),
    }


def test_project_metadata_per_root_module(report):
    for check_id in ("gcp.compute.project_oslogin_enabled", "gcp.compute.project_oslogin_2fa"):
        assert _judged(report, check_id) == {
            ("google_compute_project_metadata_item.pass_oslogin", "PASS"),  # items, merged per project
            ("google_compute_project_metadata.fail_metadata", "FAIL"),  # the other root module's project
        }, check_id
    accounts = {f.account for f in report.findings if f.check_id == "gcp.compute.project_oslogin_enabled"}
    assert len(accounts) == 2


def test_project_metadata_declared_nowhere_is_not_applicable(tmp_path):
    (tmp_path / "main.tf").write_text('resource "google_compute_network" "n" {\n  name = "n"\n}\n', encoding="utf-8")
    report = tf_scan(tmp_path, "gcp.compute.project_oslogin_enabled")
    [finding] = report.findings
    assert finding.status.value == "NOT_APPLICABLE" and "managed elsewhere" in finding.message


def test_sql_and_storage(report):
    for check_id in (
        "gcp.sql.automated_backups", "gcp.sql.deletion_protection", "gcp.sql.high_availability", "gcp.sql.instance_cmek",
        "gcp.sql.instance_requires_ssl", "gcp.sql.no_open_authorized_networks", "gcp.sql.point_in_time_recovery",
        "gcp.sql.postgres_log_connections", "gcp.sql.postgres_log_disconnections", "gcp.sql.postgres_log_min_messages",
    ):
        assert _judged(report, check_id) == {
            ("google_sql_database_instance.pass_sql", "PASS"),
            ("google_sql_database_instance.fail_sql", "FAIL"),
        }, check_id
    for check_id in (
        "gcp.storage.bucket_cmek", "gcp.storage.bucket_retention_policy", "gcp.storage.bucket_soft_delete",
        "gcp.storage.bucket_uniform_access", "gcp.storage.bucket_versioning",
    ):
        assert _judged(report, check_id) == {
            ("google_storage_bucket.pass_bucket", "PASS"),
            ("google_storage_bucket.fail_bucket", "FAIL"),
        }, check_id


def test_references_resolve_to_the_key_name(report):
    disk = next(f for f in report.findings if f.check_id == "gcp.compute.disk_cmek" and "pass_disk" in f.location.address)
    assert disk.evidence["kms_key_name"] == "projects/acme-data/locations/europe-west1/keyRings/data/cryptoKeys/storage"


def test_locations_lie_inside_the_blocks(report):
    assert_locations_inside_blocks(report, minimum=60)
