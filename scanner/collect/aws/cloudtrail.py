"""CloudTrail (regional): trails whose home is this region, with their logging status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.cloudtrail import Trail

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.cloudtrail.trails", regional=True, permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"])
def trails(scope: AwsScope) -> list[Trail]:
    # Shadow trails (a multi-region trail seen from another region) are skipped: each trail is
    # recorded once, in its home region.
    listed = scope.call("cloudtrail", "DescribeTrails", includeShadowTrails=False)["trailList"]
    own = [t for t in listed if t.get("HomeRegion", scope.region) == scope.region]
    return scope.map(lambda t: _trail(scope, t), own)


def _trail(scope: AwsScope, trail: dict) -> Trail:
    status = scope.call("cloudtrail", "GetTrailStatus", Name=trail["TrailARN"])
    return Trail(
        id=trail["TrailARN"],
        name=trail["Name"],
        region=scope.region,
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
