"""Cloud Monitoring: alerting policies of each project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.monitoring import AlertPolicy, LogCondition

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope

# Condition type (monitoring v3 AlertPolicy.Condition) -> the field holding its filter or query.
CONDITION_TEXT = {
    "conditionThreshold": "filter",
    "conditionAbsent": "filter",
    "conditionMonitoringQueryLanguage": "query",
    "conditionPrometheusQueryLanguage": "query",
    "conditionMatchedLog": "filter",
    "conditionSql": "query",
}
# Conditions that read log entries directly (no log-based metric in between).
LOG_CONDITIONS = {"conditionMatchedLog": "log match", "conditionSql": "SQL"}


@collector("gcp.monitoring.alert_policies", regional=True, permissions=["monitoring.alertPolicies.list"])
def alert_policies(scope: GcpScope) -> list[AlertPolicy]:
    found = scope.pages("monitoring", "projects.alertPolicies.list", "alertPolicies", name=f"projects/{scope.project}")
    result = []
    for p in found:
        filters: list[str] = []
        log_conditions: list[LogCondition] = []
        for c in p.get("conditions") or []:
            for kind, field in CONDITION_TEXT.items():
                text = (c.get(kind) or {}).get(field)
                if not text:
                    continue
                filters.append(text)
                if kind in LOG_CONDITIONS:
                    log_conditions.append(LogCondition(kind=LOG_CONDITIONS[kind], text=text))
        result.append(
            AlertPolicy(
                id=p["name"],
                name=p.get("displayName") or p["name"].rsplit("/", 1)[-1],
                region="global",
                account=scope.account,
                enabled=bool(p.get("enabled", True)),
                condition_filters=filters,
                log_conditions=log_conditions,
                notification_channels=sorted(p.get("notificationChannels") or []),
            )
        )
    return result
