"""Log Analytics workspace retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


@check(
    id="azure.loganalytics.workspace_retention",
    title="Log Analytics workspaces retain data for at least the configured days",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="Microsoft.OperationalInsights/workspaces",
    reads=["azure.loganalytics.workspaces"],
    params={"min_days": Param(90, minimum=1, maximum=4383)},
    remediation="az monitor log-analytics workspace update -n WS -g RG --retention-time 365",
)
def workspace_retention(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """The workspace is where activity, sign-in and resource logs are investigated; the default 30
    days is shorter than most detection and audit windows (CC7.2, CC7.3)."""
    for workspace in inv.loganalytics.workspaces:
        days = workspace.retention_days or 0
        if days >= ctx.params["min_days"]:
            yield Result.passed(workspace, f"retentionInDays is {days}", retention_days=days)
        else:
            yield Result.failed(workspace, f"retentionInDays is {days}, fewer than {ctx.params['min_days']}", retention_days=days)
