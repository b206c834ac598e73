"""Azure Monitor (plain GETs, see _diagnostics): the subscription activity log's diagnostic
settings and the subscription's activity log alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.monitor import ActivityLogAlert, ActivityLogExport, SubscriptionAlerts

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


@collector("azure.monitor.activity_log", regional=True, permissions=["Microsoft.Insights/diagnosticSettings/read"])
def activity_log(scope: AzureScope) -> list[ActivityLogExport]:
    from scanner.collect.azure._diagnostics import diagnostic_settings

    settings = diagnostic_settings(scope, subscription_path(scope))
    sub = subscription_path(scope)
    return [ActivityLogExport(id=sub, name=f"subscription {scope.subscription}", region="global", account=scope.subscription, settings=settings)]


@collector("azure.monitor.activity_log_alerts", regional=True, permissions=["Microsoft.Insights/activityLogAlerts/read"])
def activity_log_alerts(scope: AzureScope) -> list[SubscriptionAlerts]:
    items = scope.arm(
        "monitor", "activityLogAlerts.listBySubscription", subscription_path(scope, "/providers/Microsoft.Insights/activityLogAlerts"), "2020-10-01", paged=True
    )
    sub = subscription_path(scope)
    return [
        SubscriptionAlerts(
            id=sub, name=f"subscription {scope.subscription}", region="global", account=scope.subscription, alerts=[_alert(body) for body in items]
        )
    ]


def _conditions(condition: dict[str, Any]) -> list[dict[str, Any]]:
    """The leaf conditions of `allOf`, those inside an `anyOf` included. API 2020-10-01: a leaf has
    `field` and either `equals` (one value) or `containsAny` (a list; the field contains any of them)."""
    leaves = []
    for item in condition.get("allOf") or []:
        leaves.extend(item.get("anyOf") or [item])
    return leaves


def _field(leaves: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [c for c in leaves if str(c.get("field", "")).lower() == name]


def _alert(body: dict[str, Any]) -> ActivityLogAlert:
    p = props(body)
    leaves = _conditions(p.get("condition") or {})
    categories = _field(leaves, "category")
    category = next((c.get("equals") for c in categories if c.get("equals")), None) or next(
        (str(v) for c in categories for v in c.get("containsAny") or []), None
    )
    operations = [str(c.get("equals")) for c in _field(leaves, "operationname") if c.get("equals")]
    contains = [str(v) for c in _field(leaves, "operationname") for v in c.get("containsAny") or [] if v]
    return ActivityLogAlert(
        id=body["id"],
        name=body.get("name") or body["id"].rsplit("/", 1)[-1],
        enabled=p.get("enabled", True) is not False,
        scopes=p.get("scopes") or [],
        category=category,
        operation_names=operations,
        operation_contains=contains,
        action_groups=[g.get("actionGroupId", "") for g in (p.get("actions") or {}).get("actionGroups") or []],
    )
