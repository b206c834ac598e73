"""CloudTrail facts: trails with their status and event selectors."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class DataResource(Frozen):
    type: str  # AWS::S3::Object, AWS::Lambda::Function, ...
    values: list[str] = Field(default_factory=list)  # ARN prefixes; "arn:aws:s3" = every bucket


class EventSelector(Frozen):
    """A basic event selector (GetEventSelectors `EventSelectors`)."""

    read_write_type: str = "All"  # ReadOnly | WriteOnly | All
    include_management_events: bool = True
    data_resources: list[DataResource] = Field(default_factory=list)
    exclude_management_event_sources: list[str] = Field(default_factory=list)


class FieldSelector(Frozen):
    field: str  # eventCategory, readOnly, resources.type, resources.ARN, eventSource, eventName, ...
    equals: list[str] = Field(default_factory=list)
    starts_with: list[str] = Field(default_factory=list)
    ends_with: list[str] = Field(default_factory=list)
    not_equals: list[str] = Field(default_factory=list)
    not_starts_with: list[str] = Field(default_factory=list)
    not_ends_with: list[str] = Field(default_factory=list)


class AdvancedEventSelector(Frozen):
    name: str | None = None
    field_selectors: list[FieldSelector] = Field(default_factory=list)


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
    # GetTrailStatus
    latest_delivery_time: datetime | None = None  # last log file delivered to S3
    latest_delivery_error: str | None = None
    latest_cloudwatch_logs_delivery_time: datetime | None = None
    latest_cloudwatch_logs_delivery_error: str | None = None
    # GetEventSelectors (facet "event_selectors"); a trail uses basic or advanced selectors, not both
    event_selectors: list[EventSelector] = Field(default_factory=list)
    advanced_event_selectors: list[AdvancedEventSelector] = Field(default_factory=list)


class CloudTrail(BaseModel):
    trails: list[Trail] = Field(default_factory=list)
