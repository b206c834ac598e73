"""S3 checks through moto's server: PASS, FAIL and denied getters."""

from __future__ import annotations

import json

from scanner.models.common import Status
from tests.conftest import finding, verdicts


def _tls_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def test_default_encryption_pass_fail_and_kms_parameter(aws):
    s3 = aws.client("s3")
    for name in ("pass-sse-kms", "pass-sse-s3", "fail-none"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(
        Bucket="pass-sse-kms",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
    )
    s3.put_bucket_encryption(
        Bucket="pass-sse-s3",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )
    report = aws.scan("aws.s3.bucket_default_encryption")
    assert verdicts(report, "aws.s3.bucket_default_encryption") == {
        ("pass-sse-kms", "PASS"),
        ("pass-sse-s3", "PASS"),
        ("fail-none", "FAIL"),
    }
    strict = aws.scan("aws.s3.bucket_default_encryption", params={"aws.s3.bucket_default_encryption": {"require_kms": True}})
    assert verdicts(strict, "aws.s3.bucket_default_encryption") == {
        ("pass-sse-kms", "PASS"),
        ("pass-sse-s3", "FAIL"),
        ("fail-none", "FAIL"),
    }
    assert "AES256" in finding(strict, "aws.s3.bucket_default_encryption", "pass-sse-s3").message


def test_tls_only_policy(aws):
    s3 = aws.client("s3")
    for name in ("pass-tls", "fail-no-policy", "fail-other-policy"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket="pass-tls", Policy=_tls_policy("pass-tls"))
    s3.put_bucket_policy(
        Bucket="fail-other-policy",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::fail-other-policy/*"}
                ],
            }
        ),
    )
    report = aws.scan("aws.s3.bucket_tls_only")
    assert verdicts(report, "aws.s3.bucket_tls_only") == {
        ("pass-tls", "PASS"),
        ("fail-no-policy", "FAIL"),
        ("fail-other-policy", "FAIL"),
    }


def test_access_logging_and_versioning(aws):
    s3 = aws.client("s3")
    for name in ("logs-target", "pass-logged", "fail-suspended"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(
        Bucket="logs-target",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs-target/*"}
                ],
            }
        ),
    )
    s3.put_bucket_logging(
        Bucket="pass-logged", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs-target", "TargetPrefix": "x/"}}
    )
    s3.put_bucket_versioning(Bucket="pass-logged", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="fail-suspended", VersioningConfiguration={"Status": "Suspended"})
    report = aws.scan("aws.s3.bucket_access_logging", "aws.s3.bucket_versioning")
    assert verdicts(report, "aws.s3.bucket_access_logging") == {
        ("logs-target", "FAIL"),
        ("pass-logged", "PASS"),
        ("fail-suspended", "FAIL"),
    }
    assert verdicts(report, "aws.s3.bucket_versioning") == {
        ("logs-target", "FAIL"),
        ("pass-logged", "PASS"),
        ("fail-suspended", "FAIL"),
    }
    assert finding(report, "aws.s3.bucket_versioning", "fail-suspended").message == "versioning is Suspended"


def test_no_buckets_is_not_applicable(aws):
    report = aws.scan("aws.s3.bucket_versioning")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_getter_is_error_for_that_check_only(aws, denied_session):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="guarded")
    s3.put_bucket_versioning(Bucket="guarded", VersioningConfiguration={"Status": "Enabled"})
    # (moto authorises GetBucketEncryption as s3:ListBucket, so the policy getter is the one denied)
    session = denied_session("s3:GetBucketPolicy")
    report = aws.scan("aws.s3.bucket_tls_only", "aws.s3.bucket_versioning", session=session)
    tls = finding(report, "aws.s3.bucket_tls_only", "guarded")
    assert tls.status == Status.ERROR
    assert "access denied to s3:GetBucketPolicy" in tls.message
    assert verdicts(report, "aws.s3.bucket_versioning") == {("guarded", "PASS")}


def test_denied_listing_is_error_never_pass(aws, denied_session):
    aws.client("s3").create_bucket(Bucket="hidden")
    report = aws.scan("aws.s3.bucket_versioning", session=denied_session("s3:ListAllMyBuckets"))
    statuses = {f.status for f in report.findings}
    assert statuses == {Status.ERROR}
    assert report.collection_errors and report.collection_errors[0].key == "aws.s3.buckets"
