"""S3: default encryption, TLS-only access, server access logging, versioning."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.s3.bucket_default_encryption",
    title="S3 buckets encrypt objects by default",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:encryption"],
    params={"require_kms": False},
    remediation="Set default encryption on the bucket (SSE-KMS with a customer-managed key where keys must be controlled).",
)
def bucket_default_encryption(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Encryption at rest protects confidential data on the storage media (C1.1, CC6.1). With
    `require_kms`, SSE-S3 fails: only SSE-KMS gives key policies and CloudTrail key-use records."""
    for bucket in inv.s3.buckets:
        algorithm = bucket.encryption_algorithm
        evidence = {"sse_algorithm": algorithm, "kms_key_id": bucket.kms_key_id}
        if algorithm is None:
            yield Result.failed(bucket, "no default encryption configuration", **evidence)
        elif ctx.params["require_kms"] and not algorithm.startswith("aws:kms"):
            yield Result.failed(bucket, f"default encryption is {algorithm}, SSE-KMS required", **evidence)
        else:
            yield Result.passed(bucket, f"default encryption is {algorithm}", **evidence)


def _denies_insecure_transport(policy: dict[str, Any] | None) -> bool:
    statements = (policy or {}).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if statement.get("Effect") != "Deny":
            continue
        principal = statement.get("Principal")
        if principal not in ("*", {"AWS": "*"}, {"AWS": ["*"]}):
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("*", "s3:*") for a in actions):
            continue
        condition = statement.get("Condition", {}).get("Bool", {})
        if str(condition.get("aws:SecureTransport", "")).lower() == "false":
            return True
    return False


@check(
    id="aws.s3.bucket_tls_only",
    title="S3 bucket policies deny requests that do not use TLS",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:policy"],
    remediation='Add a bucket policy statement: Effect Deny, Principal "*", Action "s3:*", '
    'Condition {"Bool": {"aws:SecureTransport": "false"}}.',
)
def bucket_tls_only(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """S3 accepts plain HTTP unless the bucket policy refuses it; CC6.7 expects data in transit to
    be protected."""
    for bucket in inv.s3.buckets:
        if _denies_insecure_transport(bucket.policy):
            yield Result.passed(bucket, "bucket policy denies s3:* when aws:SecureTransport is false")
        elif bucket.policy is None:
            yield Result.failed(bucket, "no bucket policy, so requests over plain HTTP are allowed", has_policy=False)
        else:
            yield Result.failed(bucket, "bucket policy has no Deny on aws:SecureTransport=false", has_policy=True)


@check(
    id="aws.s3.bucket_access_logging",
    title="S3 buckets have server access logging enabled",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:logging"],
    remediation="Enable server access logging to a dedicated log bucket (or CloudTrail S3 data events).",
)
def bucket_access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs record who read or changed objects, the trail incident responders need (CC7.2)."""
    for bucket in inv.s3.buckets:
        if bucket.logging_target_bucket:
            yield Result.passed(bucket, f"access logs delivered to {bucket.logging_target_bucket}", target_bucket=bucket.logging_target_bucket)
        else:
            yield Result.failed(bucket, "server access logging is disabled (no LoggingEnabled)")


@check(
    id="aws.s3.bucket_versioning",
    title="S3 buckets have versioning enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:versioning"],
    remediation="Enable versioning on the bucket, with lifecycle rules to expire noncurrent versions.",
)
def bucket_versioning(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Versioning keeps prior object versions so overwritten or deleted data can be recovered (A1.2)."""
    for bucket in inv.s3.buckets:
        status = bucket.versioning_status
        if status == "Enabled":
            yield Result.passed(bucket, "versioning is Enabled", versioning_status=status, mfa_delete=bucket.mfa_delete)
        else:
            yield Result.failed(bucket, f"versioning is {status or 'never enabled'}", versioning_status=status)
