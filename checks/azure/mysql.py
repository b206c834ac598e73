"""Azure Database for MySQL flexible servers: TLS enforcement and geo-redundant backups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.azure.postgresql import geo_results, tls_results
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


@check(
    id="azure.mysql.tls_enforced",
    title="MySQL flexible servers require TLS connections",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.DBforMySQL/flexibleServers",
    reads=["azure.mysql.flexible_servers:tls"],
    remediation="az mysql flexible-server parameter set -g RG -s SERVER --name require_secure_transport --value ON",
)
def mysql_tls(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """With require_secure_transport OFF, clients may send credentials and data in clear text (CC6.7)."""
    yield from tls_results(inv.mysql.flexible_servers)


@check(
    id="azure.mysql.geo_redundant_backup",
    title="MySQL flexible servers have geo-redundant backups",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="Microsoft.DBforMySQL/flexibleServers",
    reads=["azure.mysql.flexible_servers"],
    remediation="Geo-redundant backup is chosen at creation: restore or recreate the server with --geo-redundant-backup Enabled.",
)
def mysql_geo_backup(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Geo-redundant backups allow a geo-restore into the paired region after a regional outage (A1.2)."""
    yield from geo_results(inv.mysql.flexible_servers)
