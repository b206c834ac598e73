"""Security Hub: enabled in every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.securityhub.hub_enabled",
    title="Security Hub is enabled in every region",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::SecurityHub::Hub",
    reads=["aws.securityhub.hubs"],
    remediation="Enable Security Hub in each region (aws securityhub enable-security-hub), or centrally with an "
    "organisation configuration policy.",
)
def hub_enabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Security Hub gathers GuardDuty, Inspector, Macie and Config findings in one place and runs the
    security standards continuously: the ongoing evaluation of controls (CC4.1) and the triage queue
    for security events (CC7.2, CC7.3)."""
    for hub in inv.securityhub.hubs:
        if hub.enabled:
            yield Result.passed(hub, "Security Hub is enabled (DescribeHub answers)", subscribed_at=hub.subscribed_at)
        else:
            yield Result.failed(hub, "Security Hub is not enabled (InvalidAccessException: not subscribed)")
