"""KMS (regional): keys, described, with rotation status and key policy, fetched concurrently per key.

The waiting period of a key pending deletion is not in DescribeKey (except for multi-Region
primaries); it is read from the ScheduleKeyDeletion event in CloudTrail event history, which keeps
90 days, longer than the 30-day maximum window. That lookup runs once per region, and only when a
key in the region is pending deletion.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.kms import KmsKey

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

DEFAULT_PENDING_WINDOW_DAYS = 30  # ScheduleKeyDeletion's default


@collector(
    "aws.kms.keys",
    regional=True,
    permissions=["kms:ListKeys", "kms:DescribeKey"],
    facets={
        "rotation": facet(["kms:GetKeyRotationStatus"], ["rotation_enabled"]),
        "policy": facet(["kms:GetKeyPolicy"], ["policy"]),
        "deletion_window": facet(["cloudtrail:LookupEvents"], ["pending_window_days"]),
    },
)
def keys(scope: AwsScope) -> list[KmsKey]:
    listed = scope.pages("kms", "ListKeys", "Keys")
    return scope.map(lambda k: _key(scope, k["KeyId"], k["KeyArn"]), listed)


def _key(scope: AwsScope, key_id: str, key_arn: str) -> KmsKey:
    # DescribeKey is the record itself: if it is denied the whole collection fails (raised).
    meta = scope.call("kms", "DescribeKey", KeyId=key_id)["KeyMetadata"]
    customer = meta.get("KeyManager") == "CUSTOMER"
    state = meta.get("KeyState", "Unknown")
    rotates = (
        customer
        and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        and meta.get("Origin", "AWS_KMS") == "AWS_KMS"
        and state in ("Enabled", "Disabled")
    )
    window = meta.get("PendingDeletionWindowInDays")

    def rotation() -> dict[str, Any]:
        status = scope.call("kms", "GetKeyRotationStatus", KeyId=key_id)
        return {"rotation_enabled": bool(status.get("KeyRotationEnabled"))}

    def policy() -> dict[str, Any]:
        document = scope.call("kms", "GetKeyPolicy", KeyId=key_id, PolicyName="default").get("Policy")
        return {"policy": json.loads(document) if document else None}

    def deletion_window() -> dict[str, Any]:
        return {"pending_window_days": _scheduled_windows(scope).get(key_arn)}

    getters: dict[str, Any] = {}
    if rotates:
        getters["rotation"] = rotation
    if customer:
        getters["policy"] = policy
    fields, errors = read_facets(scope, "kms", scope.region, getters)
    if state == "PendingDeletion" and window is None:
        found, failed = read_facets(scope, "cloudtrail", scope.region, {"deletion_window": deletion_window})
        fields.update(found)
        errors.update(failed)
    if window is not None:
        fields["pending_window_days"] = window
    return KmsKey(
        id=key_arn,
        name=key_id,
        region=scope.region,
        account=scope.account,
        key_manager=meta.get("KeyManager", "CUSTOMER"),
        key_state=state,
        key_spec=meta.get("KeySpec", "SYMMETRIC_DEFAULT"),
        origin=meta.get("Origin", "AWS_KMS"),
        description=meta.get("Description") or None,
        deletion_date=meta.get("DeletionDate"),
        errors=errors,
        **fields,
    )


def _scheduled_windows(scope: AwsScope) -> dict[str, int]:
    """Key ARN -> PendingWindowInDays of its latest successful ScheduleKeyDeletion in this region."""
    events = scope.pages(
        "cloudtrail",
        "LookupEvents",
        "Events",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "ScheduleKeyDeletion"}],
    )
    windows: dict[str, tuple[Any, int]] = {}
    for event in events:
        try:
            record = json.loads(event.get("CloudTrailEvent") or "{}")
        except ValueError:
            continue
        if record.get("errorCode"):
            continue
        request = record.get("requestParameters") or {}
        response = record.get("responseElements") or {}
        arn = response.get("keyId") or next(
            (r.get("ResourceName") for r in event.get("Resources") or [] if r.get("ResourceType") == "AWS::KMS::Key"), None
        )
        if not arn:
            continue
        days = response.get("pendingWindowInDays") or request.get("pendingWindowInDays") or DEFAULT_PENDING_WINDOW_DAYS
        when = event.get("EventTime")
        if arn not in windows or (when is not None and windows[arn][0] is not None and when > windows[arn][0]):
            windows[arn] = (when, int(days))
    return {arn: days for arn, (_, days) in windows.items()}
