"""Compute Engine facts: project metadata, instances, disks, snapshots, networks, firewalls,
subnetworks, backend services, managed instance groups, resource policies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class ProjectMetadata(Resource):
    """commonInstanceMetadata of a project (id = "projects/<id>/metadata")."""

    items: dict[str, str] = Field(default_factory=dict)


class Instance(Resource):
    zone: str
    status: str
    metadata: dict[str, str] = Field(default_factory=dict)
    deletion_protection: bool = False
    service_accounts: list[str] = Field(default_factory=list)
    gke_node: bool = False  # labelled goog-gke-node: managed by GKE


class Disk(Resource):
    zone: str
    size_gb: int | None = None
    kms_key_name: str | None = None  # customer-managed encryption key (CMEK)
    csek: bool = False  # customer-supplied key (diskEncryptionKey.sha256 without kmsKeyName)
    resource_policies: list[str] = Field(default_factory=list)  # policy names attached
    users: list[str] = Field(default_factory=list)  # instance names using the disk


class Snapshot(Resource):
    source_disk: str | None = None  # the disk's selfLink, as returned
    created_at: datetime | None = None
    status: str | None = None


class ResourcePolicy(Resource):
    snapshot_schedule: bool = False  # a snapshotSchedulePolicy


class Network(Resource):
    auto_create_subnetworks: bool | None = None
    legacy: bool = False  # no subnetworks at all (IPv4Range)


class Subnetwork(Resource):
    network: str
    purpose: str | None = None
    flow_logs_enabled: bool = False
    flow_sampling: float | None = None
    aggregation_interval: str | None = None
    metadata: str | None = None


class FirewallPermission(Frozen):
    """One entry of a rule's `allowed` list."""

    protocol: str  # IPProtocol: tcp, udp, icmp, all, or an IP protocol number
    ports: list[str] = Field(default_factory=list)  # "22", "8000-8080"; empty: every port


class FirewallRule(Resource):
    network: str
    direction: str
    disabled: bool = False
    allows: bool = True  # an allow rule (False: deny)
    allowed: list[FirewallPermission] = Field(default_factory=list)
    source_ranges: list[str] = Field(default_factory=list)
    source_tags: list[str] = Field(default_factory=list)
    source_service_accounts: list[str] = Field(default_factory=list)
    logging_enabled: bool = False


class BackendService(Resource):
    protocol: str | None = None
    load_balancing_scheme: str | None = None
    logging_enabled: bool = False
    sample_rate: float | None = None


class InstanceGroupManager(Resource):
    zones: list[str] = Field(default_factory=list)  # where its instances run
    regional: bool = False
    target_size: int | None = None


class Compute(BaseModel):
    project_metadata: list[ProjectMetadata] = Field(default_factory=list)
    instances: list[Instance] = Field(default_factory=list)
    disks: list[Disk] = Field(default_factory=list)
    snapshots: list[Snapshot] = Field(default_factory=list)
    resource_policies: list[ResourcePolicy] = Field(default_factory=list)
    networks: list[Network] = Field(default_factory=list)
    subnetworks: list[Subnetwork] = Field(default_factory=list)
    firewalls: list[FirewallRule] = Field(default_factory=list)
    backend_services: list[BackendService] = Field(default_factory=list)
    instance_group_managers: list[InstanceGroupManager] = Field(default_factory=list)
