"""CloudTrail (regional): trails whose home is this region, with their status and event selectors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.cloudtrail import AdvancedEventSelector, DataResource, EventSelector, FieldSelector, Trail

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.cloudtrail.trails",
    regional=True,
    permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
    facets={
        "event_selectors": facet(["cloudtrail:GetEventSelectors"], ["event_selectors", "advanced_event_selectors"]),
    },
)
def trails(scope: AwsScope) -> list[Trail]:
    # Each trail is recorded once: by its home region when that region is scanned, otherwise by the
    # first scanned region that sees it as a shadow trail (a multi-region trail homed in a region
    # left out of --regions still logs the regions that are scanned).
    listed = scope.call("cloudtrail", "DescribeTrails", includeShadowTrails=True)["trailList"]
    first_scanned = scope.regions[0] if scope.regions else scope.region

    def recorded_here(trail: dict) -> bool:
        home = trail.get("HomeRegion", scope.region)
        return home == scope.region or (home not in scope.regions and scope.region == first_scanned)

    return scope.map(lambda t: _trail(scope, t), [t for t in listed if recorded_here(t)])


def _trail(scope: AwsScope, trail: dict) -> Trail:
    home = trail.get("HomeRegion", scope.region)
    # GetTrailStatus is part of the record (is it logging?): if it is denied the region fails.
    status = scope.call("cloudtrail", "GetTrailStatus", Name=trail["TrailARN"], region=home)
    fields, errors = read_facets(
        scope,
        "cloudtrail",
        home,
        {
            "event_selectors": lambda: _selectors(
                scope.call("cloudtrail", "GetEventSelectors", TrailName=trail["TrailARN"], region=home)
            )
        },
    )
    return Trail(
        id=trail["TrailARN"],
        name=trail["Name"],
        region=home,
        account=scope.account,
        home_region=home,
        is_multi_region=bool(trail.get("IsMultiRegionTrail")),
        is_organization_trail=bool(trail.get("IsOrganizationTrail")),
        is_logging=bool(status.get("IsLogging")),
        log_file_validation_enabled=bool(trail.get("LogFileValidationEnabled")),
        kms_key_id=trail.get("KmsKeyId"),
        s3_bucket_name=trail.get("S3BucketName"),
        cloudwatch_logs_log_group_arn=trail.get("CloudWatchLogsLogGroupArn"),
        include_global_service_events=bool(trail.get("IncludeGlobalServiceEvents")),
        latest_delivery_time=status.get("LatestDeliveryTime"),
        latest_delivery_error=status.get("LatestDeliveryError") or None,
        latest_cloudwatch_logs_delivery_time=status.get("LatestCloudWatchLogsDeliveryTime"),
        latest_cloudwatch_logs_delivery_error=status.get("LatestCloudWatchLogsDeliveryError") or None,
        errors=errors,
        **fields,
    )


def _selectors(response: dict[str, Any]) -> dict[str, Any]:
    basic = [
        EventSelector(
            read_write_type=s.get("ReadWriteType", "All"),
            include_management_events=s.get("IncludeManagementEvents", True),
            data_resources=[
                DataResource(type=d.get("Type", ""), values=d.get("Values") or []) for d in s.get("DataResources") or []
            ],
            exclude_management_event_sources=s.get("ExcludeManagementEventSources") or [],
        )
        for s in response.get("EventSelectors") or []
    ]
    advanced = [
        AdvancedEventSelector(
            name=s.get("Name"),
            field_selectors=[
                FieldSelector(
                    field=f["Field"],
                    equals=f.get("Equals") or [],
                    starts_with=f.get("StartsWith") or [],
                    ends_with=f.get("EndsWith") or [],
                    not_equals=f.get("NotEquals") or [],
                    not_starts_with=f.get("NotStartsWith") or [],
                    not_ends_with=f.get("NotEndsWith") or [],
                )
                for f in s.get("FieldSelectors") or []
            ],
        )
        for s in response.get("AdvancedEventSelectors") or []
    ]
    if not basic and not advanced:
        # A trail created without event selectors logs "all read and write management events, and
        # no data events" (CloudTrail API reference, EventSelector): record that default explicitly.
        basic = [EventSelector()]
    return {"event_selectors": basic, "advanced_event_selectors": advanced}
