"""Auto Scaling group checks through moto's server: groups across Availability Zones, the
min_zones parameter, and a denied listing."""

from __future__ import annotations

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount, at
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


def _launch_configuration(aws):
    autoscaling = aws.client("autoscaling")
    autoscaling.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12345678", InstanceType="t3.micro")
    return autoscaling


def _group(autoscaling, name: str, zones: list[str]) -> None:
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=0, MaxSize=2, DesiredCapacity=0, AvailabilityZones=zones
    )


def test_group_multi_az(aws):
    autoscaling = _launch_configuration(aws)
    _group(autoscaling, "pass-three-zones", ["us-east-1a", "us-east-1b", "us-east-1c"])
    _group(autoscaling, "fail-one-zone", ["us-east-1a"])
    inventory, report = aws.collect(["aws.autoscaling.group_multi_az"])
    assert verdicts(report, "aws.autoscaling.group_multi_az") == {("pass-three-zones", "PASS"), ("fail-one-zone", "FAIL")}
    assert finding(report, "aws.autoscaling.group_multi_az", "fail-one-zone").message == "spans 1 Availability Zone(s) (< 2)"
    strict = at(
        inventory,
        ["aws.autoscaling.group_multi_az"],
        inventory.metadata.collected_at,
        params={"aws.autoscaling.group_multi_az": {"min_zones": 4}},
    )
    assert verdicts(strict, "aws.autoscaling.group_multi_az") == {("pass-three-zones", "FAIL"), ("fail-one-zone", "FAIL")}


def test_denied_listing_is_error(aws, denied_session):
    _group(_launch_configuration(aws), "hidden", ["us-east-1a", "us-east-1b"])
    report = aws.scan("aws.autoscaling.group_multi_az", session=denied_session("autoscaling:DescribeAutoScalingGroups"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.autoscaling.group_multi_az") == {(region, "ERROR")}
    assert (
        "access denied to autoscaling:DescribeAutoScalingGroups"
        in finding(report, "aws.autoscaling.group_multi_az", region).message
    )
