"""CloudFront: HTTPS between viewers and edge with a modern TLS policy, HTTPS to origins, and
access logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.aws.cloudfront import Distribution
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

RESOURCE_TYPE = "AWS::CloudFront::Distribution"
HTTPS_VIEWER = {"https-only", "redirect-to-https"}
# Viewer security policies (MinimumProtocolVersion) from weakest to strongest.
VIEWER_POLICIES = [
    "SSLv3",
    "TLSv1",
    "TLSv1_2016",
    "TLSv1.1_2016",
    "TLSv1.2_2018",
    "TLSv1.2_2019",
    "TLSv1.2_2021",
    "TLSv1.2_2025",
    "TLSv1.3_2025",
]
ORIGIN_PROTOCOLS = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2"]


@check(
    id="aws.cloudfront.viewer_https_only",
    title="CloudFront cache behaviours require HTTPS from viewers (https-only or redirect-to-https)",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.cloudfront.distributions"],
    remediation="Set ViewerProtocolPolicy to redirect-to-https (or https-only) on the default and every other cache behaviour.",
)
def viewer_https_only(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With allow-all, CloudFront serves content over plain HTTP between the viewer and the edge,
    where it can be read or altered in transit (CC6.7). Every cache behaviour must refuse or
    redirect HTTP."""
    for dist in inv.cloudfront.distributions:
        policies = {b.path_pattern: b.viewer_protocol_policy for b in dist.cache_behaviors}
        plain = [f"{path} ({policy})" for path, policy in policies.items() if policy not in HTTPS_VIEWER]
        if plain:
            yield Result.failed(dist, f"cache behaviours allow HTTP: {', '.join(plain)}", viewer_protocol_policies=policies)
        else:
            yield Result.passed(
                dist, f"all {len(policies)} cache behaviours are https-only or redirect-to-https", viewer_protocol_policies=policies
            )


@check(
    id="aws.cloudfront.viewer_modern_tls",
    title="CloudFront distributions require a modern TLS version from viewers",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.cloudfront.distributions"],
    params={"min_protocol_version": Param("TLSv1.2_2021", choices=tuple(VIEWER_POLICIES))},
    remediation="Use a custom ACM certificate (SNI) and set ViewerCertificate.MinimumProtocolVersion to "
    "TLSv1.2_2021 or later; the default *.cloudfront.net certificate always allows TLSv1.",
)
def viewer_modern_tls(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The viewer security policy sets the oldest TLS version and ciphers CloudFront accepts; TLS
    1.0/1.1 are deprecated (RFC 8996) (CC6.7). With the default *.cloudfront.net certificate,
    CloudFront uses the TLSv1 policy whatever MinimumProtocolVersion says."""
    minimum = ctx.params["min_protocol_version"]
    for dist in inv.cloudfront.distributions:
        version = dist.minimum_protocol_version
        evidence = {"minimum_protocol_version": version, "default_certificate": dist.default_certificate, "required": minimum}
        if dist.default_certificate:
            yield Result.failed(dist, "uses the default *.cloudfront.net certificate, whose security policy is TLSv1", **evidence)
        elif version not in VIEWER_POLICIES or minimum not in VIEWER_POLICIES:
            yield Result.unknown(dist, f"MinimumProtocolVersion {version} cannot be compared with {minimum}", **evidence)
        elif VIEWER_POLICIES.index(version) < VIEWER_POLICIES.index(minimum):
            yield Result.failed(dist, f"MinimumProtocolVersion is {version}, below {minimum}", **evidence)
        else:
            yield Result.passed(dist, f"MinimumProtocolVersion is {version}", **evidence)


def _viewer_policies_by_origin(dist: Distribution) -> dict[str, set[str]]:
    """Origin id -> viewer protocol policies of the behaviours routed to it (directly or via a group)."""
    routed: dict[str, set[str]] = {}
    for behavior in dist.cache_behaviors:
        for origin_id in dist.origin_groups.get(behavior.target_origin_id, [behavior.target_origin_id]):
            routed.setdefault(origin_id, set()).add(behavior.viewer_protocol_policy)
    return routed


@check(
    id="aws.cloudfront.origin_https",
    title="CloudFront connects to origins over HTTPS with TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type=RESOURCE_TYPE,
    reads=["aws.cloudfront.distributions"],
    params={"min_origin_ssl_protocol": Param("TLSv1.2", choices=tuple(ORIGIN_PROTOCOLS))},
    remediation="Set OriginProtocolPolicy to https-only on custom origins (match-viewer only with HTTPS-only "
    "viewers) and remove SSLv3/TLSv1/TLSv1.1 from OriginSslProtocols.",
)
def origin_https(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The leg from the edge to the origin crosses the internet too; encrypting only the viewer leg
    leaves content readable between CloudFront and the origin (CC6.7). Custom origins with
    http-only, or match-viewer behind a behaviour that allows HTTP, send it in clear; S3 origins
    follow the viewer's protocol."""
    minimum = ctx.params["min_origin_ssl_protocol"]
    floor = ORIGIN_PROTOCOLS.index(minimum) if minimum in ORIGIN_PROTOCOLS else len(ORIGIN_PROTOCOLS) - 1
    for dist in inv.cloudfront.distributions:
        routed = _viewer_policies_by_origin(dist)
        problems, unknown = [], []
        for origin in dist.origins:
            viewer_http = "allow-all" in routed.get(origin.id, set())
            if origin.kind == "vpc":
                unknown.append(f"{origin.id} is a VPC origin (protocol set on the VPC origin, not read)")
            elif origin.kind == "s3":
                if viewer_http:
                    problems.append(f"{origin.id} (S3) is fetched over HTTP when viewers use HTTP")
            elif origin.protocol_policy == "http-only":
                problems.append(f"{origin.id} is http-only")
            elif origin.protocol_policy == "match-viewer" and viewer_http:
                problems.append(f"{origin.id} is match-viewer behind a behaviour allowing HTTP")
            else:
                weak = [p for p in origin.ssl_protocols if p in ORIGIN_PROTOCOLS and ORIGIN_PROTOCOLS.index(p) < floor]
                if weak:
                    problems.append(f"{origin.id} allows {', '.join(weak)} to the origin")
        evidence = {
            "origins": {o.id: o.protocol_policy or o.kind for o in dist.origins},
            "min_origin_ssl_protocol": minimum,
        }
        if problems:
            yield Result.failed(dist, "; ".join(problems), **evidence)
        elif unknown:
            yield Result.unknown(dist, "; ".join(unknown), **evidence)
        else:
            yield Result.passed(dist, f"all {len(dist.origins)} origins are reached over HTTPS", **evidence)


@check(
    id="aws.cloudfront.access_logging",
    title="CloudFront distributions have standard (access) logging enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type=RESOURCE_TYPE,
    reads=["aws.cloudfront.distributions:logging", "aws.cloudfront.distributions:log_deliveries"],
    remediation="Enable standard logging: a CloudWatch Logs delivery (v2) of ACCESS_LOGS to S3, CloudWatch "
    "Logs or Firehose, or the legacy Logging configuration with an S3 bucket.",
)
def access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Edge access logs record every viewer request (client, URI, status, TLS version), the only
    record of traffic served from cache that never reaches the origin (CC7.2). Either standard
    logging to S3 (legacy) or a standard logging v2 delivery counts."""
    for dist in inv.cloudfront.distributions:
        evidence = {"legacy_bucket": dist.logging_bucket, "v2_destinations": dist.log_delivery_destinations}
        if dist.logging_enabled:
            yield Result.passed(dist, f"Logging.Enabled is true (bucket {dist.logging_bucket})", **evidence)
        elif dist.log_delivery_destinations:
            yield Result.passed(
                dist, f"standard logging v2 delivers ACCESS_LOGS to {', '.join(dist.log_delivery_destinations)}", **evidence
            )
        else:
            yield Result.failed(dist, "Logging.Enabled is false and no standard logging v2 delivery exists", **evidence)
