"""CloudWatch (regional): metric alarms with the metrics they watch and their actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.cloudwatch import MetricAlarm, MetricRef

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.cloudwatch.alarms", regional=True, permissions=["cloudwatch:DescribeAlarms"])
def alarms(scope: AwsScope) -> list[MetricAlarm]:
    return [
        MetricAlarm(
            id=a["AlarmArn"],
            name=a["AlarmName"],
            region=scope.region,
            account=scope.account,
            metrics=_metrics(a),
            actions_enabled=bool(a.get("ActionsEnabled", True)),
            alarm_actions=list(a.get("AlarmActions", [])),
            state=a.get("StateValue"),
        )
        for a in scope.pages("cloudwatch", "DescribeAlarms", "MetricAlarms", AlarmTypes=["MetricAlarm"])
    ]


def _metrics(alarm: dict[str, Any]) -> list[MetricRef]:
    """The alarm's metric, or every metric a metric-math alarm reads."""
    refs = []
    if alarm.get("MetricName"):
        refs.append(MetricRef(name=alarm["MetricName"], namespace=alarm.get("Namespace", "")))
    for query in alarm.get("Metrics") or []:
        metric = (query.get("MetricStat") or {}).get("Metric") or {}
        if metric.get("MetricName"):
            refs.append(MetricRef(name=metric["MetricName"], namespace=metric.get("Namespace", "")))
    return refs
