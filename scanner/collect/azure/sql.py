"""Azure SQL: logical servers (TLS, TDE protector, auditing) and their databases (TDE, long-term
retention, backup storage redundancy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props
from scanner.collect.registry import collector, facet
from scanner.models.azure.sql import SqlDatabase, SqlServer

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


def _servers(scope: AzureScope) -> list[dict[str, Any]]:
    return scope.list("sql", "servers.list", lambda c: c.servers.list())


@collector(
    "azure.sql.servers",
    regional=True,
    permissions=["Microsoft.Sql/servers/read"],
    facets={
        "protector": facet(["Microsoft.Sql/servers/encryptionProtector/read"], ["tde_protector_type", "tde_protector_key"]),
        "auditing": facet(["Microsoft.Sql/servers/auditingSettings/read"], ["auditing_state", "audit_retention_days", "audit_storage_endpoint", "audit_to_azure_monitor"]),
        "audit_destinations": facet(["Microsoft.Insights/diagnosticSettings/read"], ["audit_diagnostic_settings"], needs=["auditing"]),
        "threat_detection": facet(["Microsoft.Sql/servers/securityAlertPolicies/read"], ["threat_detection_state", "threat_detection_disabled_alerts"]),
    },
)
def servers(scope: AzureScope) -> list[SqlServer]:
    return scope.map(lambda body: _server(scope, body), _servers(scope))


def _server(scope: AzureScope, body: dict[str, Any]) -> SqlServer:
    from scanner.collect.azure._client import read_facets, resource_group

    group, name = resource_group(body["id"]), body["name"]

    def protector() -> dict[str, Any]:
        p = props(scope.get("sql", "encryptionProtectors.get", lambda c: c.encryption_protectors.get(group, name, "current"), group, name))
        return {"tde_protector_type": p.get("serverKeyType"), "tde_protector_key": p.get("uri") or p.get("serverKeyName")}

    def auditing() -> dict[str, Any]:
        p = props(scope.get("sql", "serverBlobAuditingPolicies.get", lambda c: c.server_blob_auditing_policies.get(group, name), group, name))
        return {
            "auditing_state": p.get("state"),
            "audit_retention_days": p.get("retentionDays"),
            "audit_storage_endpoint": p.get("storageEndpoint") or None,
            "audit_to_azure_monitor": p.get("isAzureMonitorTargetEnabled"),
        }

    def audit_destinations() -> dict[str, Any]:
        # Auditing to Log Analytics / Event Hub is a diagnostic setting on the master database
        # (category SQLSecurityAuditEvents); the auditing policy itself names no workspace.
        from scanner.collect.azure._diagnostics import diagnostic_settings

        return {"audit_diagnostic_settings": diagnostic_settings(scope, f"{body['id']}/databases/master")}

    def threat_detection() -> dict[str, Any]:
        p = props(
            scope.get("sql", "serverSecurityAlertPolicies.get", lambda c: c.server_security_alert_policies.get(group, name, "Default"), group, name)
        )
        return {"threat_detection_state": p.get("state"), "threat_detection_disabled_alerts": [str(a) for a in p.get("disabledAlerts") or [] if a]}

    getters = {"protector": protector, "auditing": auditing, "threat_detection": threat_detection}
    fields, errors = read_facets(scope, "sql", getters)
    if fields.get("audit_to_azure_monitor"):
        more, more_errors = read_facets(scope, "sql", {"audit_destinations": audit_destinations})
        fields.update(more)
        errors.update(more_errors)
    p = props(body)
    return SqlServer(
        **base(scope, body),
        errors=errors,
        minimal_tls_version=p.get("minimalTlsVersion"),
        public_network_access=p.get("publicNetworkAccess"),
        **fields,
    )


@collector(
    "azure.sql.databases",
    regional=True,
    permissions=["Microsoft.Sql/servers/read", "Microsoft.Sql/servers/databases/read"],
    facets={
        "tde": facet(["Microsoft.Sql/servers/databases/transparentDataEncryption/read"], ["tde_state"]),
        "ltr": facet(["Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies/read"], ["ltr_weekly", "ltr_monthly", "ltr_yearly"]),
    },
)
def databases(scope: AzureScope) -> list[SqlDatabase]:
    from scanner.collect.azure._client import resource_group

    def list_databases(server: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        group, name = resource_group(server["id"]), server["name"]
        dbs = scope.list("sql", "databases.listByServer", lambda c: c.databases.list_by_server(group, name), group, name)
        return [(server, db) for db in dbs if db.get("name") != "master"]

    pairs = [pair for chunk in scope.map(list_databases, _servers(scope)) for pair in chunk]
    return scope.map(lambda pair: _database(scope, *pair), pairs)


def _database(scope: AzureScope, server: dict[str, Any], body: dict[str, Any]) -> SqlDatabase:
    from scanner.collect.azure._client import read_facets, resource_group

    group, server_name, name = resource_group(body["id"]), server["name"], body["name"]

    def tde() -> dict[str, Any]:
        p = props(scope.get("sql", "transparentDataEncryptions.get", lambda c: c.transparent_data_encryptions.get(group, server_name, name, "current"), group, server_name, name))
        return {"tde_state": p.get("state")}

    def ltr() -> dict[str, Any]:
        p = props(scope.get("sql", "longTermRetentionPolicies.get", lambda c: c.long_term_retention_policies.get(group, server_name, name, "default"), group, server_name, name))
        return {"ltr_weekly": p.get("weeklyRetention"), "ltr_monthly": p.get("monthlyRetention"), "ltr_yearly": p.get("yearlyRetention")}

    fields, errors = read_facets(scope, "sql", {"tde": tde, "ltr": ltr})
    p = props(body)
    return SqlDatabase(
        **base(scope, body),
        errors=errors,
        server_name=server_name,
        sku_name=(body.get("sku") or {}).get("name"),
        backup_storage_redundancy=p.get("requestedBackupStorageRedundancy") or p.get("currentBackupStorageRedundancy"),
        **fields,
    )
