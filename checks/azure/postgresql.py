"""Azure Database for PostgreSQL flexible servers: TLS enforcement and geo-redundant backups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.rdbms import FlexibleServer
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


def tls_results(servers: list[FlexibleServer]) -> Iterator[Result]:
    for server in servers:
        value = server.require_secure_transport
        if value == "on":
            yield Result.passed(server, "server parameter require_secure_transport is ON")
        else:
            yield Result.failed(server, f"server parameter require_secure_transport is {(value or 'unknown').upper()}")


def geo_results(servers: list[FlexibleServer]) -> Iterator[Result]:
    for server in servers:
        state = server.geo_redundant_backup
        if state == "Enabled":
            yield Result.passed(server, "backup.geoRedundantBackup is Enabled", retention_days=server.backup_retention_days)
        else:
            yield Result.failed(server, f"backup.geoRedundantBackup is {state}", retention_days=server.backup_retention_days)


@check(
    id="azure.postgresql.tls_enforced",
    title="PostgreSQL flexible servers require TLS connections",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.DBforPostgreSQL/flexibleServers",
    reads=["azure.postgresql.flexible_servers:tls"],
    remediation="az postgres flexible-server parameter set -g RG -s SERVER --name require_secure_transport --value on",
)
def postgresql_tls(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """With require_secure_transport off, clients may send credentials and data in clear text (CC6.7)."""
    yield from tls_results(inv.postgresql.flexible_servers)


@check(
    id="azure.postgresql.geo_redundant_backup",
    title="PostgreSQL flexible servers have geo-redundant backups",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="Microsoft.DBforPostgreSQL/flexibleServers",
    reads=["azure.postgresql.flexible_servers"],
    remediation="Geo-redundant backup is chosen at creation: restore or recreate the server with --geo-redundant-backup Enabled.",
)
def postgresql_geo_backup(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Geo-redundant backups allow a geo-restore into the paired region after a regional outage (A1.2)."""
    yield from geo_results(inv.postgresql.flexible_servers)
