"""Route 53 (global): hosted zones, and the DNS query logging configurations read once with
ListQueryLoggingConfigs and matched to each zone."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.route53 import HostedZone

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.route53.hosted_zones",
    regional=False,
    permissions=["route53:ListHostedZones"],
    facets={
        "query_logging": facet(["route53:ListQueryLoggingConfigs"], ["query_logging_log_group"]),
    },
)
def hosted_zones(scope: AwsScope) -> list[HostedZone]:
    listed = scope.pages("route53", "ListHostedZones", "HostedZones")

    def query_logging() -> dict[str, str]:
        configs = scope.pages("route53", "ListQueryLoggingConfigs", "QueryLoggingConfigs")
        return {_zone_id(c["HostedZoneId"]): c.get("CloudWatchLogsLogGroupArn", "") for c in configs}

    zones = []
    for item in listed:
        zone_id = _zone_id(item["Id"])
        fields, errors = read_facets(
            scope,
            "route53",
            "global",
            {"query_logging": lambda z=zone_id: {"query_logging_log_group": query_logging().get(z) or None}},
        )
        zones.append(_zone(scope, item, zone_id, fields, errors))
    return zones


def _zone(scope: AwsScope, item: dict[str, Any], zone_id: str, fields: dict[str, Any], errors: dict[str, str]) -> HostedZone:
    return HostedZone(
        id=f"arn:{scope.partition}:route53:::hostedzone/{zone_id}",
        name=item.get("Name", zone_id),
        region="global",
        account=scope.account,
        zone_id=zone_id,
        private=bool((item.get("Config") or {}).get("PrivateZone")),
        record_count=item.get("ResourceRecordSetCount", 0),
        errors=errors,
        **fields,
    )


def _zone_id(value: str) -> str:
    return value.rsplit("/", 1)[-1]
