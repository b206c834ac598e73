"""AWS Backup (regional): backup plans with their rules, vaults, protected resources, restore testing plans."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.backup import BackupPlan, BackupRule, BackupVault, ProtectedResource, RestoreTestingPlan

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.backup.plans", regional=True, permissions=["backup:ListBackupPlans", "backup:GetBackupPlan"])
def plans(scope: AwsScope) -> list[BackupPlan]:
    listed = scope.pages("backup", "ListBackupPlans", "BackupPlansList")
    return scope.map(lambda p: _plan(scope, p), listed)


def _plan(scope: AwsScope, summary: dict) -> BackupPlan:
    plan = scope.call("backup", "GetBackupPlan", BackupPlanId=summary["BackupPlanId"])["BackupPlan"]
    return BackupPlan(
        id=summary.get("BackupPlanArn") or scope.arn("backup", f"backup-plan:{summary['BackupPlanId']}"),
        name=plan.get("BackupPlanName", summary["BackupPlanId"]),
        region=scope.region,
        account=scope.account,
        rules=[
            BackupRule(
                name=rule.get("RuleName", ""),
                target_vault=rule.get("TargetBackupVaultName", ""),
                schedule=rule.get("ScheduleExpression"),
                delete_after_days=(rule.get("Lifecycle") or {}).get("DeleteAfterDays"),
            )
            for rule in plan.get("Rules", [])
        ],
    )


@collector("aws.backup.vaults", regional=True, permissions=["backup:ListBackupVaults"])
def vaults(scope: AwsScope) -> list[BackupVault]:
    # ListBackupVaults carries the encryption key and the Vault Lock settings: no per-vault call.
    return [
        BackupVault(
            id=v["BackupVaultArn"],
            name=v["BackupVaultName"],
            region=scope.region,
            account=scope.account,
            vault_type=v.get("VaultType"),
            encryption_key_arn=v.get("EncryptionKeyArn"),
            encryption_key_type=v.get("EncryptionKeyType"),
            recovery_points=v.get("NumberOfRecoveryPoints", 0),
            locked=bool(v.get("Locked")),
            min_retention_days=v.get("MinRetentionDays"),
            max_retention_days=v.get("MaxRetentionDays"),
            lock_date=v.get("LockDate"),
        )
        for v in scope.pages("backup", "ListBackupVaults", "BackupVaultList")
    ]


@collector("aws.backup.protected_resources", regional=True, permissions=["backup:ListProtectedResources"])
def protected_resources(scope: AwsScope) -> list[ProtectedResource]:
    return [
        ProtectedResource(
            id=r["ResourceArn"],
            name=r.get("ResourceName") or r["ResourceArn"].rsplit(":", 1)[-1].rsplit("/", 1)[-1],
            region=scope.region,
            account=scope.account,
            resource_type=r.get("ResourceType", ""),
            last_backup_time=r.get("LastBackupTime"),
        )
        for r in scope.pages("backup", "ListProtectedResources", "Results")
        if r.get("ResourceArn")
    ]


@collector("aws.backup.restore_testing_plans", regional=True, permissions=["backup:ListRestoreTestingPlans"])
def restore_testing_plans(scope: AwsScope) -> list[RestoreTestingPlan]:
    return [
        RestoreTestingPlan(
            id=p["RestoreTestingPlanArn"],
            name=p.get("RestoreTestingPlanName", p["RestoreTestingPlanArn"]),
            region=scope.region,
            account=scope.account,
            schedule=p.get("ScheduleExpression"),
            last_execution_time=p.get("LastExecutionTime"),
        )
        for p in scope.pages("backup", "ListRestoreTestingPlans", "RestoreTestingPlans")
    ]
