"""CloudFront (global): ListDistributions once; per distribution (concurrently) GetDistributionConfig
for standard logging to S3; and the standard logging (v2) deliveries of CloudWatch Logs in the
partition's home region, read once and matched to each distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.cloudfront import CacheBehavior, Distribution, Origin

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.cloudfront.distributions",
    regional=False,
    permissions=["cloudfront:ListDistributions"],
    facets={
        "logging": facet(["cloudfront:GetDistributionConfig"], ["logging_enabled", "logging_bucket"]),
        "log_deliveries": facet(["logs:DescribeDeliverySources", "logs:DescribeDeliveries"], ["log_delivery_destinations"]),
    },
)
def distributions(scope: AwsScope) -> list[Distribution]:
    listed: list[dict[str, Any]] = []
    marker = ""
    while True:
        page = scope.call("cloudfront", "ListDistributions", **({"Marker": marker} if marker else {}))["DistributionList"]
        listed.extend(page.get("Items", []))
        marker = page.get("NextMarker") or ""
        if not page.get("IsTruncated") or not marker:
            break
    return scope.map(lambda d: _distribution(scope, d), listed)


def _distribution(scope: AwsScope, summary: dict[str, Any]) -> Distribution:
    arn = summary["ARN"]
    fields, errors = read_facets(
        scope,
        "cloudfront",
        "global",
        {
            "logging": lambda: _logging(scope.call("cloudfront", "GetDistributionConfig", Id=summary["Id"])["DistributionConfig"]),
            "log_deliveries": lambda: {"log_delivery_destinations": _access_log_deliveries(scope).get(arn, [])},
        },
    )
    certificate = summary.get("ViewerCertificate") or {}
    # A custom certificate (ACM or IAM) replaces the *.cloudfront.net one; CloudFrontDefaultCertificate
    # is only meaningful when neither is set.
    custom = bool(certificate.get("ACMCertificateArn") or certificate.get("IAMCertificateId"))
    return Distribution(
        id=arn,
        name=summary["Id"],
        region="global",
        account=scope.account,
        domain_name=summary.get("DomainName", ""),
        enabled=bool(summary.get("Enabled", True)),
        aliases=list((summary.get("Aliases") or {}).get("Items") or []),
        cache_behaviors=_behaviors(summary),
        origins=[_origin(o) for o in (summary.get("Origins") or {}).get("Items") or []],
        origin_groups={
            group["Id"]: [m["OriginId"] for m in (group.get("Members") or {}).get("Items") or []]
            for group in (summary.get("OriginGroups") or {}).get("Items") or []
        },
        default_certificate=not custom and bool(certificate.get("CloudFrontDefaultCertificate", True)),
        minimum_protocol_version=certificate.get("MinimumProtocolVersion"),
        ssl_support_method=certificate.get("SSLSupportMethod"),
        errors=errors,
        **fields,
    )


def _behaviors(summary: dict[str, Any]) -> list[CacheBehavior]:
    default = summary.get("DefaultCacheBehavior") or {}
    behaviors = [
        CacheBehavior(
            path_pattern="*",
            target_origin_id=default.get("TargetOriginId", ""),
            viewer_protocol_policy=default.get("ViewerProtocolPolicy", "allow-all"),
        )
    ]
    for item in (summary.get("CacheBehaviors") or {}).get("Items") or []:
        behaviors.append(
            CacheBehavior(
                path_pattern=item.get("PathPattern", ""),
                target_origin_id=item.get("TargetOriginId", ""),
                viewer_protocol_policy=item.get("ViewerProtocolPolicy", "allow-all"),
            )
        )
    return behaviors


def _origin(item: dict[str, Any]) -> Origin:
    custom = item.get("CustomOriginConfig")
    if custom:
        return Origin(
            id=item["Id"],
            domain_name=item.get("DomainName", ""),
            kind="custom",
            protocol_policy=custom.get("OriginProtocolPolicy"),
            ssl_protocols=sorted((custom.get("OriginSslProtocols") or {}).get("Items") or []),
        )
    kind = "vpc" if item.get("VpcOriginConfig") else "s3"
    return Origin(id=item["Id"], domain_name=item.get("DomainName", ""), kind=kind)


def _logging(config: dict[str, Any]) -> dict[str, Any]:
    logging = config.get("Logging") or {}
    enabled = bool(logging.get("Enabled"))
    return {"logging_enabled": enabled, "logging_bucket": (logging.get("Bucket") or None) if enabled else None}


def _access_log_deliveries(scope: AwsScope) -> dict[str, list[str]]:
    """Distribution ARN -> destinations of its standard logging (v2) ACCESS_LOGS deliveries.

    CloudFront's v2 logs are configured in CloudWatch Logs in us-east-1 (the global region): a
    delivery source names the distribution, a delivery links the source to a destination."""
    sources = _all(scope, "DescribeDeliverySources", "deliverySources")
    deliveries = _all(scope, "DescribeDeliveries", "deliveries")
    destinations: dict[str, list[str]] = {}
    for delivery in deliveries:
        destinations.setdefault(delivery.get("deliverySourceName", ""), []).append(delivery.get("deliveryDestinationArn", ""))
    by_distribution: dict[str, list[str]] = {}
    for source in sources:
        if source.get("service") not in (None, "cloudfront") or source.get("logType") != "ACCESS_LOGS":
            continue
        for resource_arn in source.get("resourceArns", []):
            by_distribution.setdefault(resource_arn, []).extend(destinations.get(source.get("name", ""), []))
    return {arn: sorted(set(dest)) for arn, dest in by_distribution.items()}


def _all(scope: AwsScope, operation: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = scope.call("logs", operation, **({"nextToken": token} if token else {}))
        items.extend(page.get(key, []))
        token = page.get("nextToken")
        if not token:
            return items
