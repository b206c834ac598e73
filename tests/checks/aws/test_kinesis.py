"""Kinesis checks through moto's server: KMS encryption, the customer-managed key parameter, and a
denied DescribeStreamSummary (moto enforces IAM for Kinesis with genuine AccessDenied)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def test_stream_encrypted_and_customer_key(aws):
    kinesis = aws.client("kinesis")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    for name in ("pass-cmk", "pass-aws-key", "fail-plain"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.start_stream_encryption(StreamName="pass-cmk", EncryptionType="KMS", KeyId=key)
    kinesis.start_stream_encryption(StreamName="pass-aws-key", EncryptionType="KMS", KeyId="alias/aws/kinesis")

    report = aws.scan("aws.kinesis.stream_encrypted")
    assert verdicts(report, "aws.kinesis.stream_encrypted") == {
        ("pass-cmk", "PASS"),
        ("pass-aws-key", "PASS"),
        ("fail-plain", "FAIL"),
    }
    assert finding(report, "aws.kinesis.stream_encrypted", "fail-plain").message == "EncryptionType is NONE"
    strict = aws.scan(
        "aws.kinesis.stream_encrypted", params={"aws.kinesis.stream_encrypted": {"require_customer_managed_key": True}}
    )
    assert verdicts(strict, "aws.kinesis.stream_encrypted") == {
        ("pass-cmk", "PASS"),
        ("pass-aws-key", "FAIL"),
        ("fail-plain", "FAIL"),
    }


def test_denied_summary_is_error_per_stream(aws, denied_session):
    aws.client("kinesis").create_stream(StreamName="guarded", ShardCount=1)
    report = aws.scan("aws.kinesis.stream_encrypted", session=denied_session("kinesis:DescribeStreamSummary"))
    assert verdicts(report, "aws.kinesis.stream_encrypted") == {("guarded", "ERROR")}
    assert "access denied to kinesis:DescribeStreamSummary" in finding(report, "aws.kinesis.stream_encrypted", "guarded").message


def test_stream_retention_against_min_days(aws):
    kinesis = aws.client("kinesis")
    for name in ("pass-week", "pass-year", "fail-default-day", "fail-three-days"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.increase_stream_retention_period(StreamName="pass-week", RetentionPeriodHours=168)
    kinesis.increase_stream_retention_period(StreamName="pass-year", RetentionPeriodHours=8760)
    kinesis.increase_stream_retention_period(StreamName="fail-three-days", RetentionPeriodHours=72)

    report = aws.scan("aws.kinesis.stream_retention")
    assert verdicts(report, "aws.kinesis.stream_retention") == {
        ("pass-week", "PASS"), ("pass-year", "PASS"), ("fail-default-day", "FAIL"), ("fail-three-days", "FAIL")}
    assert finding(report, "aws.kinesis.stream_retention", "fail-default-day").message == "RetentionPeriodHours is 24 (< 168)"
    assert finding(report, "aws.kinesis.stream_retention", "pass-week").evidence["retention_hours"] == 168
    strict = aws.scan("aws.kinesis.stream_retention", params={"aws.kinesis.stream_retention": {"min_days": 30}})
    assert verdicts(strict, "aws.kinesis.stream_retention") == {
        ("pass-week", "FAIL"), ("pass-year", "PASS"), ("fail-default-day", "FAIL"), ("fail-three-days", "FAIL")}


def test_denied_summary_leaves_retention_undecided(aws, denied_session):
    aws.client("kinesis").create_stream(StreamName="guarded", ShardCount=1)
    report = aws.scan("aws.kinesis.stream_retention", session=denied_session("kinesis:DescribeStreamSummary"))
    assert verdicts(report, "aws.kinesis.stream_retention") == {("guarded", "ERROR")}
