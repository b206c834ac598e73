"""RDS facts: DB instances and clusters, their snapshots, and the TLS settings of their parameter groups."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class DbInstance(Resource):
    engine: str
    storage_encrypted: bool
    kms_key_id: str | None = None
    backup_retention_days: int
    multi_az: bool
    deletion_protection: bool
    publicly_accessible: bool = False
    copy_tags_to_snapshot: bool = False
    cluster_id: str | None = None  # Aurora members take these settings from their cluster
    availability_zone: str | None = None
    parameter_groups: list[str] = Field(default_factory=list)  # DB parameter group names
    log_exports: list[str] = Field(default_factory=list)  # EnabledCloudwatchLogsExports


class DbCluster(Resource):
    """An Aurora DB cluster or a Multi-AZ DB cluster."""

    engine: str
    status: str
    storage_encrypted: bool
    kms_key_id: str | None = None
    multi_az: bool = False  # as reported by RDS
    deletion_protection: bool = False
    copy_tags_to_snapshot: bool = False
    backup_retention_days: int = 0
    parameter_group: str | None = None  # DB cluster parameter group name
    log_exports: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)  # DB instance identifiers
    # The Availability Zones of the member instances (facet "members", from DescribeDBInstances);
    # None with an entry in errors.
    member_availability_zones: list[str] | None = None


class DbSnapshot(Resource):
    """A DB instance snapshot (automated, manual or AWS Backup) owned by the account."""

    source_id: str  # DBInstanceIdentifier
    engine: str
    snapshot_type: str  # automated | manual | awsbackup ...
    encrypted: bool
    kms_key_id: str | None = None
    created_at: datetime | None = None
    # The "restore" attribute (facet "restore_attribute", manual snapshots only): None with an
    # entry in errors, or for snapshot types that cannot be shared.
    public: bool | None = None
    shared_with_accounts: list[str] = Field(default_factory=list)


class DbClusterSnapshot(DbSnapshot):
    """A DB cluster snapshot; `source_id` is the DBClusterIdentifier."""


class ParameterSetting(Frozen):
    value: str | None = None  # None: the parameter has no value set
    source: str | None = None  # user | system | engine-default


class DbParameterGroup(Resource):
    """A DB (or DB cluster) parameter group used by a collected instance (cluster), with the
    parameters the TLS checks read. `parameters` is empty with an entry in errors when it could
    not be read."""

    kind: str  # "instance" | "cluster"
    parameters: dict[str, ParameterSetting] = Field(default_factory=dict)


class Rds(BaseModel):
    db_instances: list[DbInstance] = Field(default_factory=list)
    db_clusters: list[DbCluster] = Field(default_factory=list)
    db_snapshots: list[DbSnapshot] = Field(default_factory=list)
    db_cluster_snapshots: list[DbClusterSnapshot] = Field(default_factory=list)
    db_parameter_groups: list[DbParameterGroup] = Field(default_factory=list)
    cluster_parameter_groups: list[DbParameterGroup] = Field(default_factory=list)
