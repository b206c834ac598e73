"""CloudTrail: a multi-region trail that is logging, what it records (management and S3 data
events), validation, KMS encryption, CloudWatch Logs delivery, and the protection of its S3 bucket."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from checks.aws._resource_policy import public_statements
from scanner.models.aws.cloudtrail import AdvancedEventSelector, Trail
from scanner.models.aws.s3 import Bucket
from scanner.models.common import Category, Severity, Status
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


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


# -- what a trail records ------------------------------------------------------------------------
READ, WRITE = "read", "write"


def _rw(read_write_type: str) -> set[str]:
    return {"All": {READ, WRITE}, "ReadOnly": {READ}, "WriteOnly": {WRITE}}.get(read_write_type, set())


def _advanced_rw(selector: AdvancedEventSelector) -> set[str]:
    """Read/write coverage of an advanced selector from its readOnly field (absent = both)."""
    for f in selector.field_selectors:
        if f.field == "readOnly":
            values = {v.lower() for v in f.equals} or ({"true", "false"} - {v.lower() for v in f.not_equals})
            return ({READ} if "true" in values else set()) | ({WRITE} if "false" in values else set())
    return {READ, WRITE}


def _field(selector: AdvancedEventSelector, name: str) -> list[str] | None:
    return next((f.equals for f in selector.field_selectors if f.field == name), None)


def management_coverage(trail: Trail) -> tuple[set[str], list[str]]:
    """(read/write coverage of management events, management event sources excluded)."""
    covered: set[str] = set()
    excluded: list[str] = []
    for selector in trail.event_selectors:
        if selector.include_management_events:
            covered |= _rw(selector.read_write_type)
            excluded += selector.exclude_management_event_sources
    for selector in trail.advanced_event_selectors:
        if _field(selector, "eventCategory") != ["Management"]:
            continue
        narrowing = [f for f in selector.field_selectors if f.field not in ("eventCategory", "readOnly", "eventSource")]
        if narrowing:
            continue  # restricted to some event names or resources: not all management events
        for f in selector.field_selectors:
            if f.field == "eventSource":
                excluded += f.not_equals or ["(only " + ", ".join(f.equals) + ")"]
        covered |= _advanced_rw(selector)
    return covered, sorted(set(excluded))


def _all_buckets(values: list[str], partition: str) -> bool:
    return any(v.rstrip("/") in (f"arn:{partition}:s3", f"arn:{partition}:s3:::") for v in values)


def s3_object_coverage(trail: Trail) -> set[str]:
    """Read/write coverage of S3 object-level (data) events for every bucket."""
    partition = trail.id.split(":")[1] if trail.id.startswith("arn:") else "aws"
    covered: set[str] = set()
    for selector in trail.event_selectors:
        for resource in selector.data_resources:
            if resource.type == "AWS::S3::Object" and _all_buckets(resource.values, partition):
                covered |= _rw(selector.read_write_type)
    for selector in trail.advanced_event_selectors:
        if _field(selector, "eventCategory") != ["Data"] or _field(selector, "resources.type") != ["AWS::S3::Object"]:
            continue
        narrowing = [
            f
            for f in selector.field_selectors
            if f.field not in ("eventCategory", "resources.type", "readOnly")
            and not (f.field == "resources.ARN" and f.starts_with and _all_buckets(f.starts_with, partition) and not f.equals)
        ]
        if not narrowing:
            covered |= _advanced_rw(selector)
    return covered


def _recording_trails(inv: AwsInventory) -> list[Trail]:
    return [t for t in inv.cloudtrail.trails if t.is_multi_region and t.is_logging]


def _account_coverage(
    inv: AwsInventory, ctx: CheckContext, wanted: set[str], covered_by: Callable[[Trail], set[str]], what: str
) -> Iterator[Result]:
    """PASS if a logging multi-region trail records `what` for `wanted`; ERROR if the only candidates'
    selectors were unreadable; UNKNOWN if some region could not be read; FAIL otherwise."""
    candidates = _recording_trails(inv)
    readable = [t for t in candidates if "event_selectors" not in t.errors]
    unreadable = [t for t in candidates if "event_selectors" in t.errors]
    good = sorted(t.name for t in readable if wanted <= covered_by(t))
    if good:
        yield Result.passed(ctx.account, f"{what} recorded by logging multi-region trail(s): {', '.join(good)}", trails=good)
        return
    if unreadable:
        names = ", ".join(sorted(t.name for t in unreadable))
        reasons = "; ".join(dict.fromkeys(t.errors["event_selectors"] for t in unreadable))
        yield Result(ctx.account, Status.ERROR, f"event selectors of {names} could not be read: {reasons}")
    elif not ctx.complete("aws.cloudtrail.trails"):
        yield Result.unknown(ctx.account, f"no trail recording {what} found in the regions that could be read")
    elif not candidates:
        yield Result.failed(ctx.account, f"no logging multi-region trail, so no {what} are recorded everywhere")
    else:
        partial = {t.name: sorted(covered_by(t)) for t in readable}
        yield Result.failed(
            ctx.account,
            f"no logging multi-region trail records {what} ({' and '.join(sorted(wanted))}): "
            + ", ".join(f"{name} records {'+'.join(rw) or 'none'}" for name, rw in sorted(partial.items())),
            coverage=partial,
        )


@check(
    id="aws.cloudtrail.management_events_read_write",
    title="A logging multi-region trail records all management events, read and write",
    severity=Severity.HIGH,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails:event_selectors"],
    remediation="Set the multi-region trail's event selectors to ReadWriteType All with IncludeManagementEvents true "
    "and no excluded event sources (aws cloudtrail put-event-selectors).",
)
def management_events_read_write(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Read-only API calls (List*, Describe*, Get*) are how an intruder explores an account and reads
    secrets and data keys; a trail that records only write events misses the reconnaissance and the
    exfiltration (CC7.2, CC7.3). Exclusions of event sources (for example kms.amazonaws.com) count as
    gaps. Evaluated across trails: one logging multi-region trail recording both suffices."""

    def full(trail: Trail) -> set[str]:
        covered, excluded = management_coverage(trail)
        return set() if excluded else covered

    yield from _account_coverage(inv, ctx, {READ, WRITE}, full, "management events")


@check(
    id="aws.cloudtrail.s3_object_write_events",
    title="A logging multi-region trail records S3 object-level write events for all buckets",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails:event_selectors"],
    remediation='Add a data event selector for AWS::S3::Object on all buckets (Values ["arn:aws:s3"]) with '
    "ReadWriteType WriteOnly or All to the multi-region trail.",
)
def s3_object_write_events(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Object-level write events (PutObject, DeleteObject) show who changed or destroyed data, which
    bucket-level management events do not (CC7.2). CIS AWS Foundations 3.10."""
    yield from _account_coverage(inv, ctx, {WRITE}, s3_object_coverage, "S3 object write events")


@check(
    id="aws.cloudtrail.s3_object_read_events",
    title="A logging multi-region trail records S3 object-level read events for all buckets",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails:event_selectors"],
    remediation='Add a data event selector for AWS::S3::Object on all buckets (Values ["arn:aws:s3"]) with '
    "ReadWriteType ReadOnly or All to the multi-region trail.",
)
def s3_object_read_events(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Object-level read events (GetObject) are the record of who read confidential data, the
    evidence needed to scope a breach (CC7.2, CC7.3). CIS AWS Foundations 3.11."""
    yield from _account_coverage(inv, ctx, {READ}, s3_object_coverage, "S3 object read events")


@check(
    id="aws.cloudtrail.cloudwatch_logs_delivery",
    title="CloudTrail trails deliver to CloudWatch Logs, and did so recently",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::CloudTrail::Trail",
    reads=["aws.cloudtrail.trails"],
    params={"max_hours": Param(24, minimum=1, maximum=720)},
    remediation="Update the trail with --cloud-watch-logs-log-group-arn and --cloud-watch-logs-role-arn (a role "
    "CloudTrail can assume to write to the group), and fix the role if deliveries stopped.",
)
def cloudwatch_logs_delivery(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """In CloudWatch Logs, API activity can drive metric filters and alarms, so suspicious calls are
    noticed within minutes instead of found later in S3 (CC7.2, CC4.1). A configured log group whose
    last delivery is older than `max_hours` (before the scan) means delivery has broken, usually the
    role; a trail that is not logging delivers nothing."""
    limit = timedelta(hours=ctx.params["max_hours"])
    for trail in inv.cloudtrail.trails:
        last = trail.latest_cloudwatch_logs_delivery_time
        evidence = {
            "log_group_arn": trail.cloudwatch_logs_log_group_arn,
            "latest_delivery_time": last,
            "latest_delivery_error": trail.latest_cloudwatch_logs_delivery_error,
        }
        if not trail.cloudwatch_logs_log_group_arn:
            yield Result.failed(trail, "CloudWatchLogsLogGroupArn is not set")
        elif last is None:
            error = trail.latest_cloudwatch_logs_delivery_error
            yield Result.failed(trail, f"no delivery to CloudWatch Logs recorded{f' ({error})' if error else ''}", **evidence)
        elif ctx.now - last > limit:
            hours = int((ctx.now - last).total_seconds() // 3600)
            yield Result.failed(
                trail,
                f"LatestCloudWatchLogsDeliveryTime is {count(hours, 'hour')} before the scan (> {ctx.params['max_hours']})",
                **evidence,
            )
        else:
            yield Result.passed(trail, f"delivered to CloudWatch Logs at {last.isoformat()}", **evidence)


# -- the trail's S3 bucket -----------------------------------------------------------------------
def _trail_buckets(inv: AwsInventory) -> Iterator[tuple[Trail, Bucket | None]]:
    """Each distinct destination bucket once, with the first trail (by name) that writes to it."""
    buckets = {b.name: b for b in inv.s3.buckets}
    seen: set[str] = set()
    for trail in sorted(inv.cloudtrail.trails, key=lambda t: (t.name, t.id)):
        name = trail.s3_bucket_name
        if not name or name in seen:
            continue
        seen.add(name)
        yield trail, buckets.get(name)


def _elsewhere(trail: Trail) -> Result:
    return Result.unknown(
        trail,
        f"log bucket {trail.s3_bucket_name} is not in this account's bucket list (a central log account?): "
        "scan the account that owns it",
        bucket=trail.s3_bucket_name,
    )


@check(
    id="aws.cloudtrail.log_bucket_access_logging",
    title="The CloudTrail S3 bucket has server access logging enabled",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::S3::Bucket",
    reads=["aws.cloudtrail.trails", "aws.s3.buckets:logging"],
    remediation="Enable server access logging on the trail's bucket, to a different bucket.",
)
def log_bucket_access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs on the audit-log bucket record who read or deleted the audit trail itself, which
    is how tampering with the evidence is detected (CC7.2). CIS AWS Foundations 3.6."""
    for trail, bucket in _trail_buckets(inv):
        if bucket is None:
            yield _elsewhere(trail)
        elif bucket.logging_target_bucket:
            yield Result.passed(bucket, f"access logs delivered to {bucket.logging_target_bucket}", trail=trail.name)
        else:
            yield Result.failed(
                bucket, f"server access logging is disabled on the log bucket of trail {trail.name}", trail=trail.name
            )


@check(
    id="aws.cloudtrail.log_bucket_not_public",
    title="The CloudTrail S3 bucket is not publicly accessible",
    severity=Severity.CRITICAL,
    category=Category.LOGGING,
    resource_type="AWS::S3::Bucket",
    reads=[
        "aws.cloudtrail.trails",
        "aws.s3.buckets:policy",
        "aws.s3.buckets:acl",
        "aws.s3.buckets:public_access_block",
    ],
    remediation="Turn on all four Block Public Access settings on the trail's bucket and remove public ACL grants "
    'and Principal "*" policy statements.',
)
def log_bucket_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Audit logs reveal account structure, principals and resource names; a public log bucket hands
    them to attackers and lets them be altered (CC7.2, C1.1). Public means a public ACL grant not
    ignored by IgnorePublicAcls, or a Principal "*" policy statement not neutralised by
    RestrictPublicBuckets on the bucket (the account-level setting has its own check,
    aws.s3control.account_public_access_block). CIS AWS Foundations 3.3."""
    for trail, bucket in _trail_buckets(inv):
        if bucket is None:
            yield _elsewhere(trail)
            continue
        pab = bucket.public_access_block
        public_policy = [] if pab and pab.restrict_public_buckets else public_statements(bucket.policy)
        public_acl = [] if pab and pab.ignore_public_acls else bucket.public_acl_grants
        if public_policy or public_acl:
            reasons = ([f"ACL grants {', '.join(public_acl)}"] if public_acl else []) + (
                [f"{len(public_policy)} public policy statement(s)"] if public_policy else []
            )
            yield Result.failed(
                bucket, f"log bucket of trail {trail.name} is public: {'; '.join(reasons)}", public_acl_grants=public_acl
            )
        else:
            yield Result.passed(bucket, "no effective public ACL grant or public policy statement", trail=trail.name)


@check(
    id="aws.cloudtrail.log_bucket_mfa_delete",
    title="The CloudTrail S3 bucket has MFA delete enabled",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::S3::Bucket",
    reads=["aws.cloudtrail.trails", "aws.s3.buckets:versioning"],
    remediation="As the root user with an MFA device, enable versioning with MFA delete on the trail's bucket "
    '(aws s3api put-bucket-versioning --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa "SERIAL CODE").',
)
def log_bucket_mfa_delete(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With MFA delete, permanently deleting a log file version or turning versioning off needs the
    root user's MFA code, so stolen credentials alone cannot erase the audit trail (CC6.1, CC7.2).
    CIS AWS Foundations 2.1.2."""
    for trail, bucket in _trail_buckets(inv):
        if bucket is None:
            yield _elsewhere(trail)
        elif bucket.mfa_delete:
            yield Result.passed(bucket, "MFADelete is Enabled", trail=trail.name, versioning_status=bucket.versioning_status)
        else:
            yield Result.failed(
                bucket, f"MFADelete is not enabled (versioning {bucket.versioning_status or 'never enabled'})", trail=trail.name
            )
