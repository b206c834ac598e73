"""Azure managed disks (azurerm_managed_disk), attached to virtual machines by
azurerm_virtual_machine_data_disk_attachment.

Azure encrypts every managed disk at rest: with a platform-managed key unless
disk_encryption_set_id names a disk encryption set (whose encryption_type, by default
EncryptionAtRestWithCustomerKey, becomes the disk's); an encryption_settings block turns on Azure
Disk Encryption. A disk no attachment resource names is Unattached once created."""

from __future__ import annotations

from scanner.models.azure.compute import ManagedDisk
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, identity, name_or_address, path_value
from scanner.sources.terraform.adapters._azure import arm_id, location, reference, resource_group
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

ATTACHMENTS = ("azurerm_virtual_machine_data_disk_attachment",)
PLATFORM_KEY = "EncryptionAtRestWithPlatformKey"
CUSTOMER_KEY = "EncryptionAtRestWithCustomerKey"


@identity("azurerm_managed_disk")
def _disk_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Compute/disks", name)}


@identity("azurerm_disk_encryption_set")
def _set_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Compute/diskEncryptionSets", name)}


@identity("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine")
def _vm_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, "Microsoft.Compute/virtualMachines", name)}


@adapter("azure.compute.disks", ["azurerm_managed_disk", "azurerm_disk_encryption_set", *ATTACHMENTS])
def disks(ctx: Context) -> list[ManagedDisk]:
    out = []
    for tf in ctx.of_type("azurerm_managed_disk"):
        f = Fields(ctx, tf)
        _encryption(ctx, f, tf)
        _attachment(ctx, f, tf)
        ident = ctx.identity_of(tf)
        out.append(f.build(ManagedDisk, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out


def _encryption(ctx: Context, f: Fields, disk: TfResource) -> None:
    given = disk.values.get("disk_encryption_set_id")
    encryption_set = ctx.referenced(disk, given)
    if given is None:
        f.set("disk_encryption_set_id", None)
        f.set("encryption_type", PLATFORM_KEY, note="without disk_encryption_set_id Azure encrypts the disk with a platform-managed key")
    elif encryption_set is not None:
        f.set("disk_encryption_set_id", ctx.identity_of(encryption_set)["id"], tf=disk, path="disk_encryption_set_id")
        f.get("encryption_type", "encryption_type", tf=encryption_set, default=CUSTOMER_KEY,
              note="a disk encryption set encrypts with the customer-managed key (EncryptionAtRestWithCustomerKey) by default")
    elif isinstance(given, Unknown):
        f.get("disk_encryption_set_id", "disk_encryption_set_id")
        f.get("encryption_type", "disk_encryption_set_id", placeholder=None)
    else:
        # an existing set, not declared here: every disk encryption set uses a customer-managed key
        f.set("disk_encryption_set_id", reference(ctx, disk, given), tf=disk, path="disk_encryption_set_id")
        f.set("encryption_type", CUSTOMER_KEY, tf=disk, path="disk_encryption_set_id")
    settings = path_value(disk.values, "encryption_settings")
    if isinstance(settings, Unknown):
        f.get("ade_enabled", "encryption_settings", default=False)
    elif settings in (MISSING, None, []):
        f.set("ade_enabled", False)
    else:
        # azurerm 3.x has encryption_settings { enabled }; in 4.x the block itself turns it on
        f.get("ade_enabled", "encryption_settings.enabled", default=True, convert=as_bool)


def _attachment(ctx: Context, f: Fields, disk: TfResource) -> None:
    attached = ctx.referrers(disk, ATTACHMENTS, "managed_disk_id", "id")
    if attached:
        f.set("disk_state", "Attached", tf=attached[-1])
        vm = reference(ctx, attached[-1], attached[-1].values.get("virtual_machine_id"))
        f.set("managed_by", vm if isinstance(vm, str) else None, tf=attached[-1], path="virtual_machine_id")
        return
    unsure = ctx.unresolved_referrers(ATTACHMENTS, "managed_disk_id", disk.root)
    f.set("disk_state", "Unattached", note="no azurerm_virtual_machine_data_disk_attachment names the disk")
    f.set("managed_by", None)
    if unsure:
        f.unresolved["disk_state"] = f"{unsure[0].address}.managed_disk_id is not known, so it may attach this disk"
