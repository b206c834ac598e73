"""ElastiCache facts: Redis OSS / Valkey replication groups."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class ReplicationGroup(Resource):
    engine: str | None = None  # redis | valkey
    status: str
    at_rest_encryption: bool
    transit_encryption: bool
    transit_encryption_mode: str | None = None  # required | preferred (preferred still accepts plaintext)
    automatic_failover: str  # enabled | disabled | enabling | disabling
    multi_az: str  # enabled | disabled
    snapshot_retention_days: int = 0
    member_clusters: list[str] = Field(default_factory=list)


class ElastiCache(BaseModel):
    replication_groups: list[ReplicationGroup] = Field(default_factory=list)
