"""Kinesis Data Streams: server-side encryption."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

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
