"""CloudTrail checks through moto's server: a logging multi-region trail, log file validation,
KMS encryption, shadow trails counted once across regions, and denied reads."""

from __future__ import annotations

from scanner.models.common import Status
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
