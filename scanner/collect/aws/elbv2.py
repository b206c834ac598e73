"""Elastic Load Balancing v2 (regional): ALB, NLB and GWLB. DescribeLoadBalancers once per region,
then per load balancer (concurrently) its listeners, the protocols of the SSL policies they use
(DescribeSSLPolicies, once per region) and one DescribeLoadBalancerAttributes shared by the access
log and deletion protection checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.elbv2 import Listener, LoadBalancer

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

TLS_PROTOCOLS = {"HTTPS", "TLS"}


@collector(
    "aws.elbv2.load_balancers",
    regional=True,
    permissions=["elasticloadbalancing:DescribeLoadBalancers"],
    facets={
        "listeners": facet(["elasticloadbalancing:DescribeListeners"], ["listeners"]),
        "ssl_policies": facet(["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeSSLPolicies"], ["ssl_policy_protocols"]),
        "attributes": facet(["elasticloadbalancing:DescribeLoadBalancerAttributes"], ["access_logs_enabled", "access_logs_bucket", "deletion_protection"]),
    },
)
def load_balancers(scope: AwsScope) -> list[LoadBalancer]:
    listed = scope.pages("elbv2", "DescribeLoadBalancers", "LoadBalancers")
    return scope.map(lambda lb: _load_balancer(scope, lb), listed)


def _load_balancer(scope: AwsScope, lb: dict[str, Any]) -> LoadBalancer:
    arn = lb["LoadBalancerArn"]

    def listeners() -> list[dict[str, Any]]:
        return scope.pages("elbv2", "DescribeListeners", "Listeners", LoadBalancerArn=arn)

    fields, errors = read_facets(
        scope,
        "elbv2",
        scope.region,
        {
            "listeners": lambda: {"listeners": [_listener(item) for item in listeners()]},
            "ssl_policies": lambda: {"ssl_policy_protocols": _policy_protocols(scope, listeners())},
            "attributes": lambda: _attributes(
                scope.call("elbv2", "DescribeLoadBalancerAttributes", LoadBalancerArn=arn)["Attributes"]
            ),
        },
    )
    return LoadBalancer(
        id=arn,
        name=lb.get("LoadBalancerName", arn.rsplit("/", 2)[-2]),
        region=scope.region,
        account=scope.account,
        type=lb.get("Type", "application"),
        scheme=lb.get("Scheme"),
        dns_name=lb.get("DNSName"),
        availability_zones=sorted({az["ZoneName"] for az in lb.get("AvailabilityZones", []) if az.get("ZoneName")}),
        errors=errors,
        **fields,
    )


def _listener(item: dict[str, Any]) -> Listener:
    actions = sorted(item.get("DefaultActions", []), key=lambda a: a.get("Order", 0))
    redirect = next((a.get("RedirectConfig") or {} for a in actions if a.get("Type") == "redirect"), {})
    protocol = item.get("Protocol")
    return Listener(
        arn=item["ListenerArn"],
        port=item.get("Port"),
        protocol=protocol,
        # (some APIs echo a policy on plain listeners too; it only applies to HTTPS / TLS)
        ssl_policy=item.get("SslPolicy") if protocol in TLS_PROTOCOLS else None,
        default_action_types=[a.get("Type", "") for a in actions],
        redirect_protocol=redirect.get("Protocol"),
    )


def _policy_protocols(scope: AwsScope, listeners: list[dict[str, Any]]) -> dict[str, list[str]]:
    used = {item["SslPolicy"] for item in listeners if item.get("Protocol") in TLS_PROTOCOLS and item.get("SslPolicy")}
    if not used:
        return {}
    # Every predefined policy, once per region (ALB/NLB security policies cannot be custom).
    policies = scope.pages("elbv2", "DescribeSSLPolicies", "SslPolicies")
    return {p["Name"]: sorted(p.get("SslProtocols", [])) for p in policies if p.get("Name") in used}


def _attributes(attributes: list[dict[str, str]]) -> dict[str, Any]:
    values = {a["Key"]: a.get("Value", "") for a in attributes}
    return {
        # (absent key = the default, false)
        "access_logs_enabled": values.get("access_logs.s3.enabled", "false").lower() == "true",
        "access_logs_bucket": values.get("access_logs.s3.bucket") or None,
        "deletion_protection": values.get("deletion_protection.enabled", "false").lower() == "true",
    }
