"""Managed disks: encryption at rest with platform or customer-managed keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


@check(
    id="azure.compute.disk_encryption",
    title="Managed disks are encrypted at rest (customer-managed keys per parameter)",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.Compute/disks",
    reads=["azure.compute.disks"],
    params={"require_cmk": False},
    remediation="Encrypt the disk with a disk encryption set backed by a Key Vault key "
    "(az disk update --encryption-type EncryptionAtRestWithCustomerKey --disk-encryption-set DES).",
)
def disk_encryption(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Disk contents are confidential data at rest (C1.1). Server-side encryption with platform keys is
    always on; `require_cmk=true` demands customer-managed keys (or Azure Disk Encryption)."""
    for disk in inv.compute.disks:
        evidence = {"encryption_type": disk.encryption_type, "disk_encryption_set": disk.disk_encryption_set_id, "ade": disk.ade_enabled}
        if disk.customer_managed_key:
            yield Result.passed(disk, f"encryption type is {disk.encryption_type}" + (" with Azure Disk Encryption" if disk.ade_enabled else ""), **evidence)
        elif not disk.encryption_type:
            yield Result.failed(disk, "no encryption type reported", **evidence)
        elif ctx.params["require_cmk"]:
            yield Result.failed(disk, f"encryption type is {disk.encryption_type}, customer-managed key required", **evidence)
        else:
            yield Result.passed(disk, f"encryption type is {disk.encryption_type}", **evidence)


@check(
    id="azure.compute.unattached_disk_cmk",
    title="Unattached managed disks are encrypted with customer-managed keys",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.Compute/disks",
    reads=["azure.compute.disks"],
    remediation="Delete disks that are no longer needed; otherwise move them to a disk encryption set with a "
    "customer-managed key.",
)
def unattached_disk_cmk(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Detached disks are forgotten copies of production data; a customer-managed key lets the
    organisation revoke access to them (CIS 7.3; C1.1)."""
    for disk in inv.compute.disks:
        if disk.disk_state != "Unattached":
            continue
        if disk.customer_managed_key:
            yield Result.passed(disk, f"unattached disk uses {disk.encryption_type}")
        else:
            yield Result.failed(disk, f"unattached disk uses {disk.encryption_type}, not a customer-managed key")
