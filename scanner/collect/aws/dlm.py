"""Data Lifecycle Manager (regional): lifecycle policies, each read in full concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.dlm import LifecyclePolicy

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.dlm.policies", regional=True, permissions=["dlm:GetLifecyclePolicies", "dlm:GetLifecyclePolicy"])
def policies(scope: AwsScope) -> list[LifecyclePolicy]:
    # GetLifecyclePolicies is not paginated; its summaries lack the targets, hence one
    # GetLifecyclePolicy per policy.
    summaries = scope.call("dlm", "GetLifecyclePolicies").get("Policies", [])
    return scope.map(lambda summary: _policy(scope, summary["PolicyId"]), summaries)


def _policy(scope: AwsScope, policy_id: str) -> LifecyclePolicy:
    policy: dict[str, Any] = scope.call("dlm", "GetLifecyclePolicy", PolicyId=policy_id)["Policy"]
    details = policy.get("PolicyDetails") or {}
    default = policy.get("DefaultPolicy")
    return LifecyclePolicy(
        id=policy.get("PolicyArn") or scope.arn("dlm", f"policy/{policy_id}"),
        name=policy.get("Description") or policy_id,
        region=scope.region,
        account=scope.account,
        state=policy.get("State", "UNKNOWN"),
        policy_type=details.get("PolicyType", "EBS_SNAPSHOT_MANAGEMENT"),
        # A default policy says which resource type it covers in PolicyDetails.ResourceType.
        default_policy=(details.get("ResourceType") or "VOLUME") if default else None,
        resource_types=list(details.get("ResourceTypes", [])),
        target_tags=[(t["Key"], t.get("Value", "")) for t in details.get("TargetTags", []) if "Key" in t],
    )
