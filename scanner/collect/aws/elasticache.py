"""ElastiCache (regional): Redis OSS / Valkey replication groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.elasticache import ReplicationGroup

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.elasticache.replication_groups", regional=True, permissions=["elasticache:DescribeReplicationGroups"])
def replication_groups(scope: AwsScope) -> list[ReplicationGroup]:
    return [
        ReplicationGroup(
            id=g.get("ARN") or scope.arn("elasticache", f"replicationgroup:{g['ReplicationGroupId']}"),
            name=g["ReplicationGroupId"],
            region=scope.region,
            account=scope.account,
            engine=g.get("Engine"),
            status=g.get("Status", "unknown"),
            at_rest_encryption=bool(g.get("AtRestEncryptionEnabled")),
            transit_encryption=bool(g.get("TransitEncryptionEnabled")),
            transit_encryption_mode=g.get("TransitEncryptionMode"),
            automatic_failover=g.get("AutomaticFailover", "disabled"),
            multi_az=g.get("MultiAZ", "disabled"),
            snapshot_retention_days=g.get("SnapshotRetentionLimit") or 0,
            member_clusters=list(g.get("MemberClusters", [])),
        )
        for g in scope.pages("elasticache", "DescribeReplicationGroups", "ReplicationGroups")
    ]
