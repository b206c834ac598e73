"""CloudTrail: a multi-region trail that is logging, validation and KMS encryption of trails."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.cloudtrail.multi_region_trail_logging",
    title="At least one multi-region CloudTrail trail is logging",
    severity=Severity.HIGH,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails"],
    remediation="Create a trail with IsMultiRegionTrail=true and start logging (aws cloudtrail start-logging).",
)
def multi_region_trail_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """API activity in every region, including regions nobody uses, is the audit trail for
    detecting and investigating security events (CC7.2, CC7.3)."""
    good = sorted(t.name for t in inv.cloudtrail.trails if t.is_multi_region and t.is_logging)
    if good:
        yield Result.passed(ctx.account, f"multi-region trail logging: {', '.join(good)}", trails=good)
    elif ctx.complete("aws.cloudtrail.trails"):
        stopped = sorted(t.name for t in inv.cloudtrail.trails if t.is_multi_region)
        reason = f"multi-region trails exist but are not logging: {', '.join(stopped)}" if stopped else "no multi-region trail"
        yield Result.failed(ctx.account, reason, multi_region_trails_not_logging=stopped)
    else:
        yield Result.unknown(ctx.account, "no logging multi-region trail found in the regions that could be read")


@check(
    id="aws.cloudtrail.log_file_validation",
    title="CloudTrail trails have log file validation enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails"],
    remediation="Update the trail with --enable-log-file-validation.",
)
def log_file_validation(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Digest files prove that delivered log files were not altered or deleted, which is what makes
    the trail usable as evidence (CC7.2)."""
    for trail in inv.cloudtrail.trails:
        if trail.log_file_validation_enabled:
            yield Result.passed(trail, "LogFileValidationEnabled is true")
        else:
            yield Result.failed(trail, "LogFileValidationEnabled is false")


@check(
    id="aws.cloudtrail.trail_kms_encrypted",
    title="CloudTrail trails encrypt log files with a KMS key",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails"],
    remediation="Update the trail with --kms-key-id pointing at a customer-managed key whose policy allows CloudTrail.",
)
def trail_kms_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """SSE-KMS adds a key policy between the log bucket and a reader, so reading the audit trail
    needs kms:Decrypt as well as s3:GetObject (CC6.1, C1.1)."""
    for trail in inv.cloudtrail.trails:
        if trail.kms_key_id:
            yield Result.passed(trail, "KmsKeyId is set", kms_key_id=trail.kms_key_id)
        else:
            yield Result.failed(trail, "KmsKeyId is not set: log files use SSE-S3 only")
