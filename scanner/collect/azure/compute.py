"""Compute: managed disks and virtual machines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.azure._arm import base, props
from scanner.collect.registry import collector
from scanner.models.azure.compute import ManagedDisk, VirtualMachine

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


@collector("azure.compute.disks", regional=True, permissions=["Microsoft.Compute/disks/read"])
def disks(scope: AzureScope) -> list[ManagedDisk]:
    result = []
    for body in scope.list("compute", "disks.list", lambda c: c.disks.list()):
        p = props(body)
        encryption = p.get("encryption") or {}
        result.append(
            ManagedDisk(
                **base(scope, body),
                disk_state=p.get("diskState"),
                managed_by=body.get("managedBy"),
                encryption_type=encryption.get("type"),
                disk_encryption_set_id=encryption.get("diskEncryptionSetId"),
                ade_enabled=bool((p.get("encryptionSettingsCollection") or {}).get("enabled")),
            )
        )
    return result


@collector("azure.compute.virtual_machines", regional=True, permissions=["Microsoft.Compute/virtualMachines/read"])
def virtual_machines(scope: AzureScope) -> list[VirtualMachine]:
    result = []
    for body in scope.list("compute", "virtualMachines.listAll", lambda c: c.virtual_machines.list_all()):
        p = props(body)
        os_disk = (p.get("storageProfile") or {}).get("osDisk") or {}
        result.append(VirtualMachine(**base(scope, body), vm_id=p.get("vmId"), os_type=os_disk.get("osType")))
    return result
