"""CloudFront facts (global): distributions with their cache behaviours, origins, viewer
certificate and logging."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class CacheBehavior(Frozen):
    path_pattern: str  # "*" for the default cache behaviour
    target_origin_id: str
    viewer_protocol_policy: str  # allow-all | https-only | redirect-to-https


class Origin(Frozen):
    id: str
    domain_name: str
    kind: str  # custom | s3 | vpc
    protocol_policy: str | None = None  # custom origins: http-only | match-viewer | https-only
    ssl_protocols: list[str] = Field(default_factory=list)  # custom origins: OriginSslProtocols


class Distribution(Resource):
    domain_name: str
    enabled: bool = True
    aliases: list[str] = Field(default_factory=list)
    cache_behaviors: list[CacheBehavior] = Field(default_factory=list)  # the default behaviour first
    origins: list[Origin] = Field(default_factory=list)
    origin_groups: dict[str, list[str]] = Field(default_factory=dict)  # failover group id -> member origin ids
    default_certificate: bool = True  # the *.cloudfront.net certificate (no ACM / IAM certificate)
    minimum_protocol_version: str | None = None
    ssl_support_method: str | None = None
    # facet "logging" (GetDistributionConfig): standard logging (legacy) to S3
    logging_enabled: bool | None = None
    logging_bucket: str | None = None
    # facet "log_deliveries" (CloudWatch Logs DescribeDeliverySources/DescribeDeliveries in us-east-1):
    # destinations of standard logging (v2) ACCESS_LOGS deliveries for this distribution
    log_delivery_destinations: list[str] = Field(default_factory=list)


class CloudFront(BaseModel):
    distributions: list[Distribution] = Field(default_factory=list)
