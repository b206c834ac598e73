"""KMS: customer-managed key rotation, keys pending deletion, deletion window, public key policies."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws._resource_policy import describe, public_statements
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


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


PENDING = ("PendingDeletion", "PendingReplicaDeletion")


@check(
    id="aws.kms.key_not_pending_deletion",
    title="Customer-managed KMS keys are not scheduled for deletion unexpectedly",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::KMS::Key",
    reads=["aws.kms.keys"],
    params={"allowed_key_ids": []},
    remediation="If the deletion was not intended, cancel it (aws kms cancel-key-deletion --key-id K) and re-enable "
    "the key; if it was, list the key id in allowed_key_ids.",
)
def key_not_pending_deletion(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deleting a KMS key makes every object, volume, snapshot and backup encrypted under it
    permanently unreadable. A key pending deletion that nobody planned to delete is either a mistake
    or an attack on availability of encrypted data (CC6.1). Keys whose deletion is intended are
    listed by id or ARN in `allowed_key_ids`."""
    allowed = set(ctx.params["allowed_key_ids"])
    for key in inv.kms.keys:
        if key.key_manager != "CUSTOMER":
            continue
        if key.key_state not in PENDING:
            yield Result.passed(key, f"KeyState is {key.key_state}", key_state=key.key_state)
        elif key.name in allowed or key.id in allowed:
            yield Result.passed(key, f"KeyState is {key.key_state}, an allowed deletion", deletion_date=key.deletion_date)
        else:
            yield Result.failed(
                key,
                f"KeyState is {key.key_state}: key material is deleted on {key.deletion_date:%Y-%m-%d}"
                if key.deletion_date
                else f"KeyState is {key.key_state}",
                deletion_date=key.deletion_date,
                description=key.description,
            )


@check(
    id="aws.kms.key_deletion_window",
    title="KMS keys pending deletion have a waiting period of at least the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::KMS::Key",
    reads=["aws.kms.keys:deletion_window"],
    params={"min_days": Param(30, minimum=7, maximum=30)},
    remediation="Cancel the deletion (aws kms cancel-key-deletion) and schedule it again with "
    "--pending-window-in-days of at least the required days; deny shorter windows with the "
    "kms:ScheduleKeyDeletionPendingWindowInDays condition key.",
)
def key_deletion_window(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The waiting period is the only chance to notice and cancel the destruction of a key, after
    which the data it protects is disposed of for good; a short window turns a mistake into data
    loss (CC6.5). The window is read from DescribeKey where AWS shows it (multi-Region keys) or from
    the ScheduleKeyDeletion event in CloudTrail event history. If neither shows it, the days left
    until deletion are a lower bound: enough days left passes, fewer is UNKNOWN, never a guess."""
    minimum = ctx.params["min_days"]
    for key in inv.kms.keys:
        if key.key_state not in PENDING:
            continue
        window = key.pending_window_days
        # Whole days left, rounded up: the window is a whole number of days, so it is at least this.
        left = None if key.deletion_date is None else math.ceil((key.deletion_date - ctx.now).total_seconds() / 86400)
        evidence = {"pending_window_days": window, "deletion_date": key.deletion_date, "days_left": left}
        if window is not None:
            if window >= minimum:
                yield Result.passed(key, f"PendingWindowInDays is {window} (>= {minimum})", **evidence)
            else:
                yield Result.failed(key, f"PendingWindowInDays is {window} (< {minimum})", **evidence)
        elif left is not None and left >= minimum:
            yield Result.passed(key, f"deletion in {count(left, 'day')}, so the window is at least {count(minimum, 'day')}", **evidence)
        else:
            yield Result.unknown(key, "the deletion window is not visible (no ScheduleKeyDeletion event found)", **evidence)


@check(
    id="aws.kms.key_policy_not_public",
    title="Customer-managed KMS key policies do not grant access to everyone",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::KMS::Key",
    reads=["aws.kms.keys:policy"],
    remediation='Replace Principal "*" in the key policy with the accounts or roles that use the key, or add a '
    "condition such as kms:CallerAccount or aws:PrincipalOrgID.",
)
def key_policy_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A key policy that allows Principal "*" without a condition naming the caller lets any AWS
    account use the key, so the encryption no longer limits who can read the data (CC6.1, C1.1)."""
    for key in inv.kms.keys:
        if key.key_manager != "CUSTOMER" or key.key_state in PENDING:
            continue
        public = [describe(s) for s in public_statements(key.policy)]
        if public:
            yield Result.failed(key, f"key policy grants access to everyone: {'; '.join(public)}", public_statements=public)
        else:
            yield Result.passed(key, "no key policy statement allows Principal * without a restricting condition")
