"""Kinesis Data Streams: server-side encryption, retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

AWS_MANAGED_KEY = "alias/aws/kinesis"


@check(
    id="aws.kinesis.stream_encrypted",
    title="Kinesis data streams are encrypted with KMS",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::Kinesis::Stream",
    reads=["aws.kinesis.streams:summary"],
    params={"require_customer_managed_key": False},
    remediation="Start stream encryption (start-stream-encryption --encryption-type KMS) with a customer-managed key "
    "or alias/aws/kinesis.",
)
def stream_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Records stay in the stream for the retention period; server-side encryption protects them at
    rest (CC6.1, C1.1). With `require_customer_managed_key`, the AWS-managed alias/aws/kinesis key
    fails."""
    for stream in inv.kinesis.streams:
        evidence = {"encryption_type": stream.encryption_type, "kms_key_id": stream.kms_key_id}
        if stream.encryption_type != "KMS":
            yield Result.failed(stream, f"EncryptionType is {stream.encryption_type or 'NONE'}", **evidence)
        elif ctx.params["require_customer_managed_key"] and stream.kms_key_id in (None, AWS_MANAGED_KEY):
            yield Result.failed(stream, f"encrypted with the AWS-managed {AWS_MANAGED_KEY}, customer-managed key required", **evidence)
        else:
            yield Result.passed(stream, f"EncryptionType is KMS ({stream.kms_key_id})", **evidence)


@check(
    id="aws.kinesis.stream_retention",
    title="Kinesis data streams retain records for at least the configured days",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::Kinesis::Stream",
    reads=["aws.kinesis.streams:summary"],
    params={"min_days": Param(7, minimum=1, maximum=365)},
    remediation="Raise the retention (increase-stream-retention-period --retention-period-hours 168).",
)
def stream_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Records past the retention period are gone: a consumer that fails over a weekend cannot
    replay what it missed with the default 24 hours (A1.2). `min_days` (default 7) sets the
    minimum."""
    minimum_hours = int(ctx.params["min_days"]) * 24
    for stream in inv.kinesis.streams:
        hours = stream.retention_hours
        if hours is None:
            yield Result.unknown(stream, "DescribeStreamSummary returned no RetentionPeriodHours")
        elif hours >= minimum_hours:
            yield Result.passed(stream, f"RetentionPeriodHours is {hours} (>= {minimum_hours})", retention_hours=hours)
        else:
            yield Result.failed(stream, f"RetentionPeriodHours is {hours} (< {minimum_hours})", retention_hours=hours)
