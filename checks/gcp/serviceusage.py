"""Service Usage: Cloud Asset Inventory enabled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory


@check(
    id="gcp.serviceusage.cloud_asset_api_enabled",
    title="The Cloud Asset Inventory API is enabled in each project",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="serviceusage.googleapis.com/Service",
    reads=["gcp.serviceusage.enabled_services"],
    remediation="gcloud services enable cloudasset.googleapis.com --project P",
)
def cloud_asset_api_enabled(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Cloud Asset Inventory keeps five weeks of resource and IAM policy history, the record of what
    existed and who had access at a point in time (CC7.2, CC2.1)."""
    for project in inv.serviceusage.enabled_services:
        if "cloudasset.googleapis.com" in project.services:
            yield Result.passed(project, "cloudasset.googleapis.com is ENABLED")
        else:
            yield Result.failed(project, "cloudasset.googleapis.com is not enabled", enabled_count=len(project.services))
