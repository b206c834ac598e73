"""Cloud Storage buckets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource
from scanner.models.gcp.iam_policy import IamPolicy


class Bucket(Resource):
    location_type: str | None = None
    default_kms_key_name: str | None = None
    uniform_bucket_level_access: bool = False
    public_access_prevention: str | None = None  # "enforced" / "inherited"
    versioning_enabled: bool = False
    soft_delete_retention_seconds: int | None = None  # None or 0: soft delete off
    retention_period_seconds: int | None = None
    retention_policy_locked: bool = False
    logging_bucket: str | None = None
    iam_policy: IamPolicy | None = None  # facet "iam_policy"


class Storage(BaseModel):
    buckets: list[Bucket] = Field(default_factory=list)
