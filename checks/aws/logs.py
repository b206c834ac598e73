"""CloudWatch Logs: retention."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.logs.log_group_retention",
    title="CloudWatch log groups retain events for at least the configured days",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="AWS::Logs::LogGroup",
    reads=["aws.logs.log_groups"],
    params={"min_days": 365},
    remediation="Set the log group's retention (aws logs put-retention-policy) to at least the required days.",
)
def log_group_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Logs must outlive the period an auditor samples (a Type 2 period is 6-12 months) and the
    time it takes to notice an incident (CC7.2). "Never expire" passes."""
    minimum = ctx.params["min_days"]
    for group in inv.logs.log_groups:
        days = group.retention_days
        if days is None:
            yield Result.passed(group, "retention is Never expire", retention_days=None)
        elif days >= minimum:
            yield Result.passed(group, f"retentionInDays is {days} (>= {minimum})", retention_days=days)
        else:
            yield Result.failed(group, f"retentionInDays is {days} (< {minimum})", retention_days=days)
