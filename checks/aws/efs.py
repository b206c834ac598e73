"""EFS: encryption at rest and backups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity, Status
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

BACKUP_POLICY_ON = ("ENABLED", "ENABLING")


@check(
    id="aws.efs.encrypted_at_rest",
    title="EFS file systems are encrypted at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::EFS::FileSystem",
    reads=["aws.efs.file_systems"],
    remediation="Encryption at rest is chosen at creation: create an encrypted file system (with a KMS key), copy "
    "the data (AWS DataSync) and switch the mount targets.",
)
def encrypted_at_rest(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Shared file storage often holds exports, uploads and application data; unencrypted, its
    underlying storage and backups are readable outside the file system's access controls (C1.1, CC6.1)."""
    for fs in inv.efs.file_systems:
        if fs.encrypted:
            yield Result.passed(fs, "Encrypted is true", kms_key_id=fs.kms_key_id)
        else:
            yield Result.failed(fs, "Encrypted is false")


@check(
    id="aws.efs.backup_protected",
    title="EFS file systems are backed up (AWS Backup or EFS automatic backups)",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::EFS::FileSystem",
    reads=["aws.efs.file_systems:backup_policy", "aws.backup.protected_resources"],
    optional=["aws.efs.file_systems:backup_policy", "aws.backup.protected_resources"],
    remediation="Turn on automatic backups (aws efs put-backup-policy --file-system-id ID "
    "--backup-policy Status=ENABLED) or assign the file system to an AWS Backup plan.",
)
def backup_protected(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """EFS keeps no snapshots of its own: without AWS Backup, a deleted or overwritten file is gone.
    A file system is protected when AWS Backup holds a recovery point of it (ListProtectedResources)
    or its automatic backup policy is on (A1.2, CC7.5). When AWS Backup cannot be read, a file
    system whose automatic backups are on is still protected; the others cannot be judged."""
    protected = inv.backup.protected_arns()
    for fs in inv.efs.file_systems:
        record = protected.get(fs.id)
        if record is not None:
            yield Result.passed(fs, "AWS Backup protects the file system", last_backup_time=record.last_backup_time)
        elif fs.backup_policy_status in BACKUP_POLICY_ON:
            yield Result.passed(fs, f"automatic backups are {fs.backup_policy_status}", backup_policy=fs.backup_policy_status)
        elif "backup_policy" in fs.errors:
            # An optional facet: a recovery point above decides without the policy.
            yield Result(fs, Status.ERROR, fs.errors["backup_policy"])
        elif unread := ctx.missing("aws.backup.protected_resources", fs):
            yield Result.error(fs, f"automatic backups are off and AWS Backup's recovery points could not be read: {unread}",
                               backup_policy=fs.backup_policy_status)
        else:
            yield Result.failed(
                fs, "no AWS Backup recovery point and automatic backups are off", backup_policy=fs.backup_policy_status
            )
