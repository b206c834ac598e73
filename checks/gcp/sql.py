"""Cloud SQL: TLS, network exposure, CMEK, backups, point-in-time recovery, high availability,
deletion protection and PostgreSQL logging flags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.models.gcp.sql import SqlInstance
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

SSL_ENFORCING = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
PG_LEVELS = ["debug5", "debug4", "debug3", "debug2", "debug1", "info", "notice", "warning", "error", "log", "fatal", "panic"]


def _primaries(inv: GcpInventory) -> Iterator[SqlInstance]:
    return (i for i in inv.sql.instances if not i.is_replica)


@check(
    id="gcp.sql.instance_requires_ssl",
    title="Cloud SQL instances accept only encrypted connections",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --ssl-mode=ENCRYPTED_ONLY (or TRUSTED_CLIENT_CERTIFICATE_REQUIRED)",
)
def instance_requires_ssl(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without an enforced SSL mode a client can connect in plain text and credentials and query
    results cross the network readable (CC6.7, C1.1)."""
    for db in inv.sql.instances:
        evidence = {"ssl_mode": db.ssl_mode, "require_ssl": db.require_ssl}
        if db.ssl_mode in SSL_ENFORCING or (db.ssl_mode is None and db.require_ssl):
            yield Result.passed(db, f"sslMode is {db.ssl_mode or 'unset'}, requireSsl {str(db.require_ssl).lower()}", **evidence)
        else:
            yield Result.failed(db, f"sslMode is {db.ssl_mode or 'unset'}: unencrypted connections are accepted", **evidence)


@check(
    id="gcp.sql.no_open_authorized_networks",
    title="Cloud SQL instances with a public IP do not authorise 0.0.0.0/0",
    severity=Severity.CRITICAL,
    category=Category.NETWORK,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="Remove the 0.0.0.0/0 authorized network; connect through private IP or the Cloud SQL Auth Proxy.",
)
def no_open_authorized_networks(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """An authorized network of 0.0.0.0/0 exposes the database listener to the whole internet,
    leaving only its password between an attacker and the data (CC6.6, C1.1)."""
    for db in inv.sql.instances:
        open_ranges = [n for n in db.authorized_networks if n in ("0.0.0.0/0", "::/0")]
        if db.ipv4_enabled and open_ranges:
            yield Result.failed(db, f"public IP with authorized network {', '.join(open_ranges)}", authorized_networks=db.authorized_networks)
        elif db.ipv4_enabled:
            yield Result.passed(db, f"public IP limited to {', '.join(db.authorized_networks) or 'no authorized networks'}",
                                authorized_networks=db.authorized_networks)
        else:
            yield Result.passed(db, "no public IPv4 address (ipv4Enabled false)")


@check(
    id="gcp.sql.instance_cmek",
    title="Cloud SQL instances encrypt storage with a customer-managed key",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    params={"require_cmek": True},
    remediation="CMEK is set at creation: create a new instance with --disk-encryption-key and migrate the data.",
)
def instance_cmek(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A customer-managed key gives key-use audit logs and lets the organization revoke access to
    the database's data by disabling the key (C1.1, CC6.1)."""
    for db in inv.sql.instances:
        if db.kms_key_name:
            yield Result.passed(db, f"diskEncryptionConfiguration.kmsKeyName is {db.kms_key_name}", kms_key_name=db.kms_key_name)
        elif ctx.params["require_cmek"]:
            yield Result.failed(db, "no diskEncryptionConfiguration.kmsKeyName: Google-managed key")
        else:
            yield Result.passed(db, "Google-managed key (require_cmek is false)")


@check(
    id="gcp.sql.automated_backups",
    title="Cloud SQL instances take automated backups and keep at least the configured number",
    severity=Severity.HIGH,
    category=Category.BACKUP,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    params={"min_retained_backups": Param(7, minimum=1, maximum=365)},
    remediation="gcloud sql instances patch INSTANCE --backup-start-time=03:00 --retained-backups-count=7",
)
def automated_backups(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automated daily backups are the recovery point for the database; too few retained backups
    shortens how far back a corruption can be undone (A1.2, CC7.5). Read replicas are skipped."""
    need = ctx.params["min_retained_backups"]
    for db in _primaries(inv):
        evidence = {"backup_enabled": db.backup_enabled, "retained_backups": db.retained_backups}
        if not db.backup_enabled:
            yield Result.failed(db, "backupConfiguration.enabled is false", **evidence)
        elif (db.retained_backups or 0) < need:
            yield Result.failed(db, f"retains {db.retained_backups} backups (minimum {need})", **evidence)
        else:
            yield Result.passed(db, f"automated backups on, {db.retained_backups} retained (minimum {need})", **evidence)


@check(
    id="gcp.sql.point_in_time_recovery",
    title="Cloud SQL instances have point-in-time recovery",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --enable-point-in-time-recovery (MySQL: --enable-bin-log)",
)
def point_in_time_recovery(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Point-in-time recovery replays the transaction log to any second within its window, so a bad
    migration at 14:05 does not cost the day since the nightly backup (A1.2, CC7.5)."""
    for db in _primaries(inv):
        enabled = db.binary_log_enabled if db.engine == "mysql" else db.point_in_time_recovery
        setting = "binaryLogEnabled" if db.engine == "mysql" else "pointInTimeRecoveryEnabled"
        if enabled and db.backup_enabled:
            yield Result.passed(db, f"{setting} is true ({count(db.transaction_log_retention_days, 'day')} of logs)")
        else:
            yield Result.failed(db, f"{setting} is {str(enabled).lower()}, backups {'on' if db.backup_enabled else 'off'}")


@check(
    id="gcp.sql.high_availability",
    title="Cloud SQL instances are regional (high availability)",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --availability-type=REGIONAL",
)
def high_availability(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A regional instance keeps a synchronous standby in another zone and fails over to it
    automatically; a zonal instance is down for the length of a zone outage (A1.2, CC9.1)."""
    for db in _primaries(inv):
        if db.availability_type == "REGIONAL":
            yield Result.passed(db, "availabilityType is REGIONAL")
        else:
            yield Result.failed(db, f"availabilityType is {db.availability_type or 'unset'}")


@check(
    id="gcp.sql.deletion_protection",
    title="Cloud SQL instances have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --deletion-protection",
)
def deletion_protection(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deleting a Cloud SQL instance deletes its automated backups with it; deletion protection
    blocks that from a stray command or script (A1.2)."""
    for db in inv.sql.instances:
        if db.deletion_protection:
            yield Result.passed(db, "settings.deletionProtectionEnabled is true")
        else:
            yield Result.failed(db, "settings.deletionProtectionEnabled is false")


def _postgres_flag(inv: GcpInventory, flag: str, want: str) -> Iterator[Result]:
    for db in inv.sql.instances:
        if db.engine != "postgres":
            continue
        value = db.database_flags.get(flag)
        if value is not None and value.lower() == want:
            yield Result.passed(db, f"database flag {flag} is {value}", **{flag: value})
        else:
            yield Result.failed(db, f"database flag {flag} is {value or 'not set (default off)'}", **{flag: value})


@check(
    id="gcp.sql.postgres_log_connections",
    title="Cloud SQL for PostgreSQL logs connections",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --database-flags=log_connections=on (keep the other flags in the list)",
)
def postgres_log_connections(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """log_connections records every connection attempt with its user and source, the trail of who
    reached the database (CC7.2)."""
    yield from _postgres_flag(inv, "log_connections", "on")


@check(
    id="gcp.sql.postgres_log_disconnections",
    title="Cloud SQL for PostgreSQL logs disconnections",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    remediation="gcloud sql instances patch INSTANCE --database-flags=log_disconnections=on (keep the other flags in the list)",
)
def postgres_log_disconnections(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """log_disconnections records each session's end and duration, which with log_connections shows
    how long each session lasted (CC7.2)."""
    yield from _postgres_flag(inv, "log_disconnections", "on")


@check(
    id="gcp.sql.postgres_log_min_messages",
    title="Cloud SQL for PostgreSQL logs messages at the configured severity or stricter",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="sqladmin.googleapis.com/Instance",
    reads=["gcp.sql.instances"],
    params={"min_level": Param("warning", choices=tuple(PG_LEVELS))},
    remediation="gcloud sql instances patch INSTANCE --database-flags=log_min_messages=warning",
)
def postgres_log_min_messages(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """log_min_messages below warning floods the log with debug output (hiding events and costing
    retention); errors must always be logged (CC7.2). Unset means PostgreSQL's default, warning."""
    floor = PG_LEVELS.index(str(ctx.params["min_level"]).lower())
    for db in inv.sql.instances:
        if db.engine != "postgres":
            continue
        value = db.database_flags.get("log_min_messages")
        level = (value or "warning").lower()
        shown = value or "not set (default warning)"
        if level in PG_LEVELS and floor <= PG_LEVELS.index(level) <= PG_LEVELS.index("error"):
            yield Result.passed(db, f"log_min_messages is {shown}", log_min_messages=value)
        else:
            yield Result.failed(db, f"log_min_messages is {shown} (expected {ctx.params['min_level']} to error)", log_min_messages=value)
