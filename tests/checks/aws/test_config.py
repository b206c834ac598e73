"""AWS Config checks through moto's server: a recording recorder with a delivery channel in every
region, global resource types recorded somewhere, and denied reads."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"
RECORDING = "aws.config.recorder_recording"
GLOBAL = "aws.config.global_resources_recorded"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")


def _recorder(aws, region: str, start: bool = True, channel: bool = True, **group) -> None:
    config = aws.client("config", region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "recordingGroup": group or {"allSupported": True, "includeGlobalResourceTypes": False},
        }
    )
    if channel:
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def test_recorder_recording_per_region(aws):
    aws.client("s3").create_bucket(Bucket="config-history")
    _recorder(aws, "us-east-1", allSupported=True, includeGlobalResourceTypes=True)
    _recorder(aws, "us-west-2", start=False)
    # eu-west-1: nothing configured
    report = aws.scan(RECORDING, GLOBAL, regions=REGIONS)
    assert verdicts(report, "aws.config.recorder_recording") == {
        ("AWS Config (us-east-1)", "PASS"),
        ("AWS Config (eu-west-1)", "FAIL"),
        ("AWS Config (us-west-2)", "FAIL"),
    }
    assert finding(report, RECORDING, "AWS Config (eu-west-1)").message == "no configuration recorder"
    assert finding(report, RECORDING, "AWS Config (us-west-2)").message.startswith(
        "configuration recorder is not recording (default: recording=false"
    )
    passed = finding(report, RECORDING, "AWS Config (us-east-1)")
    assert passed.message == "recorder default is recording, delivery channel default"
    assert verdicts(report, "aws.config.global_resources_recorded") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, GLOBAL, ACCOUNT_NAME).evidence["recorders"] == ["default (us-east-1)"]


def test_recorder_with_narrow_resource_list_fails(aws):
    aws.client("s3").create_bucket(Bucket="config-history")
    _recorder(aws, "us-east-1", allSupported=False, includeGlobalResourceTypes=False, resourceTypes=["AWS::S3::Bucket"])
    _recorder(aws, "eu-west-1")
    report = aws.scan(RECORDING, GLOBAL, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.config.recorder_recording") == {
        ("AWS Config (us-east-1)", "FAIL"),
        ("AWS Config (eu-west-1)", "PASS"),
    }
    assert (
        "records only 1 listed resource type(s), missing AWS::CloudTrail::Trail"
        in finding(report, RECORDING, "AWS Config (us-east-1)").message
    )
    # No recorder includes IAM and the other global types.
    assert verdicts(report, "aws.config.global_resources_recorded") == {(ACCOUNT_NAME, "FAIL")}
    # A list that covers every required type is sensible.
    params = {RECORDING: {"required_resource_types": ["AWS::S3::Bucket"]}}
    relaxed = aws.scan(RECORDING, regions=("us-east-1",), params=params)
    assert verdicts(relaxed, "aws.config.recorder_recording") == {("AWS Config (us-east-1)", "PASS")}


def test_denied_delivery_channels_is_error_for_that_check_only(aws, denied_session):
    """moto authorises AWS Config calls under their real IAM names (config:DescribeDeliveryChannels)."""
    aws.client("s3").create_bucket(Bucket="config-history")
    _recorder(aws, "us-east-1", allSupported=True, includeGlobalResourceTypes=True)
    report = aws.scan(RECORDING, GLOBAL, session=denied_session("config:DescribeDeliveryChannels"))
    assert verdicts(report, "aws.config.recorder_recording") == {("AWS Config (us-east-1)", "ERROR")}
    assert "access denied to config:DescribeDeliveryChannels" in finding(report, RECORDING, "AWS Config (us-east-1)").message
    assert verdicts(report, "aws.config.global_resources_recorded") == {(ACCOUNT_NAME, "PASS")}


def test_denied_recorders_in_one_region_is_error_and_unknown(aws, denied_session):
    session = denied_session("config:DescribeConfigurationRecorders")
    report = aws.scan(RECORDING, GLOBAL, regions=("us-east-1",), session=session)
    region = f"{ACCOUNT_NAME} in us-east-1"
    assert verdicts(report, "aws.config.recorder_recording") == {(region, "ERROR")}
    assert {f.status for f in report.findings if f.check_id == GLOBAL} == {Status.ERROR}
