"""OpenSearch Service facts: domains (OpenSearch and legacy Elasticsearch engines)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class LogPublishing(Frozen):
    enabled: bool
    log_group_arn: str | None = None


class Domain(Resource):
    engine_version: str | None = None
    encryption_at_rest: bool = False
    kms_key_id: str | None = None
    node_to_node_encryption: bool = False
    enforce_https: bool = False
    tls_security_policy: str | None = None  # Policy-Min-TLS-1-0-2019-07, Policy-Min-TLS-1-2-2019-07, ...
    # LogPublishingOptions by log type: AUDIT_LOGS, SEARCH_SLOW_LOGS, INDEX_SLOW_LOGS, ES_APPLICATION_LOGS
    log_publishing: dict[str, LogPublishing] = Field(default_factory=dict)
    advanced_security_enabled: bool = False
    zone_awareness_enabled: bool = False
    availability_zone_count: int | None = None
    instance_count: int | None = None
    vpc: bool = False


class OpenSearch(BaseModel):
    domains: list[Domain] = Field(default_factory=list)
