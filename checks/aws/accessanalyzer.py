"""IAM Access Analyzer: an external-access analyzer is active in every region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.accessanalyzer.analyzer_active",
    title="IAM Access Analyzer has an active external-access analyzer in every region",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::AccessAnalyzer::Analyzer",
    reads=["aws.accessanalyzer.regions"],
    remediation="aws accessanalyzer create-analyzer --analyzer-name account --type ACCOUNT (or ORGANIZATION "
    "from the delegated administrator) in each region.",
)
def analyzer_active(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access Analyzer continuously monitors resource policies (buckets, keys, roles, queues...) and
    reports any that grant access outside the account or organisation: detection of unintended
    exposure (CC7.1, CC7.2) rather than authentication, hence the logging/monitoring category (the
    issue lists it under logging and monitoring; CIS 1.20). Analyzers are regional: a region without
    one is not watched. Unused-access analyzers do not report external access and do not count."""
    for region in inv.accessanalyzer.regions:
        active = region.active_external_access
        names = [a.name for a in region.analyzers]
        if active:
            yield Result.passed(region, f"analyzer {active[0].name} ({active[0].type}) is ACTIVE", analyzers=names)
        elif region.analyzers:
            states = ", ".join(f"{a.name}: {a.type} {a.status}" for a in region.analyzers)
            yield Result.failed(region, f"no ACTIVE ACCOUNT/ORGANIZATION analyzer ({states})", analyzers=names)
        else:
            yield Result.failed(region, "no analyzer in this region", analyzers=[])
