"""Classic Elastic Load Balancing (regional): DescribeLoadBalancers once per region, then per load
balancer (concurrently) DescribeLoadBalancerAttributes and, for load balancers with an HTTPS/SSL
listener, DescribeLoadBalancerPolicies for their SSL negotiation policies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.elb import ClassicListener, ClassicLoadBalancer, SslNegotiationPolicy

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

TLS_PROTOCOLS = {"HTTPS", "SSL"}
PROTOCOL_ATTRIBUTE = "Protocol-"


@collector(
    "aws.elb.load_balancers",
    regional=True,
    permissions=["elasticloadbalancing:DescribeLoadBalancers"],
    facets={
        "attributes": facet(["elasticloadbalancing:DescribeLoadBalancerAttributes"], ["access_logs_enabled", "access_logs_bucket", "cross_zone_enabled"]),
        "policies": facet(["elasticloadbalancing:DescribeLoadBalancerPolicies"], ["ssl_policies"]),
    },
)
def load_balancers(scope: AwsScope) -> list[ClassicLoadBalancer]:
    listed = scope.pages("elb", "DescribeLoadBalancers", "LoadBalancerDescriptions")
    return scope.map(lambda lb: _load_balancer(scope, lb), listed)


def _load_balancer(scope: AwsScope, lb: dict[str, Any]) -> ClassicLoadBalancer:
    name = lb["LoadBalancerName"]
    listeners = [
        ClassicListener(
            protocol=(d["Listener"].get("Protocol") or "").upper(),
            port=d["Listener"].get("LoadBalancerPort", 0),
            instance_protocol=d["Listener"].get("InstanceProtocol"),
            instance_port=d["Listener"].get("InstancePort"),
            policy_names=list(d.get("PolicyNames", [])),
        )
        for d in lb.get("ListenerDescriptions", [])
        if d.get("Listener")
    ]
    getters = {
        "attributes": lambda: _attributes(
            scope.call("elb", "DescribeLoadBalancerAttributes", LoadBalancerName=name)["LoadBalancerAttributes"]
        )
    }
    if any(listener.protocol in TLS_PROTOCOLS for listener in listeners):
        getters["policies"] = lambda: {
            "ssl_policies": _ssl_policies(
                scope.call("elb", "DescribeLoadBalancerPolicies", LoadBalancerName=name)["PolicyDescriptions"]
            )
        }
    fields, errors = read_facets(scope, "elb", scope.region, getters)
    return ClassicLoadBalancer(
        id=scope.arn("elasticloadbalancing", f"loadbalancer/{name}"),
        name=name,
        region=scope.region,
        account=scope.account,
        scheme=lb.get("Scheme"),
        dns_name=lb.get("DNSName"),
        availability_zones=sorted(lb.get("AvailabilityZones", [])),
        listeners=listeners,
        errors=errors,
        **fields,
    )


def _attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    access_log = attributes.get("AccessLog") or {}
    return {
        "access_logs_enabled": bool(access_log.get("Enabled")),
        "access_logs_bucket": access_log.get("S3BucketName") or None,
        "cross_zone_enabled": bool((attributes.get("CrossZoneLoadBalancing") or {}).get("Enabled")),
    }


def _ssl_policies(descriptions: list[dict[str, Any]]) -> list[SslNegotiationPolicy]:
    policies = []
    for description in descriptions:
        if description.get("PolicyTypeName") != "SSLNegotiationPolicyType":
            continue
        attributes = {a.get("AttributeName"): a.get("AttributeValue") for a in description.get("PolicyAttributeDescriptions", [])}
        listed = {k[len(PROTOCOL_ATTRIBUTE):]: v for k, v in attributes.items() if k and k.startswith(PROTOCOL_ATTRIBUTE)}
        policies.append(
            SslNegotiationPolicy(
                name=description["PolicyName"],
                reference_policy=attributes.get("Reference-Security-Policy"),
                protocols=sorted(p for p, v in listed.items() if str(v).lower() == "true") if listed else None,
            )
        )
    return policies
