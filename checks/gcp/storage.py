"""Cloud Storage: encryption keys, uniform access, public access, versioning, soft delete, retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

DAY = 86400


@check(
    id="gcp.storage.bucket_cmek",
    title="Cloud Storage buckets encrypt with a customer-managed key by default",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets"],
    params={"require_cmek": True},
    remediation="gcloud storage buckets update gs://BUCKET --default-encryption-key=projects/P/locations/L/keyRings/R/cryptoKeys/K",
)
def bucket_cmek(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Objects are always encrypted at rest; a default customer-managed key adds key-use audit logs
    and crypto-shredding by disabling the key (C1.1, CC6.1). With require_cmek false the check only
    reports which key protects the bucket."""
    for bucket in inv.storage.buckets:
        if bucket.default_kms_key_name:
            yield Result.passed(bucket, f"default KMS key {bucket.default_kms_key_name}", default_kms_key_name=bucket.default_kms_key_name)
        elif ctx.params["require_cmek"]:
            yield Result.failed(bucket, "no encryption.defaultKmsKeyName: Google-managed keys only")
        else:
            yield Result.passed(bucket, "Google-managed encryption (require_cmek is false)")


@check(
    id="gcp.storage.bucket_uniform_access",
    title="Cloud Storage buckets use uniform bucket-level access",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets"],
    remediation="gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access",
)
def bucket_uniform_access(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """With fine-grained ACLs each object can be shared on its own, invisible to a review of IAM
    policies; uniform bucket-level access makes IAM the only way in (CC6.1, C1.1)."""
    for bucket in inv.storage.buckets:
        if bucket.uniform_bucket_level_access:
            yield Result.passed(bucket, "iamConfiguration.uniformBucketLevelAccess.enabled is true")
        else:
            yield Result.failed(bucket, "uniformBucketLevelAccess is disabled: object ACLs apply")


@check(
    id="gcp.storage.bucket_not_public",
    title="Cloud Storage buckets are not readable by allUsers or allAuthenticatedUsers",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets:iam_policy"],
    remediation="Remove the allUsers / allAuthenticatedUsers bindings and set public access prevention: "
    "gcloud storage buckets update gs://BUCKET --public-access-prevention",
)
def bucket_not_public(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A binding to allUsers or allAuthenticatedUsers (any Google account) publishes the data to
    the internet: confidential data must be restricted to authorised users (C1.1, CC6.1).
    Enforced public access prevention overrides such bindings."""
    for bucket in inv.storage.buckets:
        public = bucket.iam_policy.public_bindings if bucket.iam_policy else []
        if bucket.public_access_prevention == "enforced":
            yield Result.passed(bucket, "publicAccessPrevention is enforced", public_bindings=[f"{m} ({r})" for r, m in public])
        elif public:
            yield Result.failed(bucket, "public IAM bindings: " + ", ".join(f"{m} ({r})" for r, m in public),
                                public_bindings=[f"{m} ({r})" for r, m in public])
        else:
            yield Result.passed(bucket, "no allUsers / allAuthenticatedUsers binding")


@check(
    id="gcp.storage.bucket_versioning",
    title="Cloud Storage buckets have object versioning enabled",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets"],
    remediation="gcloud storage buckets update gs://BUCKET --versioning, with a lifecycle rule deleting old noncurrent versions.",
)
def bucket_versioning(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Versioning keeps overwritten and deleted objects as noncurrent versions that can be restored
    (A1.2, CC7.5)."""
    for bucket in inv.storage.buckets:
        if bucket.versioning_enabled:
            yield Result.passed(bucket, "versioning.enabled is true")
        else:
            yield Result.failed(bucket, "versioning.enabled is false or absent")


@check(
    id="gcp.storage.bucket_soft_delete",
    title="Cloud Storage buckets keep soft-deleted objects for at least the configured days",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets"],
    params={"min_days": Param(7, minimum=1, maximum=90)},
    remediation="gcloud storage buckets update gs://BUCKET --soft-delete-duration=7d",
)
def bucket_soft_delete(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Soft delete keeps deleted objects (and deleted buckets) restorable for a window, a guard
    against mistakes and ransomware-style deletion (A1.2)."""
    need = ctx.params["min_days"]
    for bucket in inv.storage.buckets:
        days = (bucket.soft_delete_retention_seconds or 0) / DAY
        if days >= need:
            yield Result.passed(bucket, f"softDeletePolicy.retentionDurationSeconds is {count(days, 'day')} (minimum {need})", soft_delete_days=days)
        elif days == 0:
            yield Result.failed(bucket, "soft delete is disabled (retentionDurationSeconds 0)", soft_delete_days=0)
        else:
            yield Result.failed(bucket, f"soft delete keeps objects {count(days, 'day')} (minimum {need})", soft_delete_days=days)


@check(
    id="gcp.storage.bucket_retention_policy",
    title="Cloud Storage buckets have a retention policy (locked where required)",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="storage.googleapis.com/Bucket",
    reads=["gcp.storage.buckets"],
    params={"min_days": Param(1, minimum=1, maximum=36525), "require_locked": False, "buckets": []},
    remediation="gcloud storage buckets update gs://BUCKET --retention-period=30d, then lock it once agreed "
    "(gcloud storage buckets update gs://BUCKET --lock-retention-period).",
)
def bucket_retention_policy(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A retention policy stops objects from being deleted or overwritten before their time, so
    records and logs survive an attacker or a mistake; a locked policy cannot be removed (A1.2,
    CC7.2). `buckets` limits the check to the named buckets (default: all)."""
    need, locked, only = ctx.params["min_days"], ctx.params["require_locked"], set(ctx.params["buckets"])
    for bucket in inv.storage.buckets:
        if only and bucket.name not in only:
            continue
        days = (bucket.retention_period_seconds or 0) / DAY
        evidence = {"retention_days": days, "locked": bucket.retention_policy_locked}
        if not bucket.retention_period_seconds:
            yield Result.failed(bucket, "no retentionPolicy", **evidence)
        elif days < need:
            yield Result.failed(bucket, f"retentionPolicy.retentionPeriod is {count(days, 'day')} (minimum {need})", **evidence)
        elif locked and not bucket.retention_policy_locked:
            yield Result.failed(bucket, f"retention policy of {count(days, 'day')} is not locked", **evidence)
        else:
            yield Result.passed(bucket, f"retention policy of {count(days, 'day')}{' (locked)' if bucket.retention_policy_locked else ''}", **evidence)
