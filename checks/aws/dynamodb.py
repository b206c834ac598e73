"""DynamoDB: point-in-time recovery, customer-managed encryption, deletion protection, AWS Backup."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws._kms_refs import key_manager
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.dynamodb.pitr_enabled",
    title="DynamoDB tables have point-in-time recovery enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::DynamoDB::Table",
    reads=["aws.dynamodb.tables:continuous_backups"],
    remediation="Enable point-in-time recovery (aws dynamodb update-continuous-backups "
    "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true).",
)
def pitr_enabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """PITR keeps 35 days of continuous backups, so a table can be restored to any second before
    a bad write or delete (A1.2, CC7.5)."""
    for table in inv.dynamodb.tables:
        if table.pitr_enabled:
            yield Result.passed(table, "PointInTimeRecoveryStatus is ENABLED")
        else:
            yield Result.failed(table, "PointInTimeRecoveryStatus is DISABLED")


@check(
    id="aws.dynamodb.table_cmk_encrypted",
    title="DynamoDB tables are encrypted with a customer-managed KMS key",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::DynamoDB::Table",
    reads=["aws.dynamodb.tables", "aws.kms.keys"],
    params={"require_cmk": True},
    remediation="Update the table's SSE settings to a customer-managed key (aws dynamodb update-table "
    "--sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=KEY).",
)
def table_cmk_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Every table is encrypted at rest, but with an AWS owned key by default: no key policy of
    yours governs it and no CloudTrail entry records its use. A customer-managed key lets you
    restrict, audit and revoke access to the data independently of IAM (CC6.1, C1.1).
    With `require_cmk` false, the AWS managed key aws/dynamodb is accepted too."""
    require_cmk = ctx.params["require_cmk"]
    for table in inv.dynamodb.tables:
        if table.sse_type != "KMS":
            yield Result.failed(table, "encrypted with an AWS owned key (no SSE KMS key configured)")
            continue
        manager = key_manager(inv, table.kms_key_arn, table.region, table.account)
        evidence = {"kms_key_arn": table.kms_key_arn, "key_manager": manager}
        if manager == "CUSTOMER":
            yield Result.passed(table, "SSEType is KMS with a customer-managed key", **evidence)
        elif not require_cmk:
            yield Result.passed(table, "SSEType is KMS (customer-managed key not required)", **evidence)
        elif manager == "AWS":
            yield Result.failed(table, "SSEType is KMS with the AWS managed key aws/dynamodb", **evidence)
        else:
            yield Result.unknown(table, "SSEType is KMS, but the key is not among the collected KMS keys", **evidence)


@check(
    id="aws.dynamodb.deletion_protection",
    title="DynamoDB tables have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::DynamoDB::Table",
    reads=["aws.dynamodb.tables"],
    remediation="aws dynamodb update-table --table-name NAME --deletion-protection-enabled",
)
def deletion_protection(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deleting a table also deletes its point-in-time recovery window; deletion protection stops a
    mistaken or malicious DeleteTable (A1.2)."""
    for table in inv.dynamodb.tables:
        if table.deletion_protection:
            yield Result.passed(table, "DeletionProtectionEnabled is true")
        else:
            yield Result.failed(table, "DeletionProtectionEnabled is false")


@check(
    id="aws.dynamodb.table_backup_protected",
    title="DynamoDB tables are protected by AWS Backup",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::DynamoDB::Table",
    reads=["aws.dynamodb.tables", "aws.backup.protected_resources"],
    remediation="Assign the table to an AWS Backup plan (by ARN, resource type DynamoDB or tag).",
)
def table_backup_protected(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """PITR covers 35 days and is lost with the table; AWS Backup keeps scheduled recovery points in
    a vault under a central plan (longer retention, copies, vault lock). A table is protected when
    AWS Backup holds a recovery point of it (ListProtectedResources) (A1.2, CC7.5)."""
    protected = inv.backup.protected_arns()
    for table in inv.dynamodb.tables:
        record = protected.get(table.id)
        if record is None:
            yield Result.failed(table, "AWS Backup holds no recovery point of this table")
        else:
            yield Result.passed(table, "AWS Backup protects the table", last_backup_time=record.last_backup_time)
