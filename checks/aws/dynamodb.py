"""DynamoDB: point-in-time recovery."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


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
