"""CloudTrail facts: trails with their status."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Trail(Resource):
    home_region: str
    is_multi_region: bool
    is_organization_trail: bool = False
    is_logging: bool
    log_file_validation_enabled: bool
    kms_key_id: str | None = None
    s3_bucket_name: str | None = None
    cloudwatch_logs_log_group_arn: str | None = None
    include_global_service_events: bool = False


class CloudTrail(BaseModel):
    trails: list[Trail] = Field(default_factory=list)
