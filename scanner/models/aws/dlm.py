"""Data Lifecycle Manager facts: lifecycle policies with their targets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource

SNAPSHOTTING_POLICY_TYPES = ("EBS_SNAPSHOT_MANAGEMENT", "IMAGE_MANAGEMENT")


class LifecyclePolicy(Resource):
    state: str  # ENABLED | DISABLED | ERROR
    policy_type: str  # EBS_SNAPSHOT_MANAGEMENT | IMAGE_MANAGEMENT | EVENT_BASED_POLICY
    default_policy: str | None = None  # default policies cover every VOLUME / INSTANCE in the region
    resource_types: list[str] = Field(default_factory=list)  # custom policies: VOLUME and/or INSTANCE
    target_tags: list[tuple[str, str]] = Field(default_factory=list)  # (key, value): a resource with any is targeted

    @property
    def enabled(self) -> bool:
        return self.state == "ENABLED"

    @property
    def snapshots_ebs(self) -> bool:
        """An enabled policy that snapshots volumes or instances (whichever resources it targets)."""
        if not self.enabled:
            return False
        if self.default_policy:
            return True
        return self.policy_type in SNAPSHOTTING_POLICY_TYPES and bool({"VOLUME", "INSTANCE"} & set(self.resource_types))

    def targets(self, resource_type: str, tags: dict[str, str]) -> bool:
        """Whether this enabled snapshot policy covers a VOLUME or INSTANCE with these tags."""
        if not self.enabled:
            return False
        if self.default_policy:
            return self.default_policy == resource_type
        # Snapshot policies target volumes or instances; AMI policies (IMAGE_MANAGEMENT) target
        # instances, and an AMI snapshots every attached volume.
        if self.policy_type not in SNAPSHOTTING_POLICY_TYPES or resource_type not in self.resource_types:
            return False
        return any(tags.get(key) == value for key, value in self.target_tags)


class Dlm(BaseModel):
    policies: list[LifecyclePolicy] = Field(default_factory=list)
