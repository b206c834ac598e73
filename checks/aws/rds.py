"""RDS: storage encryption, backup retention, Multi-AZ, deletion protection."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.rds.instance_storage_encrypted",
    title="RDS DB instances encrypt storage at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Encryption cannot be turned on in place: snapshot, copy the snapshot with a KMS key, restore, cut over.",
)
def instance_storage_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Database storage, its automated backups, read replicas and snapshots are encrypted only
    when the instance is (C1.1, CC6.1)."""
    for db in inv.rds.db_instances:
        if db.storage_encrypted:
            yield Result.passed(db, "StorageEncrypted is true", kms_key_id=db.kms_key_id)
        else:
            yield Result.failed(db, "StorageEncrypted is false", engine=db.engine)


@check(
    id="aws.rds.backup_retention",
    title="RDS DB instances keep automated backups for at least the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    params={"min_days": 7},
    remediation="Modify the instance: set BackupRetentionPeriod to at least the required number of days.",
)
def backup_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automated backups with enough retention allow point-in-time recovery after corruption or
    deletion discovered days later (A1.2, CC7.5)."""
    minimum = ctx.params["min_days"]
    for db in inv.rds.db_instances:
        days = db.backup_retention_days
        if days >= minimum:
            yield Result.passed(db, f"BackupRetentionPeriod is {days} days (>= {minimum})", backup_retention_days=days)
        elif days == 0:
            yield Result.failed(db, "BackupRetentionPeriod is 0: automated backups are disabled", backup_retention_days=0)
        else:
            yield Result.failed(db, f"BackupRetentionPeriod is {days} days (< {minimum})", backup_retention_days=days)


@check(
    id="aws.rds.multi_az",
    title="RDS DB instances are deployed Multi-AZ",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with MultiAZ=true (Aurora: add a replica in another Availability Zone).",
)
def multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A standby in a second Availability Zone keeps the database available through an AZ or host
    failure (A1.2, CC9.1)."""
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue  # Aurora availability is a property of the cluster, not the member instance
        if db.multi_az:
            yield Result.passed(db, "MultiAZ is true")
        else:
            yield Result.failed(db, "MultiAZ is false: single Availability Zone")


@check(
    id="aws.rds.deletion_protection",
    title="RDS DB instances have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with DeletionProtection=true.",
)
def deletion_protection(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deletion protection stops a mistaken or malicious delete of a production database (A1.2)."""
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue  # Aurora: deletion protection is set on the cluster
        if db.deletion_protection:
            yield Result.passed(db, "DeletionProtection is true")
        else:
            yield Result.failed(db, "DeletionProtection is false")
