"""Secrets Manager: rotation enabled and working, customer-managed encryption keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.aws._kms_refs import key_manager
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.secretsmanager.secret_rotation",
    title="Secrets Manager secrets rotate automatically and were rotated within the configured days",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::SecretsManager::Secret",
    reads=["aws.secretsmanager.secrets"],
    params={"max_days": Param(90, minimum=1, maximum=1000)},
    remediation="Turn on rotation with a rotation function (or a managed rotation) and a schedule of at most the "
    "required days (aws secretsmanager rotate-secret --rotation-rules AutomaticallyAfterDays=N); if rotation is on "
    "but stale, fix the rotation function.",
)
def secret_rotation(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A credential that never changes stays useful to whoever copied it, for as long as it exists.
    Rotation bounds that exposure (CC6.1). Rotation that is enabled but has not succeeded within
    `max_days` is failing silently, so the date of the last rotation is checked too; a secret that
    was never rotated is judged by its age."""
    limit = ctx.params["max_days"]
    for secret in inv.secretsmanager.secrets:
        last = secret.last_rotated
        age = ctx.days_since(last if last is not None else secret.created)
        evidence = {
            "rotation_enabled": secret.rotation_enabled,
            "rotation_interval_days": secret.rotation_interval_days,
            "last_rotated": last,
        }
        if not secret.rotation_enabled:
            yield Result.failed(secret, "RotationEnabled is false", **evidence)
        elif secret.rotation_interval_days is not None and secret.rotation_interval_days > limit:
            yield Result.failed(
                secret, f"rotation schedule is every {count(secret.rotation_interval_days, 'day')} (> {limit})", **evidence
            )
        elif age is None:
            yield Result.unknown(secret, "neither LastRotatedDate nor CreatedDate is known", **evidence)
        elif age > limit:
            what = f"last rotated {count(age, 'day')} ago" if last is not None else f"never rotated, created {count(age, 'day')} ago"
            yield Result.failed(secret, f"rotation is enabled but {what} (> {limit})", **evidence)
        else:
            what = f"last rotated {count(age, 'day')} ago" if last is not None else f"created {count(age, 'day')} ago, first rotation pending"
            yield Result.passed(secret, f"rotation enabled, {what} (<= {limit})", **evidence)


@check(
    id="aws.secretsmanager.secret_cmk_encrypted",
    title="Secrets Manager secrets are encrypted with a customer-managed KMS key",
    severity=Severity.LOW,
    category=Category.ENCRYPTION,
    resource_type="AWS::SecretsManager::Secret",
    reads=["aws.secretsmanager.secrets", "aws.kms.keys"],
    remediation="Update the secret with --kms-key-id naming a customer-managed key whose policy limits kms:Decrypt "
    "to the secret's consumers.",
)
def secret_cmk_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With the default aws/secretsmanager key, anyone in the account allowed
    secretsmanager:GetSecretValue can decrypt; a customer-managed key adds a key policy as a second,
    independent gate and allows sharing secrets across accounts deliberately (CC6.1, C1.1)."""
    for secret in inv.secretsmanager.secrets:
        key = secret.kms_key_id
        if key is None:
            yield Result.failed(secret, "no KmsKeyId: the AWS-managed key aws/secretsmanager is used")
            continue
        manager = key_manager(inv, key, secret.region, secret.account)
        if manager == "CUSTOMER":
            yield Result.passed(secret, f"encrypted with customer-managed key {key}", kms_key_id=key)
        elif manager == "AWS":
            yield Result.failed(secret, f"encrypted with AWS-managed key {key}", kms_key_id=key)
        else:
            yield Result.unknown(secret, f"KMS key {key} is not among the collected keys: its manager is unknown", kms_key_id=key)
