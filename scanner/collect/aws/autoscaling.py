"""EC2 Auto Scaling (regional): Auto Scaling groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.autoscaling import AutoScalingGroup

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.autoscaling.groups", regional=True, permissions=["autoscaling:DescribeAutoScalingGroups"])
def groups(scope: AwsScope) -> list[AutoScalingGroup]:
    return [
        AutoScalingGroup(
            id=g["AutoScalingGroupARN"],
            name=g["AutoScalingGroupName"],
            region=scope.region,
            account=scope.account,
            availability_zones=sorted(g.get("AvailabilityZones", [])),
            subnet_ids=sorted(s for s in (g.get("VPCZoneIdentifier") or "").split(",") if s),
            min_size=g.get("MinSize", 0),
            max_size=g.get("MaxSize", 0),
            desired_capacity=g.get("DesiredCapacity", 0),
        )
        for g in scope.pages("autoscaling", "DescribeAutoScalingGroups", "AutoScalingGroups")
    ]
