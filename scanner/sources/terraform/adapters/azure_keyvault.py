"""Azure Key Vault: azurerm_key_vault (with the azurerm_monitor_diagnostic_setting resources that
target it), azurerm_key_vault_key and azurerm_key_vault_secret (never the secret's value).

azurerm 3.x/4.x: soft delete cannot be turned off (every vault it creates has it, 90 days unless
soft_delete_retention_days says otherwise); purge protection is off unless enabled; a key or
secret expires only when expiration_date is set; a key rotates automatically only with a
rotation_policy { automatic { ... } } (notify_before_expiry adds a Notify action)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scanner.models.azure.keyvault import KeyVault, VaultKey, VaultSecret
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.adapters._azure import arm_id, diagnostic_settings, location, resource_group
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

VAULT = "Microsoft.KeyVault/vaults"


@identity("azurerm_key_vault")
def _vault_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, VAULT, name), "vault_uri": f"https://{name}.vault.azure.net/"}


def _item_identity(ctx: Context, tf: TfResource, kind: str) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    vault = ctx.referenced(tf, tf.values.get("key_vault_id"))
    if vault is not None:
        ident = ctx.identity_of(vault)
        vault_id, vault_name = ident["id"], ident["name"]
    else:
        given = tf.values.get("key_vault_id")
        vault_id = given if isinstance(given, str) else "(known after apply)"
        vault_name = vault_id.rstrip("/").rsplit("/", 1)[-1]
    return {"id": f"{vault_id}/{kind}/{name}", "name": name, "vault_name": vault_name}


@identity("azurerm_key_vault_key")
def _key_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return _item_identity(ctx, tf, "keys")


@identity("azurerm_key_vault_secret")
def _secret_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return _item_identity(ctx, tf, "secrets")


def as_datetime(value: Any) -> Any:
    """An RFC 3339 timestamp (expiration_date = "2030-01-01T00:00:00Z")."""
    if not isinstance(value, str):
        raise ValueError("not an RFC 3339 timestamp")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@adapter("azure.keyvault.vaults", ["azurerm_key_vault", "azurerm_monitor_diagnostic_setting"])
def vaults(ctx: Context) -> list[KeyVault]:
    out = []
    for tf in ctx.of_type("azurerm_key_vault"):
        f = Fields(ctx, tf)
        f.set("soft_delete", True, note="azurerm cannot create a vault without soft delete (it is always on since azurerm 3.0)")
        f.get("soft_delete_retention_days", default=90, convert=as_int, note="soft-deleted objects are kept 90 days by default")
        f.get("purge_protection", "purge_protection_enabled", default=False, convert=as_bool, note="purge protection is off unless purge_protection_enabled = true")
        rbac = "rbac_authorization_enabled" if "rbac_authorization_enabled" in tf.values else "enable_rbac_authorization"
        f.get("rbac_authorization", rbac, default=False, convert=as_bool)
        public = f.get("public_network_access", "public_network_access_enabled", default=True, convert=as_bool, placeholder=None)
        if isinstance(public, bool):
            f.values["public_network_access"] = "Enabled" if public else "Disabled"
        diagnostic_settings(ctx, f, tf)
        ident = ctx.identity_of(tf)
        out.append(f.build(KeyVault, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out


def _vault_of(ctx: Context, tf: TfResource) -> TfResource | None:
    return ctx.referenced(tf, tf.values.get("key_vault_id"))


def _item(ctx: Context, tf: TfResource, f: Fields) -> dict[str, Any]:
    """Where a key or secret is: its vault's location and resource group (its own ARM id)."""
    vault = _vault_of(ctx, tf)
    ident = ctx.identity_of(tf)
    return {
        "id": ident["id"],
        "name": ident["name"],
        "vault_name": ident["vault_name"],
        "region": location(vault) if vault is not None else "unknown",
        "resource_group": resource_group(ctx, vault) if vault is not None else None,
    }


def _expiry(f: Fields) -> None:
    f.get("expires", "expiration_date", convert=as_datetime, note="no expiration_date: the object never expires")


@adapter("azure.keyvault.keys", ["azurerm_key_vault_key"])
def keys(ctx: Context) -> list[VaultKey]:
    out = []
    for tf in ctx.of_type("azurerm_key_vault_key"):
        f = Fields(ctx, tf)
        f.set("enabled", True)
        _expiry(f)
        policy = path_value(tf.values, "rotation_policy")
        if isinstance(policy, Unknown):
            f.get("rotation_actions", "rotation_policy", default=[])
        elif policy is MISSING or policy is None or not policy:
            f.set("rotation_actions", [], note="a key without rotation_policy is never rotated automatically")
        else:
            automatic = path_value(tf.values, "rotation_policy.automatic")
            notify = path_value(tf.values, "rotation_policy.notify_before_expiry")
            if isinstance(automatic, Unknown) or isinstance(notify, Unknown):
                f.get("rotation_actions", "rotation_policy", default=[])
            else:
                actions = (["rotate"] if automatic not in (MISSING, None, []) else []) + (["notify"] if notify not in (MISSING, None) else [])
                f.set("rotation_actions", sorted(actions), tf=tf, path="rotation_policy")
        where = _item(ctx, tf, f)
        out.append(f.build(VaultKey, **where))
    return out


@adapter("azure.keyvault.secrets", ["azurerm_key_vault_secret"])
def secrets(ctx: Context) -> list[VaultSecret]:
    out = []
    for tf in ctx.of_type("azurerm_key_vault_secret"):
        f = Fields(ctx, tf)  # the value is never read: only its expiry matters here
        f.set("enabled", True)
        _expiry(f)
        out.append(f.build(VaultSecret, **_item(ctx, tf, f)))
    return out
