"""KMS: customer-managed key rotation."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.kms.cmk_rotation_enabled",
    title="Customer-managed KMS keys rotate automatically",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::KMS::Key",
    reads=["aws.kms.keys:rotation"],
    remediation="Enable automatic key rotation on the key (aws kms enable-key-rotation --key-id K).",
)
def cmk_rotation_enabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Rotation limits how much data one key material protects and how long a leaked key stays
    useful (CC6.1). Applies to enabled or disabled symmetric customer-managed keys with KMS origin;
    AWS-managed keys rotate on their own."""
    for key in inv.kms.keys:
        if key.key_manager != "CUSTOMER" or key.key_state not in ("Enabled", "Disabled"):
            continue
        if key.key_spec != "SYMMETRIC_DEFAULT" or key.origin != "AWS_KMS":
            continue  # rotation is not available for asymmetric, HMAC or imported keys
        if key.rotation_enabled:
            yield Result.passed(key, "KeyRotationEnabled is true", key_state=key.key_state)
        else:
            yield Result.failed(key, "KeyRotationEnabled is false", key_state=key.key_state)
