"""Log Analytics workspaces (a plain GET)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.loganalytics import Workspace

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2025-07-01"  # Microsoft.OperationalInsights (azure-mgmt-loganalytics 14.0.0 models it)


@collector("azure.loganalytics.workspaces", regional=True, permissions=["Microsoft.OperationalInsights/workspaces/read"])
def workspaces(scope: AzureScope) -> list[Workspace]:
    items = scope.arm(
        "loganalytics", "workspaces.list", subscription_path(scope, "/providers/Microsoft.OperationalInsights/workspaces"), API_VERSION, paged=True
    )
    return [
        Workspace(**base(scope, body), retention_days=props(body).get("retentionInDays"), sku=(props(body).get("sku") or {}).get("name"))
        for body in items
    ]
