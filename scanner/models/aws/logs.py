"""CloudWatch Logs facts: log groups and metric filters."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class LogGroup(Resource):
    retention_days: int | None = None  # None = never expire
    kms_key_id: str | None = None
    stored_bytes: int = 0


class MetricTransformation(Frozen):
    metric_name: str
    metric_namespace: str


class MetricFilter(Resource):
    log_group_name: str
    filter_pattern: str
    transformations: list[MetricTransformation] = Field(default_factory=list)


class Logs(BaseModel):
    log_groups: list[LogGroup] = Field(default_factory=list)
    metric_filters: list[MetricFilter] = Field(default_factory=list)
