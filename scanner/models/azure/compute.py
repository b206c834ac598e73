"""Managed disks and virtual machines."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class ManagedDisk(AzureResource):
    disk_state: str | None = None  # Attached, Unattached, Reserved, ActiveSAS...
    managed_by: str | None = None  # the VM id when attached
    encryption_type: str | None = None  # EncryptionAtRestWithPlatformKey / ...CustomerKey / ...PlatformAndCustomerKeys
    disk_encryption_set_id: str | None = None
    ade_enabled: bool = False  # Azure Disk Encryption (encryptionSettingsCollection.enabled)

    @property
    def customer_managed_key(self) -> bool:
        return "CustomerKey" in (self.encryption_type or "") or self.ade_enabled


class VirtualMachine(AzureResource):
    vm_id: str | None = None
    os_type: str | None = None


class Compute(BaseModel):
    disks: list[ManagedDisk] = Field(default_factory=list)
    virtual_machines: list[VirtualMachine] = Field(default_factory=list)
