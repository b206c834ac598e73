"""Elastic Load Balancing v2 facts: application, network and gateway load balancers with their
listeners and attributes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class Listener(Frozen):
    arn: str
    port: int | None = None
    protocol: str | None = None  # HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC
    ssl_policy: str | None = None  # only meaningful on HTTPS / TLS listeners
    default_action_types: list[str] = Field(default_factory=list)  # forward, redirect, fixed-response, ...
    redirect_protocol: str | None = None  # the protocol a default redirect action sends clients to ("HTTPS", "#{protocol}")


class LoadBalancer(Resource):
    type: str  # application | network | gateway
    scheme: str | None = None  # internet-facing | internal
    dns_name: str | None = None
    availability_zones: list[str] = Field(default_factory=list)
    # facet "listeners" (DescribeListeners)
    listeners: list[Listener] = Field(default_factory=list)
    # facet "ssl_policies" (DescribeSSLPolicies): protocols of each policy the listeners use
    ssl_policy_protocols: dict[str, list[str]] = Field(default_factory=dict)
    # facet "attributes" (DescribeLoadBalancerAttributes); None with an entry in errors
    access_logs_enabled: bool | None = None
    access_logs_bucket: str | None = None
    deletion_protection: bool | None = None


class Elbv2(BaseModel):
    load_balancers: list[LoadBalancer] = Field(default_factory=list)
