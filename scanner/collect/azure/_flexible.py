"""PostgreSQL and MySQL flexible servers (plain GETs: one list and one server parameter each)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.models.azure.rdbms import FlexibleServer

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


def flexible_servers(scope: AzureScope, service: str, namespace: str, api_version: str) -> list[FlexibleServer]:
    from scanner.collect.azure._client import read_facets

    listed = scope.arm(service, "flexibleServers.list", subscription_path(scope, f"/providers/{namespace}/flexibleServers"), api_version, paged=True)

    def one(body: dict[str, Any]) -> FlexibleServer:
        def tls() -> dict[str, Any]:
            config = scope.arm(service, "configurations.get", f"{body['id']}/configurations/require_secure_transport", api_version)
            return {"require_secure_transport": str(props(config).get("value") or "").lower() or None}

        fields, errors = read_facets(scope, service, {"tls": tls})
        p = props(body)
        backup = p.get("backup") or {}
        return FlexibleServer(
            **base(scope, body),
            errors=errors,
            version=p.get("version"),
            geo_redundant_backup=backup.get("geoRedundantBackup"),
            backup_retention_days=backup.get("backupRetentionDays"),
            **fields,
        )

    return scope.map(one, listed)
