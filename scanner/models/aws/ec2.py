"""EC2 facts: EBS default encryption per region, volumes, VPCs and flow logs."""

from __future__ import annotations

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
    vpcs: list[Vpc] = Field(default_factory=list)
    flow_logs: list[FlowLog] = Field(default_factory=list)
