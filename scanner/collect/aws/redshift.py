"""Redshift (regional): provisioned clusters, with audit logging and require_ssl read per cluster.

Each cluster parameter group is described once (the call cache) however many clusters use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.redshift import RedshiftCluster

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.redshift.clusters",
    regional=True,
    permissions=["redshift:DescribeClusters"],
    facets={
        "parameters": facet(["redshift:DescribeClusterParameters"], ["require_ssl", "require_ssl_source"]),
        "logging": facet(["redshift:DescribeLoggingStatus"], ["audit_logging_enabled", "log_destination_type", "log_exports"]),
    },
)
def clusters(scope: AwsScope) -> list[RedshiftCluster]:
    listed = scope.pages("redshift", "DescribeClusters", "Clusters")
    return scope.map(lambda c: _cluster(scope, c), listed)


def _cluster(scope: AwsScope, cluster: dict[str, Any]) -> RedshiftCluster:
    name = cluster["ClusterIdentifier"]
    groups = [g["ParameterGroupName"] for g in cluster.get("ClusterParameterGroups", []) if g.get("ParameterGroupName")]

    def parameters() -> dict[str, Any]:
        for group in groups:
            for parameter in scope.pages("redshift", "DescribeClusterParameters", "Parameters", ParameterGroupName=group):
                if parameter.get("ParameterName") == "require_ssl":
                    return {"require_ssl": parameter.get("ParameterValue"), "require_ssl_source": parameter.get("Source")}
        return {}

    def logging() -> dict[str, Any]:
        status = scope.call("redshift", "DescribeLoggingStatus", ClusterIdentifier=name)
        return {
            "audit_logging_enabled": bool(status.get("LoggingEnabled")),
            "log_destination_type": status.get("LogDestinationType") or None,
            "log_exports": sorted(status.get("LogExports") or []),
        }

    fields, errors = read_facets(scope, "redshift", scope.region, {"parameters": parameters, "logging": logging})
    return RedshiftCluster(
        id=scope.arn("redshift", f"cluster:{name}"),
        name=name,
        region=scope.region,
        account=scope.account,
        status=cluster.get("ClusterStatus", "unknown"),
        encrypted=bool(cluster.get("Encrypted")),
        kms_key_id=cluster.get("KmsKeyId"),
        automated_snapshot_retention_days=cluster.get("AutomatedSnapshotRetentionPeriod", 0),
        parameter_groups=groups,
        errors=errors,
        **fields,
    )
