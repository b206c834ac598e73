"""Azure Database for PostgreSQL flexible servers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.azure._flexible import flexible_servers as _servers
from scanner.collect.registry import collector, facet
from scanner.models.azure.rdbms import FlexibleServer

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2026-10-01"  # Microsoft.DBforPostgreSQL flexible servers (azure-mgmt-postgresqlflexibleservers 3.0.0 models it)


@collector(
    "azure.postgresql.flexible_servers",
    regional=True,
    permissions=["Microsoft.DBforPostgreSQL/flexibleServers/read"],
    facets={
        "tls": facet(["Microsoft.DBforPostgreSQL/flexibleServers/configurations/read"], ["require_secure_transport"]),
    },
)
def flexible_servers(scope: AzureScope) -> list[FlexibleServer]:
    return _servers(scope, "postgresql", "Microsoft.DBforPostgreSQL", API_VERSION)
