"""Azure SQL: azurerm_mssql_server with the resources that configure it separately (its extended
auditing policy, security alert policy and TDE protector), and azurerm_mssql_database.

azurerm 3.x/4.x defaults: minimum_tls_version "1.2"; a server is audited only when an
azurerm_mssql_server_extended_auditing_policy (enabled unless `enabled = false`) declares it; the
TDE protector is service-managed unless transparent_data_encryption_key_vault_key_id or an
azurerm_mssql_server_transparent_data_encryption key names a Key Vault key; a database has TDE on
(transparent_data_encryption_enabled), geo-redundant backup storage ("Geo") and no long-term
retention unless long_term_retention_policy sets it."""

from __future__ import annotations

from typing import Any

from scanner.models.azure.sql import SqlDatabase, SqlServer
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.adapters._azure import arm_id, location, reference, resource_group
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

SERVER = "Microsoft.Sql/servers"
AUDITING = ("azurerm_mssql_server_extended_auditing_policy",)
ALERTS = ("azurerm_mssql_server_security_alert_policy",)
PROTECTOR = ("azurerm_mssql_server_transparent_data_encryption",)


@identity("azurerm_mssql_server")
def _server_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": arm_id(ctx, tf, SERVER, name), "fully_qualified_domain_name": f"{name}.database.windows.net"}


@identity("azurerm_mssql_database")
def _database_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    server = ctx.referenced(tf, tf.values.get("server_id"))
    server_id = ctx.identity_of(server)["id"] if server is not None else str(reference(ctx, tf, tf.values.get("server_id")))
    return {"name": name, "id": f"{server_id}/databases/{name}"}


def _last(found: list[TfResource]) -> TfResource | None:
    return found[-1] if found else None


def _unsure(ctx: Context, f: Fields, server: TfResource, types: tuple[str, ...], attribute: str, fields: tuple[str, ...]) -> None:
    for tf in ctx.unresolved_referrers(types, attribute, server.root):
        reason = f"{tf.address}.{attribute} is not known ({tf.values.get(attribute)}), so it may configure this server"
        for name in fields:
            f.unresolved.setdefault(name, reason)


@adapter("azure.sql.servers", ["azurerm_mssql_server", *AUDITING, *ALERTS, *PROTECTOR], unsupported_facets={
    "audit_destinations": "Azure Monitor audit destinations are diagnostic settings of the server's master database, "
    "which Terraform names only by a string built after apply: read live",
})
def servers(ctx: Context) -> list[SqlServer]:
    out = []
    for tf in ctx.of_type("azurerm_mssql_server"):
        f = Fields(ctx, tf)
        f.get("minimal_tls_version", "minimum_tls_version", default="1.2", note="azurerm sets minimum_tls_version 1.2 by default")
        if f.values.get("minimal_tls_version") == "Disabled":
            f.values["minimal_tls_version"] = "None"  # what ARM reports when no minimum is enforced
        public = f.get("public_network_access", "public_network_access_enabled", default=True, convert=as_bool, placeholder=None)
        if isinstance(public, bool):
            f.values["public_network_access"] = "Enabled" if public else "Disabled"
        _protector(ctx, f, tf)
        _auditing(ctx, f, tf)
        _threat_detection(ctx, f, tf)
        ident = ctx.identity_of(tf)
        out.append(f.build(SqlServer, id=ident["id"], name=ident["name"], region=location(tf), resource_group=resource_group(ctx, tf)))
    return out


def _protector(ctx: Context, f: Fields, server: TfResource) -> None:
    split = _last(ctx.referrers(server, PROTECTOR, "server_id", "id"))
    source, path = (split, "key_vault_key_id") if split is not None else (server, "transparent_data_encryption_key_vault_key_id")
    key = path_value(source.values, path)
    if key is MISSING or key is None:
        hsm = path_value(source.values, "managed_hsm_key_id") if split is not None else MISSING
        if hsm not in (MISSING, None):
            key, path = hsm, "managed_hsm_key_id"
    if isinstance(key, Unknown) and ctx.referenced(source, key) is None:
        f.get("tde_protector_type", path, tf=source, placeholder=None)
        f.get("tde_protector_key", path, tf=source)
    elif key is MISSING or key is None:
        f.set("tde_protector_type", "ServiceManaged", tf=split, note="without a Key Vault key the TDE protector is service-managed")
        f.set("tde_protector_key", None)
    else:
        f.set("tde_protector_type", "AzureKeyVault", tf=source, path=path)
        f.set("tde_protector_key", reference(ctx, source, key), tf=source, path=path)
    _unsure(ctx, f, server, PROTECTOR, "server_id", ("tde_protector_type", "tde_protector_key"))


def _auditing(ctx: Context, f: Fields, server: TfResource) -> None:
    policy = _last(ctx.referrers(server, AUDITING, "server_id", "id"))
    if policy is None:
        f.set("auditing_state", "Disabled", note="a server is not audited unless an azurerm_mssql_server_extended_auditing_policy enables it")
        f.set("audit_retention_days", None)
        f.set("audit_storage_endpoint", None)
        f.set("audit_to_azure_monitor", None)
    else:
        enabled = f.get("auditing_state", "enabled", tf=policy, default=True, convert=as_bool, placeholder=None)
        if isinstance(enabled, bool):
            f.values["auditing_state"] = "Enabled" if enabled else "Disabled"
        f.get("audit_retention_days", "retention_in_days", tf=policy, default=0, convert=as_int)
        endpoint = path_value(policy.values, "storage_endpoint")
        if isinstance(endpoint, Unknown) and ctx.referenced(policy, endpoint) is not None:
            f.set("audit_storage_endpoint", f"(known after apply: {endpoint.address}.{endpoint.attribute})", tf=policy, path="storage_endpoint")
        else:
            f.get("audit_storage_endpoint", "storage_endpoint", tf=policy)
        f.get("audit_to_azure_monitor", "log_monitoring_enabled", tf=policy, default=True, convert=as_bool)
    _unsure(ctx, f, server, AUDITING, "server_id", ("auditing_state", "audit_retention_days", "audit_storage_endpoint", "audit_to_azure_monitor"))


def _threat_detection(ctx: Context, f: Fields, server: TfResource) -> None:
    # The security alert policy names its server by name and resource group, not by id.
    found = [
        tf
        for tf in ctx.referrers(server, ALERTS, "server_name", "name")
        if ctx.ref(tf, tf.values.get("resource_group_name")) == resource_group(ctx, server)
    ]
    policy = _last(found)
    if policy is None:
        f.set("threat_detection_state", None)
        f.set("threat_detection_disabled_alerts", [])
        f.unresolved["threat_detection_state"] = (
            f"{server.address}: no azurerm_mssql_server_security_alert_policy declares its state, and Microsoft Defender for SQL "
            "enabled on the subscription turns it on"
        )
    else:
        f.get("threat_detection_state", "state", tf=policy, placeholder=None)
        f.get("threat_detection_disabled_alerts", "disabled_alerts", tf=policy, default=[], convert=_strings)
    _unsure(ctx, f, server, ALERTS, "server_name", ("threat_detection_state", "threat_detection_disabled_alerts"))


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of strings")
    return sorted(value)


@adapter("azure.sql.databases", ["azurerm_mssql_database"])
def databases(ctx: Context) -> list[SqlDatabase]:
    out = []
    for tf in ctx.of_type("azurerm_mssql_database"):
        f = Fields(ctx, tf)
        f.get("sku_name")
        f.get("backup_storage_redundancy", "storage_account_type", default="Geo", note="azurerm stores database backups geo-redundantly (Geo) by default")
        tde = f.get("tde_state", "transparent_data_encryption_enabled", default=True, convert=as_bool, placeholder=None,
                    note="transparent data encryption is on for every new database")
        if isinstance(tde, bool):
            f.values["tde_state"] = "Enabled" if tde else "Disabled"
        policy = path_value(tf.values, "long_term_retention_policy")
        for period in ("weekly", "monthly", "yearly"):
            if policy is MISSING or policy is None or policy == []:
                f.set(f"ltr_{period}", "PT0S", note="no long_term_retention_policy: no long-term backups")
            else:
                f.get(f"ltr_{period}", f"long_term_retention_policy.{period}_retention", default="PT0S")
        server = ctx.referenced(tf, tf.values.get("server_id"))
        ident = ctx.identity_of(tf)
        server_name = ctx.identity_of(server)["name"] if server is not None else ident["id"].split("/servers/")[-1].split("/")[0]
        out.append(
            f.build(
                SqlDatabase,
                id=ident["id"],
                name=ident["name"],
                region=location(server) if server is not None else "unknown",
                resource_group=resource_group(ctx, server) if server is not None else None,
                server_name=server_name,
            )
        )
    return out
