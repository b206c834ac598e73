"""Azure storage accounts (azurerm_storage_account, with its customer-managed key resource).

Defaults are azurerm 3.x/4.x's for a new account: HTTPS only, minimum TLS 1.2, blob public access
and shared key access allowed unless turned off, infrastructure encryption off, Microsoft-managed
keys, soft delete and versioning off unless blob_properties / share_properties turn them on."""

from __future__ import annotations

from scanner.models.azure.storage import StorageAccount
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.modules import TfResource


def _rg(ctx: Context, tf: TfResource) -> str:
    group = ctx.ref(tf, tf.values.get("resource_group_name"))
    return group if isinstance(group, str) else "(known after apply)"


@identity("azurerm_storage_account")
def _account_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arm = f"/subscriptions/(subscription)/resourceGroups/{_rg(ctx, tf)}/providers/Microsoft.Storage/storageAccounts/{name}"
    return {"name": name, "id": arm}


@identity("azurerm_resource_group")
def _group_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": f"/subscriptions/(subscription)/resourceGroups/{name}"}


@adapter("azure.storage.accounts", ["azurerm_storage_account", "azurerm_storage_account_customer_managed_key"])
def accounts(ctx: Context) -> list[StorageAccount]:
    out = []
    for tf in ctx.of_type("azurerm_storage_account"):
        f = Fields(ctx, tf)
        f.get("kind", "account_kind", default="StorageV2")
        tier, replication = tf.values.get("account_tier"), tf.values.get("account_replication_type")
        if isinstance(tier, str) and isinstance(replication, str):
            f.set("sku_name", f"{tier}_{replication}", tf=tf, path="account_replication_type")
        else:
            f.get("sku_name", "account_replication_type")
        f.get("https_only", "https_traffic_only_enabled", default=None, convert=as_bool)
        if f.values.get("https_only") is None and "https_only" not in f.unresolved:
            f.get("https_only", "enable_https_traffic_only", default=True, convert=as_bool, note="azurerm requires HTTPS by default")
        f.get("minimum_tls_version", "min_tls_version", default="TLS1_2", note="azurerm sets min_tls_version TLS1_2 by default")
        f.get(
            "allow_blob_public_access",
            "allow_nested_items_to_be_public",
            default=True,
            convert=as_bool,
            note="azurerm allows public blob containers unless allow_nested_items_to_be_public = false",
        )
        f.get("allow_shared_key_access", "shared_access_key_enabled", default=True, convert=as_bool)
        f.get("infrastructure_encryption", "infrastructure_encryption_enabled", default=False, convert=as_bool)
        cmk = next(iter(ctx.referrers(tf, ("azurerm_storage_account_customer_managed_key",), "storage_account_id", "id")), None)
        inline_cmk = path_value(tf.values, "customer_managed_key")
        if cmk is not None or (inline_cmk is not MISSING and inline_cmk is not None):
            f.set("key_source", "Microsoft.Keyvault", tf=cmk or tf, path=None if cmk else "customer_managed_key")
        else:
            f.set("key_source", "Microsoft.Storage", note="without a customer-managed key Azure encrypts with Microsoft-managed keys")
        blob = path_value(tf.values, "blob_properties")
        if tf.values.get("account_kind") in (None, "StorageV2", "BlobStorage", "BlockBlobStorage"):
            if blob is MISSING or blob is None:
                f.set("blob_soft_delete_days", 0, note="blob soft delete is off unless blob_properties.delete_retention_policy sets it")
                f.set("container_soft_delete_days", 0)
                f.set("blob_versioning", False)
            else:
                f.get("blob_soft_delete_days", "blob_properties.delete_retention_policy.days", default=0, convert=as_int)
                if path_value(tf.values, "blob_properties.delete_retention_policy") is MISSING:
                    f.values["blob_soft_delete_days"] = 0
                f.get("container_soft_delete_days", "blob_properties.container_delete_retention_policy.days", default=0, convert=as_int)
                if path_value(tf.values, "blob_properties.container_delete_retention_policy") is MISSING:
                    f.values["container_soft_delete_days"] = 0
                f.get("blob_versioning", "blob_properties.versioning_enabled", default=False, convert=as_bool)
        share = path_value(tf.values, "share_properties")
        if tf.values.get("account_kind") in (None, "StorageV2", "FileStorage"):
            if share is MISSING or share is None or path_value(tf.values, "share_properties.retention_policy") is MISSING:
                f.set("share_soft_delete_days", 7, note="Azure Files keeps deleted shares 7 days by default (azurerm's retention_policy default)")
            else:
                f.get("share_soft_delete_days", "share_properties.retention_policy.days", default=7, convert=as_int)
        tags = tf.values.get("tags")
        f.set("tags", {k: v for k, v in tags.items() if isinstance(v, str)} if isinstance(tags, dict) else {}, tf=tf, path="tags")
        location = tf.values.get("location")
        ident = ctx.identity_of(tf)
        out.append(
            f.build(
                StorageAccount,
                id=ident["id"],
                name=ident["name"],
                region=location.replace(" ", "").lower() if isinstance(location, str) else "unknown",
                resource_group=_rg(ctx, tf),
            )
        )
    return out
