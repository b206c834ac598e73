"""Cloud Monitoring: alerting policies of each project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.monitoring import AlertPolicy

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.monitoring.alert_policies", regional=True, permissions=["monitoring.alertPolicies.list"])
def alert_policies(scope: GcpScope) -> list[AlertPolicy]:
    found = scope.pages("monitoring", "projects.alertPolicies.list", "alertPolicies", name=f"projects/{scope.project}")
    result = []
    for p in found:
        filters = []
        for c in p.get("conditions") or []:
            for kind in ("conditionThreshold", "conditionAbsent", "conditionMonitoringQueryLanguage", "conditionMatchedLog"):
                body = c.get(kind) or {}
                text = body.get("filter") or body.get("query")
                if text:
                    filters.append(text)
        result.append(
            AlertPolicy(
                id=p["name"],
                name=p.get("displayName") or p["name"].rsplit("/", 1)[-1],
                region="global",
                account=scope.account,
                enabled=bool(p.get("enabled", True)),
                condition_filters=filters,
                notification_channels=sorted(p.get("notificationChannels") or []),
            )
        )
    return result
