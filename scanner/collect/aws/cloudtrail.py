"""CloudTrail (regional): trails whose home is this region, with their logging status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.cloudtrail import Trail

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.cloudtrail.trails", regional=True, permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"])
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
    status = scope.call("cloudtrail", "GetTrailStatus", Name=trail["TrailARN"], region=trail.get("HomeRegion", scope.region))
    return Trail(
        id=trail["TrailARN"],
        name=trail["Name"],
        region=trail.get("HomeRegion", scope.region),
        account=scope.account,
        home_region=trail.get("HomeRegion", scope.region),
        is_multi_region=bool(trail.get("IsMultiRegionTrail")),
        is_organization_trail=bool(trail.get("IsOrganizationTrail")),
        is_logging=bool(status.get("IsLogging")),
        log_file_validation_enabled=bool(trail.get("LogFileValidationEnabled")),
        kms_key_id=trail.get("KmsKeyId"),
        s3_bucket_name=trail.get("S3BucketName"),
        cloudwatch_logs_log_group_arn=trail.get("CloudWatchLogsLogGroupArn"),
        include_global_service_events=bool(trail.get("IncludeGlobalServiceEvents")),
    )
