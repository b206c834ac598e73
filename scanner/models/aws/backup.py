"""AWS Backup facts: backup plans and their rules, vaults, protected resources, restore testing plans."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class BackupRule(Frozen):
    name: str
    target_vault: str
    schedule: str | None = None
    delete_after_days: int | None = None


class BackupPlan(Resource):
    rules: list[BackupRule] = Field(default_factory=list)


class BackupVault(Resource):
    vault_type: str | None = None  # BACKUP_VAULT | LOGICALLY_AIR_GAPPED_BACKUP_VAULT | ...
    encryption_key_arn: str | None = None
    encryption_key_type: str | None = None  # AWS_OWNED_KMS_KEY | CUSTOMER_MANAGED_KMS_KEY, where reported
    recovery_points: int = 0
    # Vault Lock: `locked` is true while a lock configuration applies; `lock_date` is when a
    # compliance-mode lock becomes immutable (None for governance mode).
    locked: bool = False
    min_retention_days: int | None = None
    max_retention_days: int | None = None
    lock_date: datetime | None = None


class ProtectedResource(Resource):
    """A resource AWS Backup has at least one recovery point for (ListProtectedResources);
    `id` is the protected resource's ARN."""

    resource_type: str  # EBS, EC2, RDS, Aurora, DynamoDB, EFS, S3, ...
    last_backup_time: datetime | None = None


class RestoreTestingPlan(Resource):
    schedule: str | None = None
    last_execution_time: datetime | None = None


class Backup(BaseModel):
    plans: list[BackupPlan] = Field(default_factory=list)
    vaults: list[BackupVault] = Field(default_factory=list)
    protected_resources: list[ProtectedResource] = Field(default_factory=list)
    restore_testing_plans: list[RestoreTestingPlan] = Field(default_factory=list)

    def protected_arns(self) -> dict[str, ProtectedResource]:
        return {p.id: p for p in self.protected_resources}
