"""Auto Scaling group checks through moto's server: groups across Availability Zones, the
min_zones parameter, and a denied listing."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _group(aws, name: str, zones: list[str]) -> None:
    autoscaling = aws.client("autoscaling")
    if not autoscaling.describe_launch_configurations(LaunchConfigurationNames=["lc"])["LaunchConfigurations"]:
        autoscaling.create_launch_configuration(LaunchConfigurationName="lc", ImageId="ami-12345678", InstanceType="t3.micro")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name, LaunchConfigurationName="lc", MinSize=0, MaxSize=2, DesiredCapacity=0, AvailabilityZones=zones
    )


def test_group_multi_az(aws):
    _group(aws, "pass-three-zones", ["us-east-1a", "us-east-1b", "us-east-1c"])
    _group(aws, "fail-one-zone", ["us-east-1a"])
    report = aws.scan("aws.autoscaling.group_multi_az")
    assert verdicts(report, "aws.autoscaling.group_multi_az") == {("pass-three-zones", "PASS"), ("fail-one-zone", "FAIL")}
    assert finding(report, "aws.autoscaling.group_multi_az", "fail-one-zone").message == "spans 1 Availability Zone(s) (< 2)"
    strict = aws.scan("aws.autoscaling.group_multi_az", params={"aws.autoscaling.group_multi_az": {"min_zones": 4}})
    assert verdicts(strict, "aws.autoscaling.group_multi_az") == {("pass-three-zones", "FAIL"), ("fail-one-zone", "FAIL")}


def test_denied_listing_is_error(aws, denied_session):
    _group(aws, "hidden", ["us-east-1a", "us-east-1b"])
    report = aws.scan("aws.autoscaling.group_multi_az", session=denied_session("autoscaling:DescribeAutoScalingGroups"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.autoscaling.group_multi_az") == {(region, "ERROR")}
    assert "access denied to autoscaling:DescribeAutoScalingGroups" in finding(report, "aws.autoscaling.group_multi_az", region).message
