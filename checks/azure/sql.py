"""Azure SQL: TDE and its protector, TLS, auditing, long-term retention and geo-redundant backups."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.azure import AzureInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

SERVER = "Microsoft.Sql/servers"
DATABASE = "Microsoft.Sql/servers/databases"


@check(
    id="azure.sql.tde_enabled",
    title="SQL databases have transparent data encryption enabled",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=DATABASE,
    reads=["azure.sql.databases:tde"],
    remediation="az sql db tde set --status Enabled -g RG -s SERVER -d DATABASE",
)
def tde_enabled(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """TDE encrypts the database files, logs and backups at rest (CC6.1, C1.1)."""
    for db in inv.sql.databases:
        if db.tde_state == "Enabled":
            yield Result.passed(db, "transparent data encryption state is Enabled", server=db.server_name)
        else:
            yield Result.failed(db, f"transparent data encryption state is {db.tde_state}", server=db.server_name)


@check(
    id="azure.sql.tde_protector_cmk",
    title="SQL servers protect TDE with a customer-managed key",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type=SERVER,
    reads=["azure.sql.servers:protector"],
    params={"require_cmk": True},
    remediation="Set the server's TDE protector to a Key Vault key (Transparent data encryption > Customer-managed key).",
)
def tde_protector_cmk(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A customer-managed TDE protector puts the database encryption keys under the organisation's key
    management and revocation (CC6.1). `require_cmk=false` accepts service-managed keys."""
    for server in inv.sql.servers:
        if server.tde_protector_type == "AzureKeyVault":
            yield Result.passed(server, "TDE protector serverKeyType is AzureKeyVault", key=server.tde_protector_key)
        elif not ctx.params["require_cmk"]:
            yield Result.passed(server, f"TDE protector serverKeyType is {server.tde_protector_type} (service-managed accepted)")
        else:
            yield Result.failed(server, f"TDE protector serverKeyType is {server.tde_protector_type}, not AzureKeyVault")


@check(
    id="azure.sql.min_tls_1_2",
    title="SQL servers require TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=SERVER,
    reads=["azure.sql.servers"],
    remediation="az sql server update -n SERVER -g RG --minimal-tls-version 1.2",
)
def sql_min_tls_1_2(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Connections with TLS 1.0/1.1 use deprecated protocol versions (CC6.7)."""
    for server in inv.sql.servers:
        version = server.minimal_tls_version
        if version in ("1.2", "1.3"):
            yield Result.passed(server, f"minimalTlsVersion is {version}", minimal_tls_version=version)
        else:
            yield Result.failed(server, f"minimalTlsVersion is {version or 'not set'}", minimal_tls_version=version)


@check(
    id="azure.sql.auditing_enabled",
    title="SQL servers have auditing enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=SERVER,
    reads=["azure.sql.servers:auditing"],
    remediation="Enable server auditing to a storage account, Log Analytics workspace or Event Hub "
    "(az sql server audit-policy update --state Enabled ...).",
)
def auditing_enabled(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Database audit logs record logins, permission changes and queries: evidence for detecting and
    investigating misuse of data (CC7.2)."""
    for server in inv.sql.servers:
        if server.auditing_state == "Enabled":
            yield Result.passed(server, "blob auditing policy state is Enabled")
        else:
            yield Result.failed(server, f"blob auditing policy state is {server.auditing_state}")


@check(
    id="azure.sql.audit_retention",
    title="SQL server audit logs are retained for at least the configured days",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type=SERVER,
    reads=["azure.sql.servers:auditing"],
    params={"min_days": Param(90, minimum=1, maximum=3285)},
    remediation="Set the auditing retention to 90 days or more (0 keeps logs indefinitely).",
)
def audit_retention(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Investigations often start weeks after the event; audit records must outlive that window (CC7.3)."""
    for server in inv.sql.servers:
        if server.auditing_state != "Enabled" and "auditing" not in server.errors:
            continue
        days = server.audit_retention_days or 0
        if days == 0 or days >= ctx.params["min_days"]:
            yield Result.passed(server, "audit retention is unlimited" if days == 0 else f"audit retention is {count(days, 'day')}", retention_days=days)
        else:
            yield Result.failed(server, f"audit retention is {count(days, 'day')}, fewer than {ctx.params['min_days']}", retention_days=days)


@check(
    id="azure.sql.database_ltr",
    title="SQL databases have a long-term backup retention policy",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=DATABASE,
    reads=["azure.sql.databases:ltr"],
    remediation="Configure long-term retention (weekly/monthly/yearly) on the database: "
    "az sql db ltr-policy set --weekly-retention P12W ...",
)
def database_ltr(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Point-in-time restore covers 7 to 35 days; long-term retention keeps backups for months or years,
    the restore points an auditor asks for when recovery needs predate that window (A1.2, CC7.5)."""
    for db in inv.sql.databases:
        evidence = {"weekly": db.ltr_weekly, "monthly": db.ltr_monthly, "yearly": db.ltr_yearly}
        if db.has_ltr:
            yield Result.passed(db, "long-term retention is configured", **evidence)
        else:
            yield Result.failed(db, "no long-term retention (weekly, monthly and yearly are PT0S)", **evidence)


@check(
    id="azure.sql.database_geo_backup",
    title="SQL databases store backups geo-redundantly",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=DATABASE,
    reads=["azure.sql.databases"],
    remediation="Set the backup storage redundancy to Geo or GeoZone (az sql db update --backup-storage-redundancy Geo).",
)
def database_geo_backup(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Geo-redundant backups allow a geo-restore when the primary region is unavailable (A1.2, CC9.1)."""
    for db in inv.sql.databases:
        redundancy = db.backup_storage_redundancy
        if redundancy in ("Geo", "GeoZone"):
            yield Result.passed(db, f"backup storage redundancy is {redundancy}")
        else:
            yield Result.failed(db, f"backup storage redundancy is {redundancy}, not geo-redundant")
