"""S3 facts: buckets with the per-bucket settings the checks read."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class PublicAccessBlock(Frozen):
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @property
    def all_enabled(self) -> bool:
        return (
            self.block_public_acls
            and self.ignore_public_acls
            and self.block_public_policy
            and self.restrict_public_buckets
        )


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


class S3(BaseModel):
    buckets: list[Bucket] = Field(default_factory=list)
