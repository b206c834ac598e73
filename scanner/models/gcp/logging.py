"""Cloud Logging: sinks (project and organization), log buckets and log-based metrics."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class LogSink(Resource):
    destination: str
    filter: str = ""
    disabled: bool = False
    include_children: bool = False  # organization / folder aggregated sinks


class LogBucket(Resource):
    location: str
    retention_days: int | None = None
    locked: bool = False
    lifecycle_state: str | None = None


class LogMetric(Resource):
    filter: str
    metric_type: str  # logging.googleapis.com/user/<name>
    disabled: bool = False


class Logging(BaseModel):
    sinks: list[LogSink] = Field(default_factory=list)
    org_sinks: list[LogSink] = Field(default_factory=list)
    buckets: list[LogBucket] = Field(default_factory=list)
    metrics: list[LogMetric] = Field(default_factory=list)
