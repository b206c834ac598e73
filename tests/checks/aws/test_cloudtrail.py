"""CloudTrail checks through moto's server: a logging multi-region trail, log file validation,
KMS encryption, shadow trails counted once across regions, and denied reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from scanner.models.common import Status
from tests.checks.aws._stubbed_clients import evaluate_at, scan_with_clients, stubbed, with_changes
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"


def _trail(aws, name: str, region: str = "us-east-1", logging: bool = False, **settings) -> str:
    s3 = aws.client("s3", region)
    bucket = f"trail-logs-{region}"
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        config = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        s3.create_bucket(Bucket=bucket, **config)
    cloudtrail = aws.client("cloudtrail", region)
    arn = cloudtrail.create_trail(Name=name, S3BucketName=bucket, **settings)["TrailARN"]
    if logging:
        cloudtrail.start_logging(Name=arn)
    return arn


def test_multi_region_trail_logging_pass(aws):
    _trail(aws, "pass-org-trail", IsMultiRegionTrail=True, logging=True)
    _trail(aws, "regional-trail", logging=True)
    report = aws.scan("aws.cloudtrail.multi_region_trail_logging")
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, "aws.cloudtrail.multi_region_trail_logging", ACCOUNT_NAME).evidence["trails"] == ["pass-org-trail"]


def test_multi_region_trail_not_logging_fails(aws):
    _trail(aws, "fail-stopped", IsMultiRegionTrail=True, logging=False)
    _trail(aws, "regional-logging", logging=True)  # logging, but only one region
    report = aws.scan("aws.cloudtrail.multi_region_trail_logging")
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "FAIL")}
    assert (
        finding(report, "aws.cloudtrail.multi_region_trail_logging", ACCOUNT_NAME).message
        == "multi-region trails exist but are not logging: fail-stopped"
    )


def test_no_trail_fails(aws):
    report = aws.scan("aws.cloudtrail.multi_region_trail_logging")
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, "aws.cloudtrail.multi_region_trail_logging", ACCOUNT_NAME).message == "no multi-region trail"


def test_stopped_trail_fails(aws):
    arn = _trail(aws, "fail-stopped-later", IsMultiRegionTrail=True, logging=True)
    aws.client("cloudtrail").stop_logging(Name=arn)
    report = aws.scan("aws.cloudtrail.multi_region_trail_logging")
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "FAIL")}


def test_validation_and_kms_per_trail_across_regions(aws):
    """A multi-region trail is also listed (as a shadow) in every other region; it is judged once,
    in its home region."""
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    eu_key = aws.client("kms", "eu-west-1").create_key()["KeyMetadata"]["Arn"]
    _trail(aws, "pass-validated-kms", IsMultiRegionTrail=True, EnableLogFileValidation=True, KmsKeyId=key, logging=True)
    _trail(aws, "fail-plain")
    _trail(aws, "pass-eu-validated-kms", region="eu-west-1", EnableLogFileValidation=True, KmsKeyId=eu_key)
    report = aws.scan(
        "aws.cloudtrail.log_file_validation",
        "aws.cloudtrail.trail_kms_encrypted",
        "aws.cloudtrail.multi_region_trail_logging",
        regions=("us-east-1", "eu-west-1"),
    )
    assert verdicts(report, "aws.cloudtrail.log_file_validation") == {
        ("pass-validated-kms", "PASS"),
        ("fail-plain", "FAIL"),
        ("pass-eu-validated-kms", "PASS"),
    }
    assert verdicts(report, "aws.cloudtrail.trail_kms_encrypted") == {
        ("pass-validated-kms", "PASS"),
        ("fail-plain", "FAIL"),
        ("pass-eu-validated-kms", "PASS"),
    }
    # No duplicate from the shadow trail.
    assert len([f for f in report.findings if f.check_id == "aws.cloudtrail.trail_kms_encrypted"]) == 3
    assert finding(report, "aws.cloudtrail.trail_kms_encrypted", "pass-eu-validated-kms").region == "eu-west-1"
    assert finding(report, "aws.cloudtrail.trail_kms_encrypted", "pass-validated-kms").evidence["kms_key_id"] == key
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "PASS")}


def test_no_trails_is_not_applicable_for_per_trail_checks(aws):
    report = aws.scan("aws.cloudtrail.log_file_validation", "aws.cloudtrail.trail_kms_encrypted")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_trail_status_is_error_never_pass(aws, denied_session):
    _trail(aws, "hidden", IsMultiRegionTrail=True, EnableLogFileValidation=True, logging=True)
    report = aws.scan(
        "aws.cloudtrail.multi_region_trail_logging",
        "aws.cloudtrail.log_file_validation",
        session=denied_session("cloudtrail:GetTrailStatus"),
    )
    region = f"{ACCOUNT_NAME} in us-east-1"
    for check_id in ("aws.cloudtrail.multi_region_trail_logging", "aws.cloudtrail.log_file_validation"):
        assert verdicts(report, check_id) == {(region, "ERROR")}, check_id
        assert "access denied to cloudtrail:GetTrailStatus in us-east-1" in finding(report, check_id, region).message


def test_denied_in_one_region_is_unknown_not_fail(aws, denied_session):
    """GetTrailStatus is denied everywhere, but only us-east-1 has a trail to ask about: eu-west-1
    is collected (empty) and us-east-1 is not, so the account-level check cannot say FAIL."""
    _trail(aws, "hidden", IsMultiRegionTrail=True, logging=True)
    report = aws.scan(
        "aws.cloudtrail.multi_region_trail_logging",
        regions=("us-east-1", "eu-west-1"),
        session=denied_session("cloudtrail:GetTrailStatus"),
    )
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {
        (f"{ACCOUNT_NAME} in us-east-1", "ERROR"),
        (ACCOUNT_NAME, "UNKNOWN"),
    }


def test_multi_region_trail_seen_when_its_home_region_is_not_scanned(aws):
    """`--regions eu-west-1` against an account whose multi-region trail lives in us-east-1: the
    trail is seen as a shadow trail from eu-west-1 and logs it, so the control passes."""
    _trail(aws, "pass-org-trail", IsMultiRegionTrail=True, logging=True)
    report = aws.scan("aws.cloudtrail.multi_region_trail_logging", regions=("eu-west-1",))
    assert verdicts(report, "aws.cloudtrail.multi_region_trail_logging") == {(ACCOUNT_NAME, "PASS")}


# -- what the trail records: management events, S3 data events ---------------------------------
MANAGEMENT = "aws.cloudtrail.management_events_read_write"
S3_WRITE = "aws.cloudtrail.s3_object_write_events"
S3_READ = "aws.cloudtrail.s3_object_read_events"


def _selectors(aws, arn: str, region: str = "us-east-1", **selectors) -> None:
    aws.client("cloudtrail", region).put_event_selectors(TrailName=arn, **selectors)


def test_management_events_read_and_write_pass(aws):
    arn = _trail(aws, "pass-all-management", IsMultiRegionTrail=True, logging=True)
    _selectors(aws, arn, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
    report = aws.scan(MANAGEMENT)
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, MANAGEMENT, ACCOUNT_NAME).evidence["trails"] == ["pass-all-management"]


def test_trail_without_selectors_records_the_default(aws):
    """A trail created without event selectors logs all read and write management events and no
    data events (the API's documented default; moto answers GetEventSelectors with empty lists)."""
    _trail(aws, "pass-default-selectors", IsMultiRegionTrail=True, logging=True)
    report = aws.scan(MANAGEMENT, S3_READ)
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudtrail.s3_object_read_events") == {(ACCOUNT_NAME, "FAIL")}


def test_management_events_advanced_selectors_pass(aws):
    arn = _trail(aws, "pass-advanced", IsMultiRegionTrail=True, logging=True)
    _selectors(
        aws,
        arn,
        AdvancedEventSelectors=[{"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}],
    )
    report = aws.scan(MANAGEMENT)
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "PASS")}


def test_management_events_write_only_or_excluded_fail(aws):
    write_only = _trail(aws, "fail-write-only", IsMultiRegionTrail=True, logging=True)
    _selectors(aws, write_only, EventSelectors=[{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    excluding = _trail(aws, "fail-excludes-kms", IsMultiRegionTrail=True, logging=True)
    _selectors(
        aws,
        excluding,
        EventSelectors=[
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}
        ],
    )
    regional = _trail(aws, "regional-all", logging=True)  # records everything, but in one region only
    _selectors(aws, regional, EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}])
    report = aws.scan(MANAGEMENT)
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "FAIL")}
    message = finding(report, MANAGEMENT, ACCOUNT_NAME).message
    assert "fail-write-only records write" in message
    assert "fail-excludes-kms records none" in message


def test_no_trail_fails_management_events(aws):
    report = aws.scan(MANAGEMENT)
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "FAIL")}


def test_s3_object_events_basic_write_only(aws):
    """One trail logging S3 object writes for every bucket: write events PASS, read events FAIL."""
    arn = _trail(aws, "s3-writes", IsMultiRegionTrail=True, logging=True)
    _selectors(
        aws,
        arn,
        EventSelectors=[
            {
                "ReadWriteType": "WriteOnly",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
            }
        ],
    )
    report = aws.scan(S3_WRITE, S3_READ)
    assert verdicts(report, "aws.cloudtrail.s3_object_write_events") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudtrail.s3_object_read_events") == {(ACCOUNT_NAME, "FAIL")}


def test_s3_object_events_advanced_read_only_and_one_bucket(aws):
    """Advanced selectors: reads of every bucket PASS; writes logged for one bucket only do not count."""
    arn = _trail(aws, "s3-reads", IsMultiRegionTrail=True, logging=True)
    _selectors(
        aws,
        arn,
        AdvancedEventSelectors=[
            {
                "Name": "reads",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "readOnly", "Equals": ["true"]},
                ],
            },
            {
                "Name": "writes-one-bucket",
                "FieldSelectors": [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                    {"Field": "readOnly", "Equals": ["false"]},
                    {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::one-bucket/"]},
                ],
            },
        ],
    )
    report = aws.scan(S3_WRITE, S3_READ)
    assert verdicts(report, "aws.cloudtrail.s3_object_read_events") == {(ACCOUNT_NAME, "PASS")}
    assert verdicts(report, "aws.cloudtrail.s3_object_write_events") == {(ACCOUNT_NAME, "FAIL")}


def test_denied_event_selectors_is_error_for_selector_checks_only(aws, denied_session):
    """GetEventSelectors is a per-trail getter: denied, the selector checks are ERROR; the trail
    itself is still collected, so log file validation is judged."""
    _trail(aws, "pass-validated", IsMultiRegionTrail=True, EnableLogFileValidation=True, logging=True)
    report = aws.scan(MANAGEMENT, "aws.cloudtrail.log_file_validation", session=denied_session("cloudtrail:GetEventSelectors"))
    assert verdicts(report, "aws.cloudtrail.management_events_read_write") == {(ACCOUNT_NAME, "ERROR")}
    assert "access denied to cloudtrail:GetEventSelectors" in finding(report, MANAGEMENT, ACCOUNT_NAME).message
    assert verdicts(report, "aws.cloudtrail.log_file_validation") == {("pass-validated", "PASS")}


# -- CloudWatch Logs delivery ---------------------------------------------------------------------
CW = "aws.cloudtrail.cloudwatch_logs_delivery"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:trail:*"


def test_cloudwatch_logs_not_configured_or_never_delivered_fails(aws):
    """moto reports no LatestCloudWatchLogsDeliveryTime: a configured trail reads as never delivered."""
    _trail(aws, "fail-no-log-group", logging=True)
    _trail(
        aws,
        "fail-never-delivered",
        logging=True,
        CloudWatchLogsLogGroupArn=LOG_GROUP,
        CloudWatchLogsRoleArn="arn:aws:iam::123456789012:role/trail-to-logs",
    )
    report = aws.scan(CW)
    assert verdicts(report, "aws.cloudtrail.cloudwatch_logs_delivery") == {
        ("fail-no-log-group", "FAIL"),
        ("fail-never-delivered", "FAIL"),
    }
    assert finding(report, CW, "fail-no-log-group").message == "CloudWatchLogsLogGroupArn is not set"
    assert finding(report, CW, "fail-never-delivered").message == "no delivery to CloudWatch Logs recorded"


def test_cloudwatch_logs_recent_delivery_passes_and_stale_fails(aws):
    """moto's GetTrailStatus has no LatestCloudWatchLogsDeliveryTime, so the CloudTrail client is a
    real boto3 client with botocore's Stubber (validated against the service model) in the AwsApi
    client cache. The same inventory is then re-evaluated as a snapshot read two days later."""
    client, stubber = stubbed(aws, "cloudtrail")
    arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/delivering"
    delivered = datetime.now(UTC) - timedelta(hours=1)
    stubber.add_response(
        "describe_trails",
        {
            "trailList": [
                {
                    "Name": "delivering",
                    "TrailARN": arn,
                    "HomeRegion": "us-east-1",
                    "IsMultiRegionTrail": True,
                    "S3BucketName": "trail-logs",
                    "CloudWatchLogsLogGroupArn": LOG_GROUP,
                    "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/trail-to-logs",
                }
            ]
        },
        {"includeShadowTrails": True},
    )
    stubber.add_response("get_trail_status", {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": delivered}, {"Name": arn})
    # (no GetEventSelectors: the check does not read the selectors, so the scan does not ask)
    inventory, report = scan_with_clients(aws, [CW], {("cloudtrail", "us-east-1"): client})
    stubber.assert_no_pending_responses()
    assert verdicts(report, "aws.cloudtrail.cloudwatch_logs_delivery") == {("delivering", "PASS")}
    later = evaluate_at(inventory, [CW], inventory.metadata.collected_at + timedelta(days=2))
    assert verdicts(later, "aws.cloudtrail.cloudwatch_logs_delivery") == {("delivering", "FAIL")}
    assert "hours before the scan (> 24)" in finding(later, CW, "delivering").message


# -- the trail's bucket ---------------------------------------------------------------------------
def _trail_to(aws, name: str, bucket: str, logging: bool = True) -> str:
    s3 = aws.client("s3")
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    arn = aws.client("cloudtrail").create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=True)["TrailARN"]
    if logging:
        aws.client("cloudtrail").start_logging(Name=arn)
    return arn


def test_log_bucket_access_logging(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="access-logs")
    s3.put_bucket_policy(
        Bucket="access-logs",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::access-logs/*",
                    }
                ],
            }
        ),
    )
    _trail_to(aws, "trail-a", "pass-logged-trail-bucket")
    _trail_to(aws, "trail-b", "fail-unlogged-trail-bucket")
    _trail_to(aws, "trail-c", "fail-unlogged-trail-bucket")  # a shared bucket is judged once
    s3.put_bucket_logging(
        Bucket="pass-logged-trail-bucket",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "trail/"}},
    )
    report = aws.scan("aws.cloudtrail.log_bucket_access_logging")
    assert verdicts(report, "aws.cloudtrail.log_bucket_access_logging") == {
        ("pass-logged-trail-bucket", "PASS"),
        ("fail-unlogged-trail-bucket", "FAIL"),
    }
    assert finding(report, "aws.cloudtrail.log_bucket_access_logging", "fail-unlogged-trail-bucket").evidence == {
        "trail": "trail-b"
    }


def test_log_bucket_not_public(aws):
    s3 = aws.client("s3")
    _trail_to(aws, "trail-private", "pass-private-trail-bucket")
    _trail_to(aws, "trail-public", "fail-public-trail-bucket")
    _trail_to(aws, "trail-elsewhere", "deleted-trail-bucket")
    s3.put_bucket_acl(Bucket="fail-public-trail-bucket", ACL="public-read")
    s3.delete_bucket(Bucket="deleted-trail-bucket")  # stands in for a bucket in a central log account
    report = aws.scan("aws.cloudtrail.log_bucket_not_public")
    assert verdicts(report, "aws.cloudtrail.log_bucket_not_public") == {
        ("pass-private-trail-bucket", "PASS"),
        ("fail-public-trail-bucket", "FAIL"),
        ("trail-elsewhere", "UNKNOWN"),
    }
    assert finding(report, "aws.cloudtrail.log_bucket_not_public", "fail-public-trail-bucket").message == (
        "log bucket of trail trail-public is public: ACL grants AllUsers:READ"
    )


def test_log_bucket_mfa_delete(aws):
    """moto does not model MFA delete (enabling it needs the root user's MFA code), so the collected
    inventory is evaluated with the pass bucket's versioning reporting MFADelete Enabled, as
    GetBucketVersioning does on AWS once it is on."""
    _trail_to(aws, "trail-mfa", "pass-mfa-delete-bucket")
    _trail_to(aws, "trail-plain", "fail-no-mfa-delete-bucket")
    for bucket in ("pass-mfa-delete-bucket", "fail-no-mfa-delete-bucket"):
        aws.client("s3").put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    inventory, report = aws.collect(["aws.cloudtrail.log_bucket_mfa_delete"])
    assert verdicts(report, "aws.cloudtrail.log_bucket_mfa_delete") == {
        ("pass-mfa-delete-bucket", "FAIL"),
        ("fail-no-mfa-delete-bucket", "FAIL"),
    }
    enabled = with_changes(inventory, "s3", "buckets", {"pass-mfa-delete-bucket": {"mfa_delete": True}})
    report = evaluate_at(enabled, ["aws.cloudtrail.log_bucket_mfa_delete"])
    assert verdicts(report, "aws.cloudtrail.log_bucket_mfa_delete") == {
        ("pass-mfa-delete-bucket", "PASS"),
        ("fail-no-mfa-delete-bucket", "FAIL"),
    }
    assert finding(report, "aws.cloudtrail.log_bucket_mfa_delete", "fail-no-mfa-delete-bucket").message == (
        "MFADelete is not enabled (versioning Enabled)"
    )


def test_denied_bucket_versioning_is_error_for_mfa_delete(aws, denied_session):
    _trail_to(aws, "trail-guarded", "guarded-trail-bucket")
    report = aws.scan("aws.cloudtrail.log_bucket_mfa_delete", session=denied_session("s3:GetBucketVersioning"))
    assert verdicts(report, "aws.cloudtrail.log_bucket_mfa_delete") == {("guarded-trail-bucket", "ERROR")}
