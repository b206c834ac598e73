"""Secrets Manager (regional): secrets with rotation and encryption settings, from ListSecrets alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.secretsmanager import Secret

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.secretsmanager.secrets", regional=True, permissions=["secretsmanager:ListSecrets"])
def secrets(scope: AwsScope) -> list[Secret]:
    return [_secret(scope, s) for s in scope.pages("secretsmanager", "ListSecrets", "SecretList")]


def _secret(scope: AwsScope, secret: dict) -> Secret:
    rules = secret.get("RotationRules") or {}
    return Secret(
        id=secret["ARN"],
        name=secret.get("Name", secret["ARN"]),
        region=scope.region,
        account=scope.account,
        rotation_enabled=bool(secret.get("RotationEnabled")),
        rotation_interval_days=rules.get("AutomaticallyAfterDays") or None,
        rotation_schedule=rules.get("ScheduleExpression"),
        last_rotated=secret.get("LastRotatedDate"),
        last_changed=secret.get("LastChangedDate"),
        last_accessed=secret.get("LastAccessedDate"),
        created=secret.get("CreatedDate"),
        kms_key_id=secret.get("KmsKeyId"),
        owning_service=secret.get("OwningService"),
        primary_region=secret.get("PrimaryRegion") if secret.get("PrimaryRegion") != scope.region else None,
    )
