"""Cloud SQL instances (Cloud SQL Admin API v1 through its discovery document)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.sql import SqlInstance

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.sql.instances", regional=True, permissions=["cloudsql.instances.list"])
def instances(scope: GcpScope) -> list[SqlInstance]:
    found = scope.pages("sqladmin", "instances.list", "items", project=scope.project)
    result = []
    for i in found:
        settings = i.get("settings") or {}
        ip = settings.get("ipConfiguration") or {}
        backup = settings.get("backupConfiguration") or {}
        retained = (backup.get("backupRetentionSettings") or {}).get("retainedBackups")
        result.append(
            SqlInstance(
                id=f"projects/{scope.project}/instances/{i['name']}",
                name=i["name"],
                region=i.get("region", "global"),
                account=scope.account,
                database_version=i.get("databaseVersion", "UNKNOWN"),
                state=i.get("state"),
                instance_type=i.get("instanceType"),
                availability_type=settings.get("availabilityType"),
                ipv4_enabled=bool(ip.get("ipv4Enabled", False)),
                require_ssl=bool(ip.get("requireSsl", False)),
                ssl_mode=ip.get("sslMode"),
                authorized_networks=sorted(n.get("value", "") for n in ip.get("authorizedNetworks") or []),
                kms_key_name=(i.get("diskEncryptionConfiguration") or {}).get("kmsKeyName"),
                backup_enabled=bool(backup.get("enabled", False)),
                point_in_time_recovery=bool(backup.get("pointInTimeRecoveryEnabled", False)),
                binary_log_enabled=bool(backup.get("binaryLogEnabled", False)),
                retained_backups=int(retained) if retained is not None else None,
                transaction_log_retention_days=backup.get("transactionLogRetentionDays"),
                deletion_protection=bool(settings.get("deletionProtectionEnabled", False)),
                database_flags={f["name"]: str(f.get("value", "")) for f in settings.get("databaseFlags") or []},
            )
        )
    return result
