"""Resolving a KMS key reference (key id, key ARN, alias name or alias ARN) to its key manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.models.index import per_inventory

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory
    from scanner.models.aws.kms import KmsKey


@per_inventory
def keys_by_region_and_id(inv: AwsInventory) -> dict[tuple[str, str], KmsKey]:
    keys: dict[tuple[str, str], KmsKey] = {}
    for key in inv.kms.keys:
        keys.setdefault((key.region, key.name), key)  # the first, as a scan of the list would find
    return keys


def key_manager(inv: AwsInventory, ref: str | None, region: str, account: str) -> str | None:
    """ "AWS" or "CUSTOMER" for the key a resource names, or None when it cannot be told.

    Aliases decide by name: only AWS-managed keys have `alias/aws/...` names, and customer aliases
    cannot point at AWS-managed keys. A key in another account is customer managed (AWS-managed keys
    cannot be used across accounts). A key id or ARN in this account is looked up in the collected
    keys; a key in a region that was not scanned cannot be resolved.
    """
    if not ref:
        return None
    if ":alias/" in ref or ref.startswith("alias/"):
        return "AWS" if ref.split(":alias/", 1)[-1].removeprefix("alias/").startswith("aws/") else "CUSTOMER"
    if ref.startswith("arn:"):
        parts = ref.split(":")
        if len(parts) > 4 and parts[4] and parts[4] != account:
            return "CUSTOMER"
        key_region = parts[3] if len(parts) > 3 else region
        key_id = ref.rsplit("/", 1)[-1]
    else:
        key_region, key_id = region, ref
    key = keys_by_region_and_id(inv).get((key_region, key_id))
    return key.key_manager if key is not None else None
