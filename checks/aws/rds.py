"""RDS: instances and clusters (encryption, TLS, log exports, backups, Multi-AZ, deletion
protection) and their snapshots (encrypted, not public)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scanner.models.aws.backup import ProtectedResource
from scanner.models.aws.rds import DbParameterGroup, DbSnapshot
from scanner.models.common import Category, Resource, Severity, Status
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.rds.instance_storage_encrypted",
    title="RDS DB instances encrypt storage at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Encryption cannot be turned on in place: snapshot, copy the snapshot with a KMS key, restore, cut over.",
)
def instance_storage_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Database storage, its automated backups, read replicas and snapshots are encrypted only
    when the instance is (C1.1, CC6.1)."""
    for db in inv.rds.db_instances:
        if db.storage_encrypted:
            yield Result.passed(db, "StorageEncrypted is true", kms_key_id=db.kms_key_id)
        else:
            yield Result.failed(db, "StorageEncrypted is false", engine=db.engine)


@check(
    id="aws.rds.backup_retention",
    title="RDS DB instances keep automated backups for at least the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    params={"min_days": Param(7, minimum=1, maximum=35)},
    remediation="Modify the instance: set BackupRetentionPeriod to at least the required number of days.",
)
def backup_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automated backups with enough retention allow point-in-time recovery after corruption or
    deletion discovered days later (A1.2, CC7.5)."""
    minimum = ctx.params["min_days"]
    for db in inv.rds.db_instances:
        days = db.backup_retention_days
        if days >= minimum:
            yield Result.passed(db, f"BackupRetentionPeriod is {count(days, 'day')} (>= {minimum})", backup_retention_days=days)
        elif days == 0:
            yield Result.failed(db, "BackupRetentionPeriod is 0: automated backups are disabled", backup_retention_days=0)
        else:
            yield Result.failed(db, f"BackupRetentionPeriod is {count(days, 'day')} (< {minimum})", backup_retention_days=days)


@check(
    id="aws.rds.multi_az",
    title="RDS DB instances are deployed Multi-AZ",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with MultiAZ=true (Aurora: add a replica in another Availability Zone).",
)
def multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A standby in a second Availability Zone keeps the database available through an AZ or host
    failure (A1.2, CC9.1)."""
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue  # Aurora availability is a property of the cluster, not the member instance
        if db.multi_az:
            yield Result.passed(db, "MultiAZ is true")
        else:
            yield Result.failed(db, "MultiAZ is false: single Availability Zone")


@check(
    id="aws.rds.deletion_protection",
    title="RDS DB instances have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with DeletionProtection=true.",
)
def deletion_protection(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deletion protection stops a mistaken or malicious delete of a production database (A1.2)."""
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue  # Aurora: deletion protection is set on the cluster
        if db.deletion_protection:
            yield Result.passed(db, "DeletionProtection is true")
        else:
            yield Result.failed(db, "DeletionProtection is false")


@check(
    id="aws.rds.instance_not_publicly_accessible",
    title="RDS DB instances are not publicly accessible",
    severity=Severity.HIGH,
    category=Category.NETWORK,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with PubliclyAccessible=false (modify-db-instance --no-publicly-accessible) and "
    "reach it from inside the VPC.",
)
def instance_not_publicly_accessible(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A publicly accessible instance gets an endpoint that resolves to a public address, so a single
    permissive security group rule exposes the database to the internet (CC6.6, C1.1). Aurora
    members are judged too: the setting belongs to each instance."""
    for db in inv.rds.db_instances:
        if db.publicly_accessible:
            yield Result.failed(db, "PubliclyAccessible is true: the endpoint resolves to a public IP address", engine=db.engine)
        else:
            yield Result.passed(db, "PubliclyAccessible is false")


@check(
    id="aws.rds.instance_copy_tags_to_snapshot",
    title="RDS DB instances copy their tags to snapshots",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    remediation="Modify the instance with CopyTagsToSnapshot=true (modify-db-instance --copy-tags-to-snapshot).",
)
def instance_copy_tags_to_snapshot(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Tags carry data classification, ownership and the selection of backup and access policies;
    snapshots without them fall outside the rules that govern their source (C1.1, A1.2). Aurora
    members are skipped: the cluster's setting applies."""
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue  # Aurora: snapshots are taken of the cluster
        if db.copy_tags_to_snapshot:
            yield Result.passed(db, "CopyTagsToSnapshot is true")
        else:
            yield Result.failed(db, "CopyTagsToSnapshot is false")


# -- Aurora and Multi-AZ DB clusters -----------------------------------------------------------------


@check(
    id="aws.rds.cluster_storage_encrypted",
    title="RDS DB clusters (Aurora, Multi-AZ clusters) encrypt storage at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters"],
    remediation="Encryption cannot be turned on in place: snapshot the cluster, restore the snapshot with a KMS key "
    "(KmsKeyId) into a new encrypted cluster, cut over.",
)
def cluster_storage_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A cluster's shared storage volume, its automated backups and snapshots are encrypted only
    when the cluster is (C1.1, CC6.1)."""
    for cluster in inv.rds.db_clusters:
        if cluster.storage_encrypted:
            yield Result.passed(cluster, "StorageEncrypted is true", kms_key_id=cluster.kms_key_id)
        else:
            yield Result.failed(cluster, "StorageEncrypted is false", engine=cluster.engine)


@check(
    id="aws.rds.cluster_multi_az",
    title="RDS DB clusters have instances in at least two Availability Zones",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters:members"],
    params={"min_zones": Param(2, minimum=1, maximum=6)},
    remediation="Add a reader instance in another Availability Zone (Aurora fails over to it).",
)
def cluster_multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Aurora storage is replicated across zones, but compute is not: a cluster whose instances all
    sit in one Availability Zone is down until a new instance is created when that zone fails.
    The zones are those of the member instances (A1.2, CC9.1)."""
    minimum = ctx.params["min_zones"]
    for cluster in inv.rds.db_clusters:
        zones = cluster.member_availability_zones or []
        evidence = {"availability_zones": zones, "members": cluster.members}
        if len(zones) >= minimum:
            yield Result.passed(cluster, f"instances in {len(zones)} Availability Zones (>= {minimum})", **evidence)
        elif not cluster.members:
            yield Result.failed(cluster, "the cluster has no DB instances", **evidence)
        else:
            yield Result.failed(cluster, f"instances in {len(zones)} Availability Zone(s) (< {minimum})", **evidence)


@check(
    id="aws.rds.cluster_deletion_protection",
    title="RDS DB clusters have deletion protection",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters"],
    remediation="Modify the cluster with DeletionProtection=true.",
)
def cluster_deletion_protection(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Deletion protection stops a mistaken or malicious delete of a production cluster and its
    storage (A1.2)."""
    for cluster in inv.rds.db_clusters:
        if cluster.deletion_protection:
            yield Result.passed(cluster, "DeletionProtection is true")
        else:
            yield Result.failed(cluster, "DeletionProtection is false")


@check(
    id="aws.rds.cluster_copy_tags_to_snapshot",
    title="RDS DB clusters copy their tags to snapshots",
    severity=Severity.LOW,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters"],
    remediation="Modify the cluster with CopyTagsToSnapshot=true (modify-db-cluster --copy-tags-to-snapshot).",
)
def cluster_copy_tags_to_snapshot(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Cluster snapshots without the cluster's tags lose its classification and ownership, and
    escape tag-based backup and access policies (C1.1, A1.2)."""
    for cluster in inv.rds.db_clusters:
        if cluster.copy_tags_to_snapshot:
            yield Result.passed(cluster, "CopyTagsToSnapshot is true")
        else:
            yield Result.failed(cluster, "CopyTagsToSnapshot is false")


# -- snapshots --------------------------------------------------------------------------------------


@check(
    id="aws.rds.snapshot_encrypted",
    title="RDS DB snapshots are encrypted",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBSnapshot",
    reads=["aws.rds.db_snapshots"],
    remediation="Copy the snapshot with a KMS key (aws rds copy-db-snapshot --kms-key-id), delete the unencrypted "
    "copy, and encrypt the source instance so new snapshots are encrypted.",
)
def snapshot_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Snapshots are complete copies of a database that can be copied, shared and restored
    elsewhere; unencrypted ones expose every record (C1.1, CC6.1)."""
    for snapshot in inv.rds.db_snapshots:
        yield from _snapshot_encryption(snapshot)


@check(
    id="aws.rds.cluster_snapshot_encrypted",
    title="RDS DB cluster snapshots are encrypted",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBClusterSnapshot",
    reads=["aws.rds.db_cluster_snapshots"],
    remediation="Copy the cluster snapshot with a KMS key (aws rds copy-db-cluster-snapshot --kms-key-id), delete "
    "the unencrypted copy, and move the cluster to encrypted storage.",
)
def cluster_snapshot_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Cluster snapshots are complete copies of the cluster's data; unencrypted ones expose every
    record to whoever can copy or restore them (C1.1, CC6.1)."""
    for snapshot in inv.rds.db_cluster_snapshots:
        yield from _snapshot_encryption(snapshot)


def _snapshot_encryption(snapshot: DbSnapshot) -> Iterator[Result]:
    evidence = {"snapshot_type": snapshot.snapshot_type, "source": snapshot.source_id}
    if snapshot.encrypted:
        yield Result.passed(snapshot, "Encrypted is true", kms_key_id=snapshot.kms_key_id, **evidence)
    else:
        yield Result.failed(snapshot, "Encrypted is false", **evidence)


@check(
    id="aws.rds.snapshot_not_public",
    title="RDS DB snapshots are not public",
    severity=Severity.CRITICAL,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBSnapshot",
    reads=["aws.rds.db_snapshots:restore_attribute"],
    remediation="aws rds modify-db-snapshot-attribute --db-snapshot-identifier ID --attribute-name restore "
    "--values-to-remove all",
)
def snapshot_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A manual snapshot whose "restore" attribute includes "all" can be restored by any AWS account:
    the whole database is disclosed (C1.1, CC6.1, CC6.7). Only manual snapshots can be shared;
    automated and AWS Backup snapshots are not judged."""
    for snapshot in inv.rds.db_snapshots:
        yield from _snapshot_visibility(snapshot)


@check(
    id="aws.rds.cluster_snapshot_not_public",
    title="RDS DB cluster snapshots are not public",
    severity=Severity.CRITICAL,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBClusterSnapshot",
    reads=["aws.rds.db_cluster_snapshots:restore_attribute"],
    remediation="aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier ID "
    "--attribute-name restore --values-to-remove all",
)
def cluster_snapshot_not_public(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A manual cluster snapshot whose "restore" attribute includes "all" can be restored by any AWS
    account (C1.1, CC6.1, CC6.7). Automated cluster snapshots cannot be shared and are not judged."""
    for snapshot in inv.rds.db_cluster_snapshots:
        yield from _snapshot_visibility(snapshot)


def _snapshot_visibility(snapshot: DbSnapshot) -> Iterator[Result]:
    if snapshot.snapshot_type != "manual":
        return
    if snapshot.public:
        yield Result.failed(snapshot, 'the restore attribute includes "all": the snapshot is public', source=snapshot.source_id)
    else:
        yield Result.passed(
            snapshot, 'the restore attribute does not include "all"', shared_with_accounts=snapshot.shared_with_accounts
        )


# -- TLS enforced by parameter groups ------------------------------------------------------------------

# engine (exact, or the family prefix before "-") -> (parameter, accepted values)
TLS_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "postgres": ("rds.force_ssl", ("1",)),
    "aurora-postgresql": ("rds.force_ssl", ("1",)),
    "sqlserver": ("rds.force_ssl", ("1",)),
    "mysql": ("require_secure_transport", ("1", "ON")),
    "mariadb": ("require_secure_transport", ("1", "ON")),
    "aurora-mysql": ("require_secure_transport", ("1", "ON")),
    "aurora": ("require_secure_transport", ("1", "ON")),  # Aurora MySQL 1.x (MySQL 5.6 compatible)
    "docdb": ("tls", ("ENABLED", "FIPS-140-3", "TLS1.2+", "TLS1.3+")),
}


def _engine_rule(engine: str, rules: dict[str, Any]) -> Any:
    """The entry for an engine: exact name first, then the family before the edition suffix
    ("sqlserver-ee" -> "sqlserver", "oracle-se2" -> "oracle")."""
    if engine in rules:
        return rules[engine]
    if engine.startswith("aurora"):
        return None  # "aurora-x" is not the Aurora MySQL 1.x engine called "aurora"
    return rules.get(engine.split("-", 1)[0])


def _tls_verdict(
    resource: Resource, engine: str, group_name: str | None, groups: dict[tuple[str, str], DbParameterGroup]
) -> Result:
    rule = _engine_rule(engine, TLS_RULES)
    if rule is None:
        return Result.unknown(
            resource, f"engine {engine}: TLS is not enforced through a parameter group (not evaluated)", engine=engine
        )
    parameter, accepted = rule
    group = groups.get((resource.region, group_name or ""))
    if group is None:
        return Result.unknown(resource, f"parameter group {group_name} was not collected", engine=engine)
    if group.errors:
        return Result(resource, Status.ERROR, "; ".join(group.errors.values()), {"parameter_group": group.name})
    setting = group.parameters.get(parameter)
    evidence = {"parameter_group": group.name, "parameter": parameter, "engine": engine}
    if setting is None or setting.value is None:
        return Result.failed(resource, f"{parameter} is not set in parameter group {group.name}", **evidence)
    evidence.update(value=setting.value, source=setting.source)
    if setting.value.upper() in accepted:
        return Result.passed(resource, f"{parameter} is {setting.value} in parameter group {group.name}", **evidence)
    return Result.failed(resource, f"{parameter} is {setting.value} in parameter group {group.name}", **evidence)


@check(
    id="aws.rds.instance_tls_required",
    title="RDS DB instances require TLS for client connections",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances", "aws.rds.db_parameter_groups:parameters"],
    remediation="In a custom DB parameter group set rds.force_ssl=1 (PostgreSQL, SQL Server) or "
    "require_secure_transport=ON (MySQL, MariaDB), attach it to the instance and reboot if the parameter is static.",
)
def instance_tls_required(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Unless the server refuses plaintext connections, a client misconfiguration sends credentials
    and query results unencrypted across the network (CC6.7, C1.1). The setting is read from the
    instance's DB parameter group, engine defaults included. Cluster members are judged through
    their cluster (aws.rds.cluster_tls_required); engines that enforce TLS elsewhere (Oracle option
    groups, Db2) are UNKNOWN."""
    groups = {(g.region, g.name): g for g in inv.rds.db_parameter_groups}
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue
        yield _tls_verdict(db, db.engine, db.parameter_groups[0] if db.parameter_groups else None, groups)


@check(
    id="aws.rds.cluster_tls_required",
    title="RDS DB clusters require TLS for client connections",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters", "aws.rds.cluster_parameter_groups:parameters"],
    remediation="In a custom DB cluster parameter group set rds.force_ssl=1 (Aurora PostgreSQL) or "
    "require_secure_transport=ON (Aurora MySQL), or tls=enabled (DocumentDB), and attach it to the cluster.",
)
def cluster_tls_required(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Unless the cluster refuses plaintext connections, a client misconfiguration sends credentials
    and data unencrypted (CC6.7, C1.1). The setting is read from the DB cluster parameter group,
    engine defaults included."""
    groups = {(g.region, g.name): g for g in inv.rds.cluster_parameter_groups}
    for cluster in inv.rds.db_clusters:
        yield _tls_verdict(cluster, cluster.engine, cluster.parameter_group, groups)


# -- log exports ----------------------------------------------------------------------------------------

DEFAULT_LOG_TYPES: dict[str, list[str]] = {
    "postgres": ["postgresql"],
    "aurora-postgresql": ["postgresql"],
    "mysql": ["error"],
    "mariadb": ["error"],
    "aurora-mysql": ["error"],
    "aurora": ["error"],
    "sqlserver": ["error"],
    "oracle": ["alert"],
    "db2": ["diag.log"],
    "docdb": ["audit"],
    "neptune": ["audit"],
}


def _log_verdict(resource: Resource, engine: str, exports: list[str], required_by_engine: dict[str, list[str]]) -> Result:
    required = sorted(_engine_rule(engine, required_by_engine) or [])
    missing = [t for t in required if t not in exports]
    evidence = {"log_exports": exports, "required": required, "engine": engine}
    if not exports:
        return Result.failed(resource, "EnabledCloudwatchLogsExports is empty: no logs go to CloudWatch Logs", **evidence)
    if missing:
        return Result.failed(resource, f"log types not exported to CloudWatch Logs: {', '.join(missing)}", **evidence)
    return Result.passed(resource, f"exports {', '.join(exports)} to CloudWatch Logs", **evidence)


@check(
    id="aws.rds.instance_log_exports",
    title="RDS DB instances export their logs to CloudWatch Logs",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances"],
    params={"required_log_types": DEFAULT_LOG_TYPES},
    remediation="Modify the instance with --cloudwatch-logs-export-configuration EnableLogTypes=[...] "
    "(for example postgresql, or error/audit/general/slowquery for MySQL).",
)
def instance_log_exports(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Database logs (connections, errors, audit events) kept only on the instance rotate away and
    are lost with it; exported to CloudWatch Logs they are retained, searchable and alarmable (CC7.2,
    CC7.3). `required_log_types` maps an engine (or its family, e.g. "sqlserver") to the log types
    that must be exported; any export is required for engines it does not list. Cluster members
    are judged through their cluster (aws.rds.cluster_log_exports)."""
    required = ctx.params["required_log_types"]
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue
        yield _log_verdict(db, db.engine, db.log_exports, required)


@check(
    id="aws.rds.cluster_log_exports",
    title="RDS DB clusters export their logs to CloudWatch Logs",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters"],
    params={"required_log_types": DEFAULT_LOG_TYPES},
    remediation="Modify the cluster with --cloudwatch-logs-export-configuration EnableLogTypes=[...] "
    "(postgresql for Aurora PostgreSQL; error, audit, general, slowquery for Aurora MySQL).",
)
def cluster_log_exports(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Cluster logs exported to CloudWatch Logs are retained beyond the instances' rotation and can
    be searched and alarmed on (CC7.2). `required_log_types` maps an engine to the log types that
    must be exported."""
    required = ctx.params["required_log_types"]
    for cluster in inv.rds.db_clusters:
        yield _log_verdict(cluster, cluster.engine, cluster.log_exports, required)


# -- AWS Backup protection -------------------------------------------------------------------------------


@check(
    id="aws.rds.instance_backup_protected",
    title="RDS DB instances are protected by AWS Backup",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBInstance",
    reads=["aws.rds.db_instances", "aws.backup.protected_resources"],
    remediation="Assign the instance to an AWS Backup plan (by ARN, resource type or tag) so its backups are "
    "scheduled, retained and copied under central policy.",
)
def instance_backup_protected(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automated backups disappear with the instance and follow each instance's own retention;
    AWS Backup keeps recovery points in a vault under a central plan (retention, copies, vault
    lock). An instance is protected when AWS Backup holds a recovery point of it
    (ListProtectedResources) (A1.2, CC7.5). Cluster members are judged through their cluster."""
    protected = inv.backup.protected_arns()
    for db in inv.rds.db_instances:
        if db.cluster_id:
            continue
        yield _protection_verdict(db, protected)


@check(
    id="aws.rds.cluster_backup_protected",
    title="RDS DB clusters are protected by AWS Backup",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::RDS::DBCluster",
    reads=["aws.rds.db_clusters", "aws.backup.protected_resources"],
    remediation="Assign the cluster to an AWS Backup plan (by ARN, resource type Aurora or tag).",
)
def cluster_backup_protected(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A cluster is protected when AWS Backup holds a recovery point of it (ListProtectedResources):
    its backups then follow a central plan and survive the cluster (A1.2, CC7.5)."""
    protected = inv.backup.protected_arns()
    for cluster in inv.rds.db_clusters:
        yield _protection_verdict(cluster, protected)


def _protection_verdict(resource: Resource, protected: dict[str, ProtectedResource]) -> Result:
    record = protected.get(resource.id)
    if record is None:
        return Result.failed(resource, "AWS Backup holds no recovery point of this resource")
    return Result.passed(
        resource, f"AWS Backup protects it (resource type {record.resource_type})", last_backup_time=record.last_backup_time
    )
