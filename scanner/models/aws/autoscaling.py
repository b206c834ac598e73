"""EC2 Auto Scaling facts: groups and the Availability Zones they launch into."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class AutoScalingGroup(Resource):
    availability_zones: list[str] = Field(default_factory=list)
    subnet_ids: list[str] = Field(default_factory=list)  # VPCZoneIdentifier
    min_size: int = 0
    max_size: int = 0
    desired_capacity: int = 0


class AutoScaling(BaseModel):
    groups: list[AutoScalingGroup] = Field(default_factory=list)
