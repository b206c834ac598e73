"""AWS Backup (regional): backup plans with their rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.backup import BackupPlan, BackupRule

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
