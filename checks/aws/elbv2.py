"""Elastic Load Balancing v2 (ALB, NLB, GWLB): encrypted listeners with a modern TLS policy, access
logs, deletion protection, and more than one Availability Zone."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scanner.models.aws.elbv2 import Listener
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

RESOURCE_TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ENCRYPTED_PROTOCOLS = {"HTTPS", "TLS", "QUIC"}  # QUIC always carries TLS 1.3
PASSTHROUGH_PROTOCOLS = {"TCP", "UDP", "TCP_UDP", "TCP_QUIC"}
TLS_PROTOCOLS = {"HTTPS", "TLS"}

# Protocol versions in increasing strength, as the ELB APIs spell them.
TLS_RANK = {"SSLv2": 0, "SSLv3": 1, "TLSv1": 2, "TLSv1.0": 2, "TLSv1.1": 3, "TLSv1.2": 4, "TLSv1.3": 5}
MODERN_TLS_PARAMS = {"min_tls_version": Param("TLSv1.2", choices=tuple(TLS_RANK)), "allowed_policies": []}


def names(value: Any) -> list[str]:
    """A list parameter given as a list or, from the command line, as a comma-separated string."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value or []]


def weakest(protocols: Iterable[str]) -> str | None:
    """The weakest protocol version enabled, or None if none is known."""
    known = [p for p in protocols if p in TLS_RANK]
    return min(known, key=TLS_RANK.__getitem__) if known else None


def describe(listener: Listener) -> str:
    return f"{listener.protocol}:{listener.port}"


@check(
    id="aws.elbv2.listener_https",
    title="ALB and NLB listeners use HTTPS/TLS (plain HTTP only to redirect to HTTPS)",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elbv2.load_balancers:listeners"],
    params={"allow_nlb_tcp": False},
    remediation="Replace HTTP listeners with HTTPS (or make their default action a redirect to HTTPS), and NLB "
    "TCP listeners with TLS listeners. With allow_nlb_tcp=true, NLB TCP/UDP listeners pass, for TLS "
    "terminated on the targets.",
)
def listener_https(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Data between clients and the load balancer crosses networks the organisation does not
    control; CC6.7 expects it to be encrypted. A plain HTTP listener is acceptable only when its
    default action redirects the client to HTTPS (its other listener rules are not read)."""
    allow_tcp = bool(ctx.params["allow_nlb_tcp"])
    for lb in inv.elbv2.load_balancers:
        if lb.type == "gateway":
            yield Result.not_applicable(lb, "gateway load balancers forward GENEVE traffic; TLS does not apply")
            continue
        if not lb.listeners:
            yield Result.not_applicable(lb, "the load balancer has no listeners")
            continue
        plaintext, redirected = [], []
        for listener in lb.listeners:
            protocol = listener.protocol or ""
            if protocol in ENCRYPTED_PROTOCOLS:
                continue
            if protocol == "HTTP" and listener.default_action_types[:1] == ["redirect"] and listener.redirect_protocol == "HTTPS":
                redirected.append(describe(listener))
            elif protocol in PASSTHROUGH_PROTOCOLS and lb.type == "network" and allow_tcp:
                continue
            else:
                action = ",".join(listener.default_action_types) or "none"
                plaintext.append(f"{describe(listener)} (default action {action})")
        evidence = {"listeners": [describe(listener) for listener in lb.listeners], "redirect_to_https": redirected}
        if plaintext:
            yield Result.failed(lb, f"unencrypted listeners: {', '.join(plaintext)}", unencrypted=plaintext, **evidence)
        elif redirected:
            yield Result.passed(
                lb, f"every listener uses HTTPS/TLS; {', '.join(redirected)} only redirects to HTTPS", **evidence
            )
        else:
            yield Result.passed(lb, "every listener uses HTTPS/TLS", **evidence)


@check(
    id="aws.elbv2.listener_modern_tls_policy",
    title="ALB and NLB HTTPS/TLS listeners use a security policy with TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elbv2.load_balancers:listeners", "aws.elbv2.load_balancers:ssl_policies"],
    params=MODERN_TLS_PARAMS,
    remediation="Modify the listener's SslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or another policy "
    "whose protocols are all at least min_tls_version). allowed_policies, when set, lists the only policy names accepted.",
)
def listener_modern_tls_policy(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996) and allow downgrade attacks; the listener's
    security policy decides which versions the load balancer accepts (CC6.7). The protocols of each
    policy come from DescribeSSLPolicies, so new AWS policies are judged without a list to update."""
    minimum = ctx.params["min_tls_version"]
    allowed = names(ctx.params["allowed_policies"])
    for lb in inv.elbv2.load_balancers:
        listeners = [listener for listener in lb.listeners if listener.protocol in TLS_PROTOCOLS]
        if not listeners:
            yield Result.not_applicable(lb, "no HTTPS/TLS listeners")
            continue
        yield judge_policies(
            lb,
            [(describe(listener), listener.ssl_policy, lb.ssl_policy_protocols.get(listener.ssl_policy or "")) for listener in listeners],
            minimum,
            allowed,
        )


def judge_policies(
    resource: Any, listeners: list[tuple[str, str | None, list[str] | None]], minimum: str, allowed: list[str]
) -> Result:
    """One verdict over (listener, policy name, enabled protocols) triples; shared with classic ELB."""
    weak, unknown, used = [], [], {}
    for label, policy, protocols in listeners:
        used[label] = policy
        if allowed and policy not in allowed:
            weak.append(f"{label} uses {policy}, not in allowed_policies")
        elif protocols is None:
            unknown.append(f"{label} uses {policy or 'no policy'}, whose protocols are unknown")
        elif (low := weakest(protocols)) is None or TLS_RANK[low] < TLS_RANK[minimum]:
            weak.append(f"{label} uses {policy}, which allows {low or 'unknown protocols'}")
    evidence = {"policies": used, "min_tls_version": minimum}
    if weak:
        return Result.failed(resource, f"security policy below {minimum}: {'; '.join(weak)}", **evidence)
    if unknown:
        return Result.unknown(resource, "; ".join(unknown), **evidence)
    return Result.passed(resource, f"every HTTPS/TLS listener's policy requires {minimum} or later", **evidence)


@check(
    id="aws.elbv2.access_logging",
    title="ALB and NLB access logs are enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elbv2.load_balancers:attributes"],
    remediation="Set the load balancer attributes access_logs.s3.enabled=true and access_logs.s3.bucket to a "
    "log bucket whose policy allows Elastic Load Balancing log delivery.",
)
def access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs record each request or TLS connection with client address, latency and response,
    the evidence for investigating anomalies at the edge of the system (CC7.2). (NLB logs record
    TLS listeners only.)"""
    for lb in inv.elbv2.load_balancers:
        if lb.type == "gateway":
            yield Result.not_applicable(lb, "gateway load balancers have no access logs")
        elif lb.access_logs_enabled:
            yield Result.passed(lb, f"access_logs.s3.enabled is true (bucket {lb.access_logs_bucket})", bucket=lb.access_logs_bucket)
        else:
            yield Result.failed(lb, "access_logs.s3.enabled is false")


@check(
    id="aws.elbv2.deletion_protection",
    title="ALB, NLB and GWLB load balancers have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elbv2.load_balancers:attributes"],
    remediation="Set the load balancer attribute deletion_protection.enabled=true.",
)
def deletion_protection(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A deleted load balancer takes the service offline and its DNS name with it; deletion
    protection guards availability against a mistaken or malicious delete (A1.2)."""
    for lb in inv.elbv2.load_balancers:
        if lb.deletion_protection:
            yield Result.passed(lb, "deletion_protection.enabled is true")
        else:
            yield Result.failed(lb, "deletion_protection.enabled is false")


@check(
    id="aws.elbv2.multi_az",
    title="ALB, NLB and GWLB load balancers span at least two Availability Zones",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type=RESOURCE_TYPE,
    reads=["aws.elbv2.load_balancers"],
    params={"min_azs": Param(2, minimum=1, maximum=6)},
    remediation="Add subnets in further Availability Zones to the load balancer (set-subnets), with targets in each.",
)
def multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A load balancer in a single Availability Zone fails with that zone; spreading it across zones
    is the basic mitigation for an AZ outage (CC9.1, A1.2)."""
    yield from judge_zones(inv.elbv2.load_balancers, int(ctx.params["min_azs"]))


def judge_zones(load_balancers: Iterable[Any], minimum: int) -> Iterator[Result]:
    for lb in load_balancers:
        zones = lb.availability_zones
        if len(zones) >= minimum:
            yield Result.passed(lb, f"{len(zones)} Availability Zones: {', '.join(zones)}", availability_zones=zones)
        else:
            yield Result.failed(
                lb, f"{len(zones)} Availability Zone(s) ({', '.join(zones) or 'none'}), at least {minimum} required", availability_zones=zones
            )

