"""CloudWatch Logs (regional): log groups and metric filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.logs import LogGroup, MetricFilter, MetricTransformation

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.logs.log_groups", regional=True, permissions=["logs:DescribeLogGroups"])
def log_groups(scope: AwsScope) -> list[LogGroup]:
    return [
        LogGroup(
            id=g.get("arn", "").removesuffix(":*") or scope.arn("logs", f"log-group:{g['logGroupName']}"),
            name=g["logGroupName"],
            region=scope.region,
            account=scope.account,
            retention_days=g.get("retentionInDays"),
            kms_key_id=g.get("kmsKeyId"),
            stored_bytes=g.get("storedBytes", 0),
        )
        for g in scope.pages("logs", "DescribeLogGroups", "logGroups")
    ]


@collector("aws.logs.metric_filters", regional=True, permissions=["logs:DescribeMetricFilters"])
def metric_filters(scope: AwsScope) -> list[MetricFilter]:
    return [
        MetricFilter(
            id=scope.arn("logs", f"log-group:{f['logGroupName']}:metric-filter:{f['filterName']}"),
            name=f["filterName"],
            region=scope.region,
            account=scope.account,
            log_group_name=f["logGroupName"],
            filter_pattern=f.get("filterPattern", ""),
            transformations=[
                MetricTransformation(metric_name=t["metricName"], metric_namespace=t["metricNamespace"])
                for t in f.get("metricTransformations", [])
            ],
        )
        for f in scope.pages("logs", "DescribeMetricFilters", "metricFilters")
    ]
