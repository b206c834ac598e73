"""Managed disk encryption checks."""

from __future__ import annotations

from tests.azure_fixtures import PROD
from tests.conftest import finding, verdicts

DISKS = {"vm-web-01_OsDisk_1", "vm-web-02_OsDisk_1", "disk-orphaned-data", "vm-dev-01_OsDisk_1", "vm-dev-02_OsDisk_1", "disk-dev-scratch"}


def test_disk_encryption_platform_keys_pass_unless_cmk_required(azure):
    report = azure.scan("azure.compute.disk_encryption")
    assert verdicts(report, "azure.compute.disk_encryption") == {(name, "PASS") for name in DISKS}
    strict = azure.scan("azure.compute.disk_encryption", params={"azure.compute.disk_encryption": {"require_cmk": True}})
    assert verdicts(strict, "azure.compute.disk_encryption") == {
        ("vm-web-01_OsDisk_1", "FAIL"),
        ("vm-web-02_OsDisk_1", "PASS"),
        ("disk-orphaned-data", "FAIL"),
        ("vm-dev-01_OsDisk_1", "FAIL"),
        ("vm-dev-02_OsDisk_1", "FAIL"),
        ("disk-dev-scratch", "PASS"),
    }
    assert "des-contoso-prod" in finding(strict, "azure.compute.disk_encryption", "vm-web-02_OsDisk_1").evidence["disk_encryption_set"]


def test_unattached_disks_need_cmk(azure):
    report = azure.scan("azure.compute.unattached_disk_cmk")
    assert verdicts(report, "azure.compute.unattached_disk_cmk") == {("disk-orphaned-data", "FAIL"), ("disk-dev-scratch", "PASS")}


def test_compute_throttled_after_retries_is_error(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.Compute/disks", "throttled")
    report = azure.scan("azure.compute.unattached_disk_cmk", retry_total=2)
    assert verdicts(report, "azure.compute.unattached_disk_cmk") == {(f"azure {PROD}", "ERROR"), ("disk-dev-scratch", "PASS")}
    assert finding(report, "azure.compute.unattached_disk_cmk", f"azure {PROD}").message == (
        f"throttled on compute:disks.list in subscription {PROD} after retries (TooManyRequests)"
    )
    assert azure.calls(f"/subscriptions/{PROD}/providers/Microsoft.Compute/disks") == 3
