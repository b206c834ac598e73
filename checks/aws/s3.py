"""S3: encryption, public access, TLS-only access, server access logging, versioning, object lock,
replication and lifecycle disposal."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from checks.aws._kms_refs import key_manager
from checks.aws._resource_policy import describe, public_statements
from scanner.models.aws.s3 import Bucket
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


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
            yield Result.passed(
                bucket, f"access logs delivered to {bucket.logging_target_bucket}", target_bucket=bucket.logging_target_bucket
            )
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


def _matches(name: str, globs: list[str] | tuple[str, ...]) -> bool:
    return any(fnmatchcase(name, glob) for glob in globs)


def _pab_settings(bucket: Bucket) -> dict[str, bool]:
    pab = bucket.public_access_block
    return {} if pab is None else pab.model_dump()


@check(
    id="aws.s3.bucket_public_access_block",
    title="S3 buckets have all four Block Public Access settings on",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:public_access_block"],
    remediation="Turn on all four Block Public Access settings on the bucket "
    "(aws s3api put-public-access-block --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true).",
)
def bucket_public_access_block(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Block Public Access is the guard rail that keeps a mistaken ACL or bucket policy from exposing
    confidential objects to the internet (C1.1, CC6.1). This check reads the bucket's own setting;
    the account-wide setting is aws.s3control.account_public_access_block."""
    for bucket in inv.s3.buckets:
        pab = bucket.public_access_block
        if pab is None:
            yield Result.failed(bucket, "no bucket-level Block Public Access configuration")
        elif pab.all_enabled:
            yield Result.passed(bucket, "all four Block Public Access settings are true", **pab.model_dump())
        else:
            off = sorted(k for k, v in pab.model_dump().items() if not v)
            yield Result.failed(bucket, f"Block Public Access settings off: {', '.join(off)}", **pab.model_dump())


@check(
    id="aws.s3.bucket_policy_not_public",
    title="S3 bucket policies do not grant access to everyone",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:policy", "aws.s3.buckets:public_access_block"],
    remediation='Remove or restrict the statements that Allow Principal "*" (name the accounts, or add a condition '
    "such as aws:PrincipalOrgID or aws:SourceVpce), and turn on RestrictPublicBuckets.",
)
def bucket_policy_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A bucket policy that allows Principal "*" without a condition naming the caller's account,
    organisation or network makes objects readable (or writable) by anyone on the internet, the
    most common way confidential data leaks from AWS (C1.1, CC6.1). RestrictPublicBuckets on the
    bucket neutralises such statements, so it passes with the statements listed as evidence. The
    account-level setting is judged by aws.s3control.account_public_access_block, so that this check
    does not depend on an account-level permission."""
    for bucket in inv.s3.buckets:
        public = [describe(s) for s in public_statements(bucket.policy)]
        restricted = bool(bucket.public_access_block and bucket.public_access_block.restrict_public_buckets)
        if not public:
            yield Result.passed(
                bucket,
                "no policy statement allows Principal * without a restricting condition",
                has_policy=bucket.policy is not None,
            )
        elif restricted:
            yield Result.passed(
                bucket, "policy has public statements, but RestrictPublicBuckets is true on the bucket", public_statements=public
            )
        else:
            yield Result.failed(bucket, f"bucket policy grants public access: {'; '.join(public)}", public_statements=public)


@check(
    id="aws.s3.bucket_acl_not_public",
    title="S3 bucket ACLs do not grant access to all users or all authenticated users",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:acl", "aws.s3.buckets:public_access_block"],
    remediation="Remove the AllUsers and AuthenticatedUsers grants (or set Object Ownership to BucketOwnerEnforced, "
    "which disables ACLs), and turn on IgnorePublicAcls.",
)
def bucket_acl_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """ACL grants to the AllUsers group are anonymous internet access; AuthenticatedUsers means any
    AWS account in the world, not just yours (C1.1, CC6.1). IgnorePublicAcls on the bucket makes
    such grants ineffective, so it passes with the grants listed as evidence. The account-level
    setting is judged by aws.s3control.account_public_access_block."""
    for bucket in inv.s3.buckets:
        grants = bucket.public_acl_grants
        ignored = bool(bucket.public_access_block and bucket.public_access_block.ignore_public_acls)
        if not grants:
            yield Result.passed(bucket, "bucket ACL has no AllUsers or AuthenticatedUsers grant")
        elif ignored:
            yield Result.passed(bucket, "bucket ACL has public grants, but IgnorePublicAcls is true", public_acl_grants=grants)
        else:
            yield Result.failed(bucket, f"bucket ACL grants {', '.join(grants)}", public_acl_grants=grants)


@check(
    id="aws.s3.bucket_sse_kms_cmk",
    title="S3 buckets encrypt by default with a customer-managed KMS key",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:encryption", "aws.kms.keys"],
    params={"buckets": ["*"]},
    remediation="Set the bucket's default encryption to SSE-KMS with a customer-managed key "
    "(aws s3api put-bucket-encryption ... SSEAlgorithm=aws:kms, KMSMasterKeyID=<key ARN>), with BucketKeyEnabled.",
)
def bucket_sse_kms_cmk(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With a customer-managed key the organisation controls who may decrypt (the key policy), can
    disable the key to cut off access, and sees every use in CloudTrail; SSE-S3 and the AWS-managed
    aws/s3 key offer none of that (CC6.1, C1.1). `buckets` (name globs) limits the buckets that must
    comply. Stricter than aws.s3.bucket_default_encryption's require_kms, which accepts aws/s3."""
    for bucket in inv.s3.buckets:
        if not _matches(bucket.name, ctx.params["buckets"]):
            continue
        algorithm, key = bucket.encryption_algorithm, bucket.kms_key_id
        evidence = {"sse_algorithm": algorithm, "kms_key_id": key}
        if algorithm is None or not algorithm.startswith("aws:kms"):
            yield Result.failed(bucket, f"default encryption is {algorithm or 'not configured'}, not SSE-KMS", **evidence)
        elif key is None:
            yield Result.failed(bucket, "SSE-KMS with no KMSMasterKeyID: the AWS-managed key aws/s3 is used", **evidence)
        else:
            manager = key_manager(inv, key, bucket.region, bucket.account)
            if manager == "CUSTOMER":
                yield Result.passed(bucket, f"SSE-KMS with customer-managed key {key}", **evidence)
            elif manager == "AWS":
                yield Result.failed(bucket, f"SSE-KMS with AWS-managed key {key}", **evidence)
            else:
                yield Result.unknown(bucket, f"KMS key {key} is not among the collected keys: its manager is unknown", **evidence)


@check(
    id="aws.s3.bucket_object_lock",
    title="S3 buckets that require immutability have Object Lock enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:object_lock"],
    params={"required_buckets": []},
    remediation="Object Lock is enabled at bucket creation (or, for an existing versioned bucket, via "
    "put-object-lock-configuration); set a default retention in COMPLIANCE or GOVERNANCE mode.",
)
def bucket_object_lock(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Write-once retention keeps backups, audit logs and records from being deleted or overwritten,
    even by an administrator or ransomware with stolen credentials (A1.2, CC7.5). Only the buckets
    matching `required_buckets` (name globs, none by default) are judged: with none configured the
    check is not applicable rather than passing."""
    for bucket in inv.s3.buckets:
        if not _matches(bucket.name, ctx.params["required_buckets"]):
            continue
        evidence = {"mode": bucket.object_lock_mode, "retention_days": bucket.object_lock_retention_days}
        if bucket.object_lock_enabled:
            retention = (
                f", default retention {bucket.object_lock_mode} {count(bucket.object_lock_retention_days, 'day')}"
                if bucket.object_lock_mode
                else ", no default retention"
            )
            yield Result.passed(bucket, f"ObjectLockEnabled is Enabled{retention}", **evidence)
        else:
            yield Result.failed(bucket, "Object Lock is not enabled (no ObjectLockConfiguration)")


@check(
    id="aws.s3.bucket_cross_region_replication",
    title="S3 buckets that require a copy in another region replicate to one",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:replication"],
    params={"required_buckets": []},
    remediation="Add a replication configuration with an enabled rule to a versioned bucket in another region "
    "(aws s3api put-bucket-replication).",
)
def bucket_cross_region_replication(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A replica in a second region keeps data available and recoverable through a regional outage
    or the loss of the primary bucket (A1.2, CC9.1). Only buckets matching `required_buckets` (name
    globs, none by default) are judged. A destination bucket in another account cannot be located,
    so the verdict is UNKNOWN rather than a guess."""
    regions = {b.name: b.region for b in inv.s3.buckets}
    for bucket in inv.s3.buckets:
        if not _matches(bucket.name, ctx.params["required_buckets"]):
            continue
        enabled = [r for r in bucket.replication_rules if r.enabled]
        if not enabled:
            reason = "replication rules are all disabled" if bucket.replication_rules else "no replication configuration"
            yield Result.failed(bucket, reason)
            continue
        elsewhere = sorted(
            {r.destination_bucket for r in enabled if regions.get(r.destination_bucket, bucket.region) != bucket.region}
        )
        unknown = sorted({r.destination_bucket for r in enabled if r.destination_bucket not in regions})
        if elsewhere:
            where = sorted({regions[b] for b in elsewhere})
            yield Result.passed(bucket, f"replicates to {', '.join(elsewhere)} in {', '.join(where)}", destinations=elsewhere)
        elif unknown:
            yield Result.unknown(
                bucket,
                f"replicates to {', '.join(unknown)}, outside this account's inventory: region unknown",
                destinations=unknown,
            )
        else:
            targets = sorted({r.destination_bucket for r in enabled})
            yield Result.failed(bucket, f"replicates only within {bucket.region} (to {', '.join(targets)})", destinations=targets)


@check(
    id="aws.s3.bucket_lifecycle_configured",
    title="S3 buckets have lifecycle rules that expire or transition objects",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:lifecycle"],
    params={"exempt_buckets": []},
    remediation="Add an enabled lifecycle rule that expires objects after the retention period (or transitions them "
    "to an archive class), per the data retention schedule.",
)
def bucket_lifecycle_configured(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Confidential data must be disposed of when its retention period ends (C1.2); an enabled
    lifecycle rule that expires or transitions objects is the mechanism that enforces the retention
    schedule. Buckets kept forever by design can be listed in `exempt_buckets` (name globs)."""
    for bucket in inv.s3.buckets:
        if _matches(bucket.name, ctx.params["exempt_buckets"]):
            continue
        rules = bucket.lifecycle_rules
        acting = [
            r
            for r in rules
            if r.enabled
            and (r.expires_current or r.transitions or r.noncurrent_expiration_days is not None or r.noncurrent_transitions)
        ]
        if acting:
            yield Result.passed(
                bucket,
                f"{len(acting)} enabled lifecycle rule(s) expire or transition objects",
                rules=[r.id for r in acting],
                expiration_days=sorted({r.expiration_days for r in acting if r.expiration_days is not None}),
            )
        elif not rules:
            yield Result.failed(bucket, "no lifecycle configuration: objects are kept indefinitely")
        elif not any(r.enabled for r in rules):
            yield Result.failed(bucket, "lifecycle rules are all disabled", rules=[r.id for r in rules])
        else:
            yield Result.failed(bucket, "no enabled lifecycle rule expires or transitions objects", rules=[r.id for r in rules])


@check(
    id="aws.s3.bucket_noncurrent_version_expiration",
    title="Versioned S3 buckets expire noncurrent object versions",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::S3::Bucket",
    reads=["aws.s3.buckets:versioning", "aws.s3.buckets:lifecycle"],
    remediation="Add an enabled lifecycle rule with NoncurrentVersionExpiration (NoncurrentDays) matching the recovery window.",
)
def bucket_noncurrent_version_expiration(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """In a versioned bucket a delete only hides the object: every prior version stays until a
    lifecycle rule expires it. Without NoncurrentVersionExpiration, data the organisation believes
    it disposed of is still stored and retrievable (C1.2), however long ago it was deleted.
    Applies to buckets whose versioning is Enabled or Suspended."""
    for bucket in inv.s3.buckets:
        if bucket.versioning_status not in ("Enabled", "Suspended"):
            continue
        days = sorted(
            {
                r.noncurrent_expiration_days
                for r in bucket.lifecycle_rules
                if r.enabled and r.noncurrent_expiration_days is not None
            }
        )
        if days:
            yield Result.passed(bucket, f"noncurrent versions expire after {count(days[0], 'day')}", noncurrent_days=days)
        else:
            yield Result.failed(
                bucket,
                f"versioning is {bucket.versioning_status} and no enabled lifecycle rule has NoncurrentVersionExpiration",
                versioning_status=bucket.versioning_status,
            )
