"""EC2 facts: EBS default encryption per region, volumes, snapshots, AMIs, instances, VPCs and flow logs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class EbsEncryptionByDefault(Resource):
    """The per-region account setting; one record per collected region."""

    enabled: bool
    default_kms_key_id: str | None = None


class Volume(Resource):
    encrypted: bool
    kms_key_id: str | None = None
    state: str
    size_gib: int
    attached_instance_ids: list[str] = Field(default_factory=list)
    tags: dict[str, str] = Field(default_factory=dict)  # DLM policies select volumes by tag

    @property
    def volume_id(self) -> str:
        return self.id.rsplit("/", 1)[-1]


class Instance(Resource):
    state: str  # pending | running | stopping | stopped | shutting-down | terminated
    http_tokens: str | None = None  # instance metadata: "required" = IMDSv2 only, "optional" allows IMDSv1
    http_endpoint: str | None = None  # "enabled" | "disabled" (no metadata service at all)
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def instance_id(self) -> str:
        return self.id.rsplit("/", 1)[-1]


class Snapshot(Resource):
    """An EBS snapshot owned by the account."""

    volume_id: str | None = None
    encrypted: bool
    kms_key_id: str | None = None
    state: str  # pending | completed | error | ...
    start_time: datetime | None = None
    # createVolumePermission (facet "create_volume_permission"): None with an entry in errors.
    public: bool | None = None  # the group "all" may create volumes from it
    shared_with_accounts: list[str] = Field(default_factory=list)


class Image(Resource):
    """An AMI owned by the account."""

    public: bool  # launch permission granted to the group "all"
    state: str


class Vpc(Resource):
    is_default: bool
    cidr_block: str


class FlowLog(Resource):
    resource_id: str  # the VPC, subnet or ENI the flow log watches
    status: str  # FlowLogStatus: ACTIVE
    traffic_type: str  # ACCEPT | REJECT | ALL
    destination_type: str | None = None


class Ec2(BaseModel):
    ebs_encryption_by_default: list[EbsEncryptionByDefault] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)
    instances: list[Instance] = Field(default_factory=list)
    snapshots: list[Snapshot] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    vpcs: list[Vpc] = Field(default_factory=list)
    flow_logs: list[FlowLog] = Field(default_factory=list)
