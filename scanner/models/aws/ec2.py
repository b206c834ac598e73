"""EC2 facts: EBS default encryption per region, volumes, snapshots, AMIs, instances, VPCs, flow logs,
security groups and network ACLs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


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


class SecurityGroupPermission(Frozen):
    """One IpPermissions entry (inbound or outbound)."""

    protocol: str  # IpProtocol: "-1" (all traffic), tcp, udp, icmp, icmpv6 or an IP protocol number
    from_port: int | None = None  # absent for all traffic; -1 for all ICMP types
    to_port: int | None = None
    ipv4_ranges: list[str] = Field(default_factory=list)  # IpRanges[].CidrIp
    ipv6_ranges: list[str] = Field(default_factory=list)  # Ipv6Ranges[].CidrIpv6
    prefix_list_ids: list[str] = Field(default_factory=list)
    group_ids: list[str] = Field(default_factory=list)  # UserIdGroupPairs[].GroupId (other security groups)


class SecurityGroup(Resource):
    group_id: str
    vpc_id: str | None = None
    is_default: bool  # the VPC's "default" group, which cannot be deleted
    ingress: list[SecurityGroupPermission] = Field(default_factory=list)
    egress: list[SecurityGroupPermission] = Field(default_factory=list)


class NetworkAclEntry(Frozen):
    rule_number: int  # evaluated lowest first; 32767 is the final "*" deny
    egress: bool
    protocol: str  # "-1" (all), "6" (tcp), "17" (udp), "1" (icmp) ...
    allow: bool  # RuleAction allow (False: deny)
    cidr: str  # CidrBlock or Ipv6CidrBlock
    from_port: int | None = None  # PortRange, for tcp and udp
    to_port: int | None = None


class NetworkAcl(Resource):
    network_acl_id: str
    vpc_id: str
    is_default: bool
    subnet_ids: list[str] = Field(default_factory=list)  # associated subnets
    entries: list[NetworkAclEntry] = Field(default_factory=list)


class Ec2(BaseModel):
    ebs_encryption_by_default: list[EbsEncryptionByDefault] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)
    instances: list[Instance] = Field(default_factory=list)
    snapshots: list[Snapshot] = Field(default_factory=list)
    images: list[Image] = Field(default_factory=list)
    vpcs: list[Vpc] = Field(default_factory=list)
    flow_logs: list[FlowLog] = Field(default_factory=list)
    security_groups: list[SecurityGroup] = Field(default_factory=list)
    network_acls: list[NetworkAcl] = Field(default_factory=list)
