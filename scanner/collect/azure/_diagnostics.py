"""Diagnostic settings (Microsoft.Insights) as a plain GET: azure-mgmt-monitor 7.0.0 dropped the
diagnostic_settings operations, and one GET does not justify pinning 6.0.2."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.models.azure.monitor import DiagnosticSetting

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2021-05-01-preview"


def diagnostic_settings(scope: AzureScope, resource_id: str) -> list[DiagnosticSetting]:
    items = scope.arm("monitor", "diagnosticSettings.list", f"{resource_id}/providers/Microsoft.Insights/diagnosticSettings", API_VERSION)
    return [parse(item) for item in (items.get("value") or [])]


def parse(item: dict[str, Any]) -> DiagnosticSetting:
    p = item.get("properties") or {}
    categories = []
    for log in p.get("logs") or []:
        if not log.get("enabled"):
            continue
        if log.get("category"):
            categories.append(log["category"])
        elif log.get("categoryGroup"):
            categories.append(f"group:{log['categoryGroup']}")
    return DiagnosticSetting(
        name=item.get("name") or "",
        categories=sorted(categories),
        storage_account_id=p.get("storageAccountId"),
        workspace_id=p.get("workspaceId"),
        event_hub=p.get("eventHubAuthorizationRuleId") or p.get("eventHubName"),
    )
