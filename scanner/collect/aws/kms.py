"""KMS (regional): keys, described and with rotation status, fetched concurrently per key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector
from scanner.models.aws.kms import KmsKey

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.kms.keys", regional=True, permissions=["kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus"])
def keys(scope: AwsScope) -> list[KmsKey]:
    listed = scope.pages("kms", "ListKeys", "Keys")
    return scope.map(lambda k: _key(scope, k["KeyId"], k["KeyArn"]), listed)


def _key(scope: AwsScope, key_id: str, key_arn: str) -> KmsKey:
    # DescribeKey is the record itself: if it is denied the whole collection fails (raised).
    meta = scope.call("kms", "DescribeKey", KeyId=key_id)["KeyMetadata"]
    rotates = (
        meta.get("KeyManager") == "CUSTOMER"
        and meta.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        and meta.get("Origin", "AWS_KMS") == "AWS_KMS"
        and meta.get("KeyState") in ("Enabled", "Disabled")
    )

    def rotation() -> dict[str, Any]:
        status = scope.call("kms", "GetKeyRotationStatus", KeyId=key_id)
        return {"rotation_enabled": bool(status.get("KeyRotationEnabled"))}

    fields, errors = read_facets(scope, "kms", scope.region, {"rotation": rotation} if rotates else {})
    return KmsKey(
        id=key_arn,
        name=key_id,
        region=scope.region,
        account=scope.account,
        key_manager=meta.get("KeyManager", "CUSTOMER"),
        key_state=meta.get("KeyState", "Unknown"),
        key_spec=meta.get("KeySpec", "SYMMETRIC_DEFAULT"),
        origin=meta.get("Origin", "AWS_KMS"),
        errors=errors,
        **fields,
    )
