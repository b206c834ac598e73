"""AWS Config facts: per region, the configuration recorders with their status and the delivery channels."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class Recorder(Frozen):
    name: str
    role_arn: str | None = None
    all_supported: bool = False  # recordingGroup.allSupported
    include_global_resource_types: bool = False
    resource_types: list[str] = Field(default_factory=list)  # with the INCLUSION_BY_RESOURCE_TYPES strategy
    excluded_resource_types: list[str] = Field(default_factory=list)  # with EXCLUSION_BY_RESOURCE_TYPES
    recording_strategy: str | None = None  # ALL_SUPPORTED_RESOURCE_TYPES | INCLUSION_... | EXCLUSION_...
    recording_scope: str | None = None  # PAID (customer-managed) | INTERNAL (service-linked)
    service_principal: str | None = None  # set on service-linked recorders
    recording: bool = False  # DescribeConfigurationRecorderStatus
    last_status: str | None = None  # Pending | Success | Failure
    last_error_code: str | None = None


class DeliveryChannel(Frozen):
    name: str
    s3_bucket_name: str | None = None
    sns_topic_arn: str | None = None


class ConfigRecording(Resource):
    """AWS Config in one region: one record per collected region, even when nothing is configured."""

    recorders: list[Recorder] = Field(default_factory=list)
    delivery_channels: list[DeliveryChannel] = Field(default_factory=list)  # facet "delivery_channels"


class Config(BaseModel):
    recording: list[ConfigRecording] = Field(default_factory=list)
