"""RDS (regional): DB instances and clusters, their snapshots, and their parameter groups' TLS settings.

DescribeDBInstances and DescribeDBClusters are fetched once per region and shared (the call cache)
by every collector that needs them; each parameter group is described once however many instances
or clusters use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.rds import (
    DbCluster,
    DbClusterSnapshot,
    DbInstance,
    DbParameterGroup,
    DbSnapshot,
    ParameterSetting,
)

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

# The parameters that make an engine refuse unencrypted connections (PostgreSQL and SQL Server:
# rds.force_ssl; MySQL and MariaDB: require_secure_transport; DocumentDB: tls). Only these are kept.
TLS_PARAMETERS = ("rds.force_ssl", "require_secure_transport", "tls")


def _db_instances(scope: AwsScope) -> list[dict[str, Any]]:
    return scope.pages("rds", "DescribeDBInstances", "DBInstances")


def _db_clusters(scope: AwsScope) -> list[dict[str, Any]]:
    return scope.pages("rds", "DescribeDBClusters", "DBClusters")


@collector("aws.rds.db_instances", regional=True, permissions=["rds:DescribeDBInstances"])
def db_instances(scope: AwsScope) -> list[DbInstance]:
    return [
        DbInstance(
            id=db["DBInstanceArn"],
            name=db["DBInstanceIdentifier"],
            region=scope.region,
            account=scope.account,
            engine=db.get("Engine", ""),
            storage_encrypted=bool(db.get("StorageEncrypted")),
            kms_key_id=db.get("KmsKeyId"),
            backup_retention_days=db.get("BackupRetentionPeriod", 0),
            multi_az=bool(db.get("MultiAZ")),
            deletion_protection=bool(db.get("DeletionProtection")),
            publicly_accessible=bool(db.get("PubliclyAccessible")),
            copy_tags_to_snapshot=bool(db.get("CopyTagsToSnapshot")),
            cluster_id=db.get("DBClusterIdentifier"),
            availability_zone=db.get("AvailabilityZone"),
            parameter_groups=[
                g["DBParameterGroupName"] for g in db.get("DBParameterGroups", []) if g.get("DBParameterGroupName")
            ],
            log_exports=sorted(db.get("EnabledCloudwatchLogsExports") or []),
        )
        for db in _db_instances(scope)
    ]


@collector(
    "aws.rds.db_clusters",
    regional=True,
    permissions=["rds:DescribeDBClusters"],
    facets={
        "members": facet(["rds:DescribeDBInstances"], ["member_availability_zones"]),
    },
)
def db_clusters(scope: AwsScope) -> list[DbCluster]:
    clusters = _db_clusters(scope)
    if not clusters:
        return []

    def member_zones(cluster: dict[str, Any]) -> Callable[[], dict[str, Any]]:
        def read() -> dict[str, Any]:
            # The member instances' zones come from DescribeDBInstances (shared with aws.rds.db_instances).
            zones = {db["DBInstanceIdentifier"]: db.get("AvailabilityZone") for db in _db_instances(scope)}
            members = [m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", [])]
            return {"member_availability_zones": sorted({zones[m] for m in members if zones.get(m)})}

        return read

    result = []
    for cluster in clusters:
        fields, errors = read_facets(scope, "rds", scope.region, {"members": member_zones(cluster)})
        result.append(
            DbCluster(
                id=cluster["DBClusterArn"],
                name=cluster["DBClusterIdentifier"],
                region=scope.region,
                account=scope.account,
                engine=cluster.get("Engine", ""),
                status=cluster.get("Status", "unknown"),
                storage_encrypted=bool(cluster.get("StorageEncrypted")),
                kms_key_id=cluster.get("KmsKeyId"),
                multi_az=bool(cluster.get("MultiAZ")),
                deletion_protection=bool(cluster.get("DeletionProtection")),
                copy_tags_to_snapshot=bool(cluster.get("CopyTagsToSnapshot")),
                backup_retention_days=cluster.get("BackupRetentionPeriod", 0),
                parameter_group=cluster.get("DBClusterParameterGroup"),
                log_exports=sorted(cluster.get("EnabledCloudwatchLogsExports") or []),
                members=sorted(m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", [])),
                errors=errors,
                **fields,
            )
        )
    return result


@collector(
    "aws.rds.db_snapshots",
    regional=True,
    permissions=["rds:DescribeDBSnapshots"],
    facets={
        "restore_attribute": facet(["rds:DescribeDBSnapshotAttributes"], ["public", "shared_with_accounts"]),
    },
)
def db_snapshots(scope: AwsScope) -> list[DbSnapshot]:
    # Without IncludeShared/IncludePublic: the account's own automated, manual and AWS Backup snapshots.
    listed = scope.pages("rds", "DescribeDBSnapshots", "DBSnapshots")
    return scope.map(lambda s: _snapshot(scope, s, cluster=False), listed)


@collector(
    "aws.rds.db_cluster_snapshots",
    regional=True,
    permissions=["rds:DescribeDBClusterSnapshots"],
    facets={
        "restore_attribute": facet(["rds:DescribeDBClusterSnapshotAttributes"], ["public", "shared_with_accounts"]),
    },
)
def db_cluster_snapshots(scope: AwsScope) -> list[DbClusterSnapshot]:
    listed = scope.pages("rds", "DescribeDBClusterSnapshots", "DBClusterSnapshots")
    return scope.map(lambda s: _snapshot(scope, s, cluster=True), listed)


def _snapshot(scope: AwsScope, snapshot: dict[str, Any], *, cluster: bool) -> Any:
    kind = "DBClusterSnapshot" if cluster else "DBSnapshot"
    identifier = snapshot[f"{kind}Identifier"]
    snapshot_type = snapshot.get("SnapshotType", "manual")

    def restore_attribute() -> dict[str, Any]:
        result = scope.call("rds", f"Describe{kind}Attributes", **{f"{kind}Identifier": identifier})[f"{kind}AttributesResult"]
        restore = next(
            (a.get("AttributeValues", []) for a in result.get(f"{kind}Attributes", []) if a.get("AttributeName") == "restore"), []
        )
        return {"public": "all" in restore, "shared_with_accounts": sorted(v for v in restore if v != "all")}

    # Only manual snapshots can be shared or made public; the others are never asked about.
    getters = {"restore_attribute": restore_attribute} if snapshot_type == "manual" else {}
    fields, errors = read_facets(scope, "rds", scope.region, getters)
    model = DbClusterSnapshot if cluster else DbSnapshot
    return model(
        id=snapshot[f"{kind}Arn"],
        name=identifier,
        region=scope.region,
        account=scope.account,
        source_id=snapshot.get("DBClusterIdentifier" if cluster else "DBInstanceIdentifier", ""),
        engine=snapshot.get("Engine", ""),
        snapshot_type=snapshot_type,
        encrypted=bool(snapshot.get("StorageEncrypted" if cluster else "Encrypted")),
        kms_key_id=snapshot.get("KmsKeyId"),
        created_at=snapshot.get("SnapshotCreateTime"),
        errors=errors,
        **fields,
    )


@collector(
    "aws.rds.db_parameter_groups",
    regional=True,
    permissions=["rds:DescribeDBInstances"],
    facets={
        "parameters": facet(["rds:DescribeDBParameters"], ["parameters"]),
    },
)
def db_parameter_groups(scope: AwsScope) -> list[DbParameterGroup]:
    names = sorted(
        {
            g["DBParameterGroupName"]
            for db in _db_instances(scope)
            for g in db.get("DBParameterGroups", [])
            if g.get("DBParameterGroupName")
        }
    )
    return scope.map(lambda name: _parameter_group(scope, name, cluster=False), names)


@collector(
    "aws.rds.cluster_parameter_groups",
    regional=True,
    permissions=["rds:DescribeDBClusters"],
    facets={
        "parameters": facet(["rds:DescribeDBClusterParameters"], ["parameters"]),
    },
)
def cluster_parameter_groups(scope: AwsScope) -> list[DbParameterGroup]:
    names = sorted({c["DBClusterParameterGroup"] for c in _db_clusters(scope) if c.get("DBClusterParameterGroup")})
    return scope.map(lambda name: _parameter_group(scope, name, cluster=True), names)


def _parameter_group(scope: AwsScope, name: str, *, cluster: bool) -> DbParameterGroup:
    def parameters() -> dict[str, Any]:
        if cluster:
            listed = scope.pages("rds", "DescribeDBClusterParameters", "Parameters", DBClusterParameterGroupName=name)
        else:
            listed = scope.pages("rds", "DescribeDBParameters", "Parameters", DBParameterGroupName=name)
        return {
            "parameters": {
                p["ParameterName"]: ParameterSetting(value=p.get("ParameterValue"), source=p.get("Source"))
                for p in listed
                if p.get("ParameterName") in TLS_PARAMETERS
            }
        }

    fields, errors = read_facets(scope, "rds", scope.region, {"parameters": parameters})
    resource = "cluster-pg" if cluster else "pg"
    return DbParameterGroup(
        id=scope.arn("rds", f"{resource}:{name}"),
        name=name,
        region=scope.region,
        account=scope.account,
        kind="cluster" if cluster else "instance",
        errors=errors,
        **fields,
    )
