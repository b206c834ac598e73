"""EC2 Auto Scaling: groups spread across Availability Zones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.autoscaling.group_multi_az",
    title="Auto Scaling groups span at least two Availability Zones",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::AutoScaling::AutoScalingGroup",
    reads=["aws.autoscaling.groups"],
    params={"min_zones": Param(2, minimum=1, maximum=6)},
    remediation="Update the group's VPCZoneIdentifier (or AvailabilityZones) with subnets in at least two Availability Zones.",
)
def group_multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """An Auto Scaling group can replace failed instances and add capacity only in the zones it is
    configured for; with one zone, a zone outage takes the whole tier down and scaling cannot
    compensate (A1.1 capacity, A1.2, CC9.1)."""
    minimum = ctx.params["min_zones"]
    for group in inv.autoscaling.groups:
        zones = group.availability_zones
        if len(zones) >= minimum:
            yield Result.passed(group, f"spans {len(zones)} Availability Zones (>= {minimum})", availability_zones=zones)
        else:
            yield Result.failed(group, f"spans {len(zones)} Availability Zone(s) (< {minimum})", availability_zones=zones)
