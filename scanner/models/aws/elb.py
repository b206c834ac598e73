"""Classic Elastic Load Balancing facts: load balancers, listeners, SSL negotiation policies, attributes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class ClassicListener(Frozen):
    protocol: str  # HTTP | HTTPS | TCP | SSL (front end, client to load balancer)
    port: int
    instance_protocol: str | None = None
    instance_port: int | None = None
    policy_names: list[str] = Field(default_factory=list)


class SslNegotiationPolicy(Frozen):
    name: str
    reference_policy: str | None = None  # Reference-Security-Policy, e.g. ELBSecurityPolicy-TLS-1-2-2017-01
    protocols: list[str] | None = None  # enabled Protocol-* attributes; None when the policy does not list them


class ClassicLoadBalancer(Resource):
    scheme: str | None = None
    dns_name: str | None = None
    availability_zones: list[str] = Field(default_factory=list)
    listeners: list[ClassicListener] = Field(default_factory=list)
    # facet "policies" (DescribeLoadBalancerPolicies): the SSLNegotiationPolicyType policies
    ssl_policies: list[SslNegotiationPolicy] = Field(default_factory=list)
    # facet "attributes" (DescribeLoadBalancerAttributes); None with an entry in errors
    access_logs_enabled: bool | None = None
    access_logs_bucket: str | None = None
    cross_zone_enabled: bool | None = None


class Elb(BaseModel):
    load_balancers: list[ClassicLoadBalancer] = Field(default_factory=list)
