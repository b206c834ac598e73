"""Classic Elastic Load Balancing: HTTPS/SSL listeners with a modern SSL negotiation policy, access
logs, and more than one Availability Zone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws.elbv2 import MODERN_TLS_PARAMS, judge_policies, judge_zones, names
from scanner.models.aws.elb import ClassicListener, ClassicLoadBalancer, SslNegotiationPolicy
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

RESOURCE_TYPE = "AWS::ElasticLoadBalancing::LoadBalancer"
TLS_PROTOCOLS = {"HTTPS", "SSL"}

# Protocols of the predefined classic policies, for policies described only by their
# Reference-Security-Policy (AWS also lists the Protocol-* attributes, which take precedence).
REFERENCE_PROTOCOLS = {
    "ELBSecurityPolicy-TLS-1-2-2017-01": ["TLSv1.2"],
    "ELBSecurityPolicy-TLS-1-1-2017-01": ["TLSv1.1", "TLSv1.2"],
    "ELBSecurityPolicy-2016-08": ["TLSv1", "TLSv1.1", "TLSv1.2"],
    "ELBSecurityPolicy-2015-05": ["TLSv1", "TLSv1.1", "TLSv1.2"],
}


def _label(listener: ClassicListener) -> str:
    return f"{listener.protocol}:{listener.port}"


@check(
    id="aws.elb.listener_https",
    title="Classic Load Balancer listeners use HTTPS or SSL",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elb.load_balancers"],
    remediation="Replace HTTP/TCP listeners with HTTPS/SSL listeners with an ACM certificate (or migrate to an "
    "Application Load Balancer, which can redirect HTTP to HTTPS).",
)
def listener_https(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A Classic Load Balancer cannot redirect HTTP to HTTPS, so any HTTP or TCP listener carries
    client traffic in clear text across networks the organisation does not control (CC6.7)."""
    for lb in inv.elb.load_balancers:
        if not lb.listeners:
            yield Result.not_applicable(lb, "the load balancer has no listeners")
            continue
        plaintext = [_label(listener) for listener in lb.listeners if listener.protocol not in TLS_PROTOCOLS]
        evidence = {"listeners": [_label(listener) for listener in lb.listeners]}
        if plaintext:
            yield Result.failed(lb, f"unencrypted listeners: {', '.join(plaintext)}", unencrypted=plaintext, **evidence)
        else:
            yield Result.passed(lb, "every listener uses HTTPS/SSL", **evidence)


def _negotiation_policy(lb: ClassicLoadBalancer, listener: ClassicListener) -> SslNegotiationPolicy | None:
    by_name = {policy.name: policy for policy in lb.ssl_policies}
    return next((by_name[name] for name in listener.policy_names if name in by_name), None)


@check(
    id="aws.elb.listener_modern_tls_policy",
    title="Classic Load Balancer HTTPS/SSL listeners use an SSL policy with TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elb.load_balancers:policies"],
    params=MODERN_TLS_PARAMS,
    remediation="Create an SSLNegotiationPolicyType policy with Reference-Security-Policy "
    "ELBSecurityPolicy-TLS-1-2-2017-01 and set it on each HTTPS/SSL listener (set-load-balancer-policies-of-listener).",
)
def listener_modern_tls_policy(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The SSL negotiation policy decides which protocol versions clients may use; TLS 1.0/1.1 (and
    SSLv3 in old policies) are deprecated and allow downgrade attacks (CC6.7). The default policy
    ELBSecurityPolicy-2016-08 still accepts TLS 1.0."""
    minimum = ctx.params["min_tls_version"]
    allowed = names(ctx.params["allowed_policies"])
    for lb in inv.elb.load_balancers:
        listeners = [listener for listener in lb.listeners if listener.protocol in TLS_PROTOCOLS]
        if not listeners:
            yield Result.not_applicable(lb, "no HTTPS/SSL listeners")
            continue
        judged = []
        for listener in listeners:
            policy = _negotiation_policy(lb, listener)
            if policy is None:
                judged.append((_label(listener), None, None))
                continue
            protocols = policy.protocols if policy.protocols is not None else REFERENCE_PROTOCOLS.get(policy.reference_policy or "")
            judged.append((_label(listener), policy.reference_policy or policy.name, protocols))
        yield judge_policies(lb, judged, minimum, allowed)


@check(
    id="aws.elb.access_logging",
    title="Classic Load Balancer access logs are enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elb.load_balancers:attributes"],
    remediation="Modify the load balancer attributes: AccessLog Enabled=true with an S3 bucket that allows "
    "Elastic Load Balancing log delivery.",
)
def access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs record every request with client address, latency and backend response, the
    evidence for investigating anomalies at the edge of the system (CC7.2)."""
    for lb in inv.elb.load_balancers:
        if lb.access_logs_enabled:
            yield Result.passed(lb, f"AccessLog.Enabled is true (bucket {lb.access_logs_bucket})", bucket=lb.access_logs_bucket)
        else:
            yield Result.failed(lb, "AccessLog.Enabled is false")


@check(
    id="aws.elb.multi_az",
    title="Classic Load Balancers span at least two Availability Zones",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elb.load_balancers"],
    params={"min_azs": Param(2, minimum=1, maximum=6)},
    remediation="Enable further Availability Zones (or attach subnets in them) with registered instances in each, "
    "and enable cross-zone load balancing.",
)
def multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A load balancer in a single Availability Zone fails with that zone; spreading it across zones
    is the basic mitigation for an AZ outage (CC9.1, A1.2)."""
    yield from judge_zones(inv.elb.load_balancers, int(ctx.params["min_azs"]))
