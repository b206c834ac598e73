"""Route 53: DNS query logging on public hosted zones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.route53.public_zone_query_logging",
    title="Route 53 public hosted zones have DNS query logging",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::Route53::HostedZone",
    reads=["aws.route53.hosted_zones:query_logging"],
    remediation="Create a query logging configuration for the zone (create-query-logging-config) to a CloudWatch "
    "Logs group in us-east-1 whose resource policy allows route53.amazonaws.com.",
)
def public_zone_query_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Query logs show which names were resolved and from where, useful to detect reconnaissance,
    domain abuse and DNS-based exfiltration against public zones (CC7.2). Private zones are out of
    scope here (Route 53 Resolver query logging covers them)."""
    for zone in inv.route53.hosted_zones:
        if zone.private:
            continue
        if zone.query_logging_log_group:
            yield Result.passed(zone, f"queries logged to {zone.query_logging_log_group}", log_group=zone.query_logging_log_group)
        else:
            yield Result.failed(zone, "no query logging configuration")
