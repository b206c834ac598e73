"""GCP Cloud Storage buckets and Cloud SQL instances (google provider defaults for what is left out)."""

from __future__ import annotations

from typing import Any

from scanner.models.gcp.sql import SqlInstance
from scanner.models.gcp.storage import Bucket
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, as_int, identity, name_or_address, path_value
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown


def _project(tf: TfResource) -> str:
    project = tf.values.get("project", tf.provider.get("project"))
    return project if isinstance(project, str) else "(project)"


project = _project  # shared with the other google adapters


@identity("google_storage_bucket")
def _bucket_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "id": name, "url": f"gs://{name}", "self_link": f"projects/{_project(tf)}/buckets/{name}"}


@adapter(
    "gcp.storage.buckets",
    ["google_storage_bucket"],
    unsupported_facets={"iam_policy": "a bucket's IAM policy is the sum of every google_storage_bucket_iam_* and project binding, read live"},
)
def buckets(ctx: Context) -> list[Bucket]:
    out = []
    for tf in ctx.of_type("google_storage_bucket"):
        f = Fields(ctx, tf)
        location = tf.values.get("location")
        f.set("location_type", None)
        f.get("default_kms_key_name", "encryption.default_kms_key_name", ref=True)
        f.get("uniform_bucket_level_access", default=False, convert=as_bool, note="fine-grained ACLs unless uniform_bucket_level_access = true")
        f.get("public_access_prevention", default="inherited")
        f.get("versioning_enabled", "versioning.enabled", default=False, convert=as_bool)
        policy = path_value(tf.values, "soft_delete_policy")
        if policy is MISSING or policy is None:
            f.set("soft_delete_retention_seconds", 604800, note="Cloud Storage keeps soft-deleted objects 7 days by default")
        else:
            f.get("soft_delete_retention_seconds", "soft_delete_policy.retention_duration_seconds", default=604800, convert=as_int)
        f.get("retention_period_seconds", "retention_policy.retention_period", convert=as_int)
        f.get("retention_policy_locked", "retention_policy.is_locked", default=False, convert=as_bool)
        f.get("logging_bucket", "logging.log_bucket", ref=True)
        ident = ctx.identity_of(tf)
        out.append(
            f.build(
                Bucket,
                id=ident["self_link"],
                name=ident["name"],
                region=location.lower() if isinstance(location, str) else "unknown",
            )
        )
    return out


def _flags(values: Any) -> Any:
    if isinstance(values, Unknown):
        return values
    out = {}
    for flag in values or []:
        name, value = flag.get("name"), flag.get("value")
        if isinstance(name, Unknown) or isinstance(value, Unknown):
            return name if isinstance(name, Unknown) else value
        out[str(name)] = str(value)
    return out


_flags.accepts_unknown = True  # type: ignore[attr-defined]


@adapter("gcp.sql.instances", ["google_sql_database_instance"])
def sql_instances(ctx: Context) -> list[SqlInstance]:
    out = []
    for tf in ctx.of_type("google_sql_database_instance"):
        f = Fields(ctx, tf)
        f.get("database_version", placeholder="UNKNOWN")
        f.set("state", "RUNNABLE")
        replica = tf.values.get("master_instance_name") is not None
        f.set("instance_type", "READ_REPLICA_INSTANCE" if replica else "CLOUD_SQL_INSTANCE")
        f.get("availability_type", "settings.availability_type", default="ZONAL", note="Cloud SQL instances are zonal unless availability_type = REGIONAL")
        f.get("ipv4_enabled", "settings.ip_configuration.ipv4_enabled", default=True, convert=as_bool, note="a public IPv4 address is on by default")
        f.get("ssl_mode", "settings.ip_configuration.ssl_mode")
        f.get("require_ssl", "settings.ip_configuration.require_ssl", default=False, convert=as_bool)
        networks = path_value(tf.values, "settings.ip_configuration.authorized_networks")
        if isinstance(networks, Unknown):
            f.get("authorized_networks", "settings.ip_configuration.authorized_networks", default=[])
        else:
            values = [n.get("value") for n in networks or [] if isinstance(n, dict)] if networks is not MISSING else []
            if any(isinstance(v, Unknown) for v in values):
                f.get("authorized_networks", "settings.ip_configuration.authorized_networks", default=[])
            else:
                f.set("authorized_networks", sorted(str(v) for v in values), tf=tf, path="settings.ip_configuration.authorized_networks")
        f.get("kms_key_name", "encryption_key_name", ref=True)
        f.get("backup_enabled", "settings.backup_configuration.enabled", default=False, convert=as_bool, note="automated backups are off unless enabled")
        f.get("point_in_time_recovery", "settings.backup_configuration.point_in_time_recovery_enabled", default=False, convert=as_bool)
        f.get("binary_log_enabled", "settings.backup_configuration.binary_log_enabled", default=False, convert=as_bool)
        f.get("retained_backups", "settings.backup_configuration.backup_retention_settings.retained_backups", default=7, convert=as_int)
        f.get("transaction_log_retention_days", "settings.backup_configuration.transaction_log_retention_days", convert=as_int)
        f.get("deletion_protection", "deletion_protection", default=True, convert=as_bool, note="the google provider sets deletion_protection = true by default")
        f.get("database_flags", "settings.database_flags", default={}, convert=_flags)
        name = name_or_address(tf.values.get("name"), tf)
        region = tf.values.get("region", tf.provider.get("region"))
        out.append(
            f.build(SqlInstance, id=f"projects/{_project(tf)}/instances/{name}", name=name, region=region if isinstance(region, str) else "unknown")
        )
    return out
