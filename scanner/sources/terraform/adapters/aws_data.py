"""Databases and storage: RDS instances, clusters and parameter groups, DynamoDB tables, EFS file
systems, ElastiCache replication groups. Defaults are the provider's (and the API's) for an
attribute the configuration leaves out."""

from __future__ import annotations

from typing import Any

from scanner.models.aws.dynamodb import Table
from scanner.models.aws.efs import FileSystem
from scanner.models.aws.elasticache import ReplicationGroup
from scanner.models.aws.rds import DbCluster, DbInstance, DbParameterGroup, ParameterSetting
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

TLS_PARAMETERS = ("rds.force_ssl", "require_secure_transport", "tls")


def _arn(ctx: Context, tf: TfResource, service: str, resource: str) -> str:
    return f"arn:aws:{service}:{ctx.region(tf)}::{resource}"


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return sorted(str(v) for v in value)


# -- RDS -------------------------------------------------------------------------------------------


@identity("aws_db_instance")
def _db_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("identifier"), tf)
    arn = _arn(ctx, tf, "rds", f"db:{name}")
    return {"identifier": name, "arn": arn, "id": name}


@identity("aws_rds_cluster")
def _cluster_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("cluster_identifier"), tf)
    return {"cluster_identifier": name, "id": name, "arn": _arn(ctx, tf, "rds", f"cluster:{name}")}


@identity("aws_db_parameter_group", "aws_rds_cluster_parameter_group")
def _group_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": name, "arn": _arn(ctx, tf, "rds", f"pg:{name}")}


@adapter("aws.rds.db_instances", ["aws_db_instance"])
def db_instances(ctx: Context) -> list[DbInstance]:
    out = []
    for tf in ctx.of_type("aws_db_instance"):
        f = Fields(ctx, tf)
        ident = ctx.identity_of(tf)
        replica = tf.values.get("replicate_source_db") is not None
        f.get("engine", default="(from the source)" if replica else "unknown", placeholder="unknown")
        f.get("storage_encrypted", default=False, convert=as_bool, note="RDS creates unencrypted storage unless storage_encrypted = true")
        f.get("kms_key_id", ref=True)
        f.get(
            "backup_retention_days",
            "backup_retention_period",
            default=1,
            convert=as_int,
            note="RDS keeps automated backups 1 day when backup_retention_period is not set",
        )
        f.get("multi_az", default=False, convert=as_bool, note="single-AZ unless multi_az = true")
        f.get("deletion_protection", default=False, convert=as_bool, note="the provider sets deletion_protection = false by default")
        f.get("publicly_accessible", default=False, convert=as_bool)
        f.get("copy_tags_to_snapshot", default=False, convert=as_bool, note="the provider sets copy_tags_to_snapshot = false by default")
        cluster = tf.values.get("cluster_identifier")
        if cluster is not None:
            f.set("cluster_id", ctx.ref(tf, cluster) if not isinstance(cluster, Unknown) else "(known after apply)", tf=tf, path="cluster_identifier")
        f.get("availability_zone")
        group = tf.values.get("parameter_group_name")
        if group is None:
            f.set("parameter_groups", [_default_group(tf)], note="RDS attaches the engine's default parameter group")
        else:
            f.get("parameter_groups", "parameter_group_name", convert=lambda v: [v], ref=True)
        f.get("log_exports", "enabled_cloudwatch_logs_exports", default=[], convert=_str_list)
        out.append(f.build(DbInstance, id=ident["arn"], name=ident["identifier"]))
    return out


def _default_group(tf: TfResource) -> str:
    engine = tf.values.get("engine")
    version = tf.values.get("engine_version")
    if isinstance(engine, str) and isinstance(version, str):
        major = version.split(".")[0] if not engine.startswith(("mysql", "mariadb")) else ".".join(version.split(".")[:2])
        return f"default.{engine}{major}"
    return "default"


@adapter("aws.rds.db_clusters", ["aws_rds_cluster", "aws_rds_cluster_instance"], unsupported_facets={
    "members": "the Availability Zones of a cluster's instances are chosen by RDS at creation",
})
def db_clusters(ctx: Context) -> list[DbCluster]:
    out = []
    for tf in ctx.of_type("aws_rds_cluster"):
        f = Fields(ctx, tf)
        ident = ctx.identity_of(tf)
        f.set("status", "available")
        f.get("engine", default="aurora-mysql", note="the provider's default engine is aurora-mysql")
        f.get("storage_encrypted", default=False, convert=as_bool, note="Aurora clusters are unencrypted unless storage_encrypted = true")
        f.get("kms_key_id", ref=True)
        f.get("deletion_protection", default=False, convert=as_bool)
        f.get("copy_tags_to_snapshot", default=False, convert=as_bool, note="the provider sets copy_tags_to_snapshot = false by default")
        f.get("backup_retention_days", "backup_retention_period", default=1, convert=as_int)
        f.get("parameter_group", "db_cluster_parameter_group_name", ref=True)
        f.get("log_exports", "enabled_cloudwatch_logs_exports", default=[], convert=_str_list)
        members = ctx.referrers(tf, ("aws_rds_cluster_instance",), "cluster_identifier")
        f.set("members", sorted(ctx.identity_of(m).get("identifier", m.address) for m in members))
        out.append(f.build(DbCluster, id=ident["arn"], name=ident["cluster_identifier"]))
    return out


@identity("aws_rds_cluster_instance")
def _member_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return {"identifier": name_or_address(tf.values.get("identifier"), tf)}


def _parameter_groups(ctx: Context, kind: str, types: str) -> list[DbParameterGroup]:
    out = []
    for tf in ctx.of_type(types):
        f = Fields(ctx, tf)
        f.set("kind", kind)
        declared: dict[str, ParameterSetting] = {}
        blocks = tf.values.get("parameter") or []
        if isinstance(blocks, Unknown):
            f.get("parameters", "parameter", default={})
        else:
            for block in blocks:
                name, value = block.get("name"), block.get("value")
                if isinstance(name, str) and not isinstance(value, Unknown):
                    declared[name] = ParameterSetting(value=str(value).lower() if isinstance(value, bool) else str(value), source="user")
            f.set("parameters", declared, tf=tf, path="parameter" if blocks else None)
            if not any(p in declared for p in TLS_PARAMETERS):
                f.unresolved["parameters"] = (
                    f"{tf.address} does not set {' / '.join(TLS_PARAMETERS[:2])}: it takes the engine family's default, "
                    "which Terraform does not know"
                )
        ident = ctx.identity_of(tf)
        out.append(f.build(DbParameterGroup, id=ident["arn"], name=ident["name"]))
    return out


@adapter("aws.rds.db_parameter_groups", ["aws_db_parameter_group"])
def db_parameter_groups(ctx: Context) -> list[DbParameterGroup]:
    return _parameter_groups(ctx, "instance", "aws_db_parameter_group")


@adapter("aws.rds.cluster_parameter_groups", ["aws_rds_cluster_parameter_group"])
def cluster_parameter_groups(ctx: Context) -> list[DbParameterGroup]:
    return _parameter_groups(ctx, "cluster", "aws_rds_cluster_parameter_group")


# -- DynamoDB --------------------------------------------------------------------------------------


@identity("aws_dynamodb_table")
def _table_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": name, "arn": _arn(ctx, tf, "dynamodb", f"table/{name}")}


@adapter("aws.dynamodb.tables", ["aws_dynamodb_table"])
def tables(ctx: Context) -> list[Table]:
    out = []
    for tf in ctx.of_type("aws_dynamodb_table"):
        f = Fields(ctx, tf)
        f.set("status", "ACTIVE")
        f.get("pitr_enabled", "point_in_time_recovery.enabled", default=False, convert=as_bool, note="point-in-time recovery is off unless enabled")
        f.get("deletion_protection", "deletion_protection_enabled", default=False, convert=as_bool)
        enabled = path_value(tf.values, "server_side_encryption.enabled")
        if enabled is MISSING or enabled is None or enabled is False:
            f.set("sse_type", None, note=None if enabled is False else "DynamoDB encrypts with an AWS-owned key unless server_side_encryption is enabled")
        elif isinstance(enabled, Unknown):
            f.get("sse_type", "server_side_encryption.enabled", placeholder="KMS")
        else:
            f.set("sse_type", "KMS", tf=tf, path="server_side_encryption.enabled")
            f.get("kms_key_arn", "server_side_encryption.kms_key_arn", ref=True, note="with no kms_key_arn DynamoDB uses the AWS-managed key aws/dynamodb")
        ident = ctx.identity_of(tf)
        out.append(f.build(Table, id=ident["arn"], name=ident["name"]))
    return out


# -- EFS -------------------------------------------------------------------------------------------


@identity("aws_efs_file_system")
def _efs_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    return {"id": tf.address, "arn": _arn(ctx, tf, "elasticfilesystem", f"file-system/{tf.address}")}


@adapter("aws.efs.file_systems", ["aws_efs_file_system", "aws_efs_backup_policy"], unsupported_facets={})
def file_systems(ctx: Context) -> list[FileSystem]:
    out = []
    for tf in ctx.of_type("aws_efs_file_system"):
        f = Fields(ctx, tf)
        f.set("state", "available")
        f.get("encrypted", default=False, convert=as_bool, note="EFS file systems are unencrypted unless encrypted = true")
        f.get("kms_key_id", ref=True)
        policy = next(iter(ctx.referrers(tf, ("aws_efs_backup_policy",), "file_system_id")), None)
        if policy is None:
            f.set("backup_policy_status", "DISABLED", note="no aws_efs_backup_policy: automatic backups are off")
        else:
            f.get("backup_policy_status", "backup_policy.status", tf=policy, default="DISABLED")
        tags = tf.values.get("tags")
        name = tags.get("Name") if isinstance(tags, dict) and isinstance(tags.get("Name"), str) else tf.address
        out.append(f.build(FileSystem, id=ctx.identity_of(tf)["arn"], name=name))
    return out


# -- ElastiCache -----------------------------------------------------------------------------------


@adapter("aws.elasticache.replication_groups", ["aws_elasticache_replication_group"])
def replication_groups(ctx: Context) -> list[ReplicationGroup]:
    out = []
    for tf in ctx.of_type("aws_elasticache_replication_group"):
        f = Fields(ctx, tf)
        name = name_or_address(tf.values.get("replication_group_id"), tf)
        f.get("engine", default="redis")
        f.set("status", "available")
        f.get("at_rest_encryption", "at_rest_encryption_enabled", default=False, convert=as_bool)
        f.get("transit_encryption", "transit_encryption_enabled", default=False, convert=as_bool)
        f.get("transit_encryption_mode")
        failover = f.get("automatic_failover", "automatic_failover_enabled", default=False, convert=as_bool, placeholder="enabled")
        if isinstance(failover, bool):
            f.values["automatic_failover"] = "enabled" if failover else "disabled"
        multi_az = f.get("multi_az", "multi_az_enabled", default=False, convert=as_bool, placeholder="enabled")
        if isinstance(multi_az, bool):
            f.values["multi_az"] = "enabled" if multi_az else "disabled"
        f.get("snapshot_retention_days", "snapshot_retention_limit", default=0, convert=as_int)
        out.append(f.build(ReplicationGroup, id=_arn(ctx, tf, "elasticache", f"replicationgroup:{name}"), name=name))
    return out
