"""GuardDuty through moto's server: a detector ENABLED in every region, and denied reads."""

from __future__ import annotations

from tests.conftest import finding, verdicts

CHECK = "aws.guardduty.detector_enabled"


def test_detector_enabled_per_region(aws):
    aws.client("guardduty", "us-east-1").create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")
    aws.client("guardduty", "us-west-2").create_detector(Enable=False)
    # eu-west-1: no detector
    report = aws.scan(CHECK, regions=("us-east-1", "eu-west-1", "us-west-2"))
    assert verdicts(report, "aws.guardduty.detector_enabled") == {
        ("GuardDuty (us-east-1)", "PASS"),
        ("GuardDuty (eu-west-1)", "FAIL"),
        ("GuardDuty (us-west-2)", "FAIL"),
    }
    assert finding(report, CHECK, "GuardDuty (eu-west-1)").message == "no GuardDuty detector in this region"
    assert finding(report, CHECK, "GuardDuty (us-west-2)").message.endswith("status is DISABLED")
    passed = finding(report, CHECK, "GuardDuty (us-east-1)")
    assert passed.evidence["finding_publishing_frequency"] == "FIFTEEN_MINUTES"
    assert passed.region == "us-east-1"


def test_denied_detector_is_error_never_pass(aws, denied_session):
    """moto authorises ListDetectors (GET /detector) under the action name guardduty:GetDetector, so
    denying GetDetector denies the listing first: the whole region is ERROR, never a PASS or FAIL."""
    aws.client("guardduty").create_detector(Enable=True)
    report = aws.scan(CHECK, session=denied_session("guardduty:GetDetector"))
    region = "account 123456789012 in us-east-1"
    assert verdicts(report, "aws.guardduty.detector_enabled") == {(region, "ERROR")}
    assert "access denied to guardduty:ListDetectors" in finding(report, CHECK, region).message
