"""S3 facts: buckets with the per-bucket settings the checks read."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class PublicAccessBlock(Frozen):
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @property
    def all_enabled(self) -> bool:
        return self.block_public_acls and self.ignore_public_acls and self.block_public_policy and self.restrict_public_buckets


class LifecycleRule(Frozen):
    """One lifecycle rule, reduced to what disposal and retention checks need."""

    id: str | None = None
    enabled: bool  # Status == "Enabled"
    expiration_days: int | None = None
    expiration_date: datetime | None = None
    transitions: list[str] = Field(default_factory=list)  # storage classes objects move to
    noncurrent_expiration_days: int | None = None  # NoncurrentVersionExpiration.NoncurrentDays
    noncurrent_transitions: list[str] = Field(default_factory=list)

    @property
    def expires_current(self) -> bool:
        return self.expiration_days is not None or self.expiration_date is not None


class ReplicationRule(Frozen):
    id: str | None = None
    enabled: bool  # Status == "Enabled"
    destination_bucket: str  # the bucket name (from the destination ARN)
    destination_account: str | None = None  # set when replicating to another account


class Bucket(Resource):
    # None = no default encryption configured (or, with an entry in `errors`, not readable).
    encryption_algorithm: str | None = None  # "AES256", "aws:kms", "aws:kms:dsse"
    kms_key_id: str | None = None
    bucket_key_enabled: bool = False
    policy: dict | None = None  # the bucket policy document, None when there is none
    logging_target_bucket: str | None = None
    versioning_status: str | None = None  # "Enabled", "Suspended", None (never enabled)
    mfa_delete: bool = False
    public_access_block: PublicAccessBlock | None = None
    # ACL grants to the AllUsers / AuthenticatedUsers groups, as "AllUsers:READ".
    public_acl_grants: list[str] = Field(default_factory=list)
    object_lock_enabled: bool = False
    object_lock_mode: str | None = None  # default retention: GOVERNANCE | COMPLIANCE
    object_lock_retention_days: int | None = None  # default retention (years converted at 365 days)
    replication_rules: list[ReplicationRule] = Field(default_factory=list)
    lifecycle_rules: list[LifecycleRule] = Field(default_factory=list)


class S3(BaseModel):
    buckets: list[Bucket] = Field(default_factory=list)
