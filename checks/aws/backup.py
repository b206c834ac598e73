"""AWS Backup: a backup plan exists."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.backup.plan_exists",
    title="At least one AWS Backup plan with a rule exists",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Backup::BackupPlan",
    reads=["aws.backup.plans"],
    remediation="Create a backup plan with at least one scheduled rule and assign resources to it.",
)
def plan_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A central, scheduled backup plan is the usual evidence for A1.2 (backup processes) and
    the starting point for restore testing (A1.3)."""
    with_rules = sorted(f"{p.name} ({p.region})" for p in inv.backup.plans if p.rules)
    if with_rules:
        yield Result.passed(ctx.account, f"backup plans with rules: {', '.join(with_rules)}", plans=with_rules)
    elif ctx.complete("aws.backup.plans"):
        empty = sorted(p.name for p in inv.backup.plans)
        reason = f"backup plans have no rules: {', '.join(empty)}" if empty else "no AWS Backup plan in any region"
        yield Result.failed(ctx.account, reason, plans_without_rules=empty)
    else:
        yield Result.unknown(ctx.account, "no backup plan found in the regions that could be read")
