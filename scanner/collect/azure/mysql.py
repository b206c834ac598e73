"""Azure Database for MySQL flexible servers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.azure._flexible import flexible_servers as _servers
from scanner.collect.registry import collector, facet
from scanner.models.azure.rdbms import FlexibleServer

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2024-12-30"  # Microsoft.DBforMySQL flexible servers (azure-mgmt-mysqlflexibleservers 1.0.0 models it)


@collector(
    "azure.mysql.flexible_servers",
    regional=True,
    permissions=["Microsoft.DBforMySQL/flexibleServers/read"],
    facets={
        "tls": facet(["Microsoft.DBforMySQL/flexibleServers/configurations/read"], ["require_secure_transport"]),
    },
)
def flexible_servers(scope: AzureScope) -> list[FlexibleServer]:
    return _servers(scope, "mysql", "Microsoft.DBforMySQL", API_VERSION)
