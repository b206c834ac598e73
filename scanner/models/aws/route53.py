"""Route 53 facts (global): hosted zones and their DNS query logging configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class HostedZone(Resource):
    zone_id: str  # without the /hostedzone/ prefix
    private: bool
    record_count: int = 0
    # facet "query_logging" (ListQueryLoggingConfigs): the log group receiving the zone's query logs
    query_logging_log_group: str | None = None


class Route53(BaseModel):
    hosted_zones: list[HostedZone] = Field(default_factory=list)
