"""Security Hub through moto's server: enabled in every region ("not subscribed" is a FAIL, not an
error), and denied reads."""

from __future__ import annotations

from tests.conftest import finding, verdicts

CHECK = "aws.securityhub.hub_enabled"


def test_hub_enabled_per_region(aws):
    aws.client("securityhub", "us-east-1").enable_security_hub()
    report = aws.scan(CHECK, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.securityhub.hub_enabled") == {
        ("Security Hub (us-east-1)", "PASS"),
        ("Security Hub (eu-west-1)", "FAIL"),
    }
    assert (
        finding(report, CHECK, "Security Hub (us-east-1)").resource_id == "arn:aws:securityhub:us-east-1:123456789012:hub/default"
    )
    assert (
        finding(report, CHECK, "Security Hub (eu-west-1)").resource_id == "arn:aws:securityhub:eu-west-1:123456789012:hub/default"
    )


def test_denied_describe_hub_is_error_never_fail(aws, denied_session):
    report = aws.scan(CHECK, session=denied_session("securityhub:DescribeHub"))
    region = "account 123456789012 in us-east-1"
    assert verdicts(report, "aws.securityhub.hub_enabled") == {(region, "ERROR")}
    assert "access denied to securityhub:DescribeHub" in finding(report, CHECK, region).message
