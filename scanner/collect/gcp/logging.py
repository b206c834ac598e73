"""Cloud Logging: project and organization sinks, log buckets and log-based metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.logging import LogBucket, LogMetric, LogSink

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


def _sinks(scope: GcpScope, method: str, parent: str) -> list[LogSink]:
    found = scope.pages("logging", method, "sinks", parent=parent)
    return [
        LogSink(
            id=f"{parent}/sinks/{s['name']}",
            name=s["name"],
            region="global",
            account=scope.account,
            destination=s.get("destination", ""),
            filter=s.get("filter", "") or "",
            disabled=bool(s.get("disabled", False)),
            include_children=bool(s.get("includeChildren", False)),
        )
        for s in found
    ]


@collector("gcp.logging.sinks", regional=True, permissions=["logging.sinks.list"])
def sinks(scope: GcpScope) -> list[LogSink]:
    return _sinks(scope, "projects.sinks.list", f"projects/{scope.project}")


@collector("gcp.logging.org_sinks", regional=False, organization=True, permissions=["logging.sinks.list"])
def org_sinks(scope: GcpScope) -> list[LogSink]:
    return _sinks(scope, "organizations.sinks.list", f"organizations/{scope.organization}")


@collector("gcp.logging.buckets", regional=True, permissions=["logging.buckets.list"])
def buckets(scope: GcpScope) -> list[LogBucket]:
    found = scope.pages("logging", "projects.locations.buckets.list", "buckets", parent=f"projects/{scope.project}/locations/-")
    return [
        LogBucket(
            id=b["name"],
            name=f"{scope.project}/{b['name'].rsplit('/', 1)[-1]}",  # every project has a _Default bucket
            region=b["name"].split("/locations/", 1)[1].split("/", 1)[0],
            account=scope.account,
            location=b["name"].split("/locations/", 1)[1].split("/", 1)[0],
            retention_days=b.get("retentionDays"),
            locked=bool(b.get("locked", False)),
            lifecycle_state=b.get("lifecycleState"),
        )
        for b in found
    ]


@collector("gcp.logging.metrics", regional=True, permissions=["logging.logMetrics.list"])
def metrics(scope: GcpScope) -> list[LogMetric]:
    found = scope.pages("logging", "projects.metrics.list", "metrics", parent=f"projects/{scope.project}")
    return [
        LogMetric(
            id=f"projects/{scope.project}/metrics/{m['name']}",
            name=m["name"],
            region="global",
            account=scope.account,
            filter=m.get("filter", ""),
            metric_type=(m.get("metricDescriptor") or {}).get("type") or f"logging.googleapis.com/user/{m['name']}",
            disabled=bool(m.get("disabled", False)),
        )
        for m in found
    ]
