"""EC2 (regional): EBS encryption by default, volumes, snapshots, AMIs, instances, VPCs, flow logs,
security groups and network ACLs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.ec2 import (
    EbsEncryptionByDefault,
    FlowLog,
    Image,
    Instance,
    NetworkAcl,
    NetworkAclEntry,
    SecurityGroup,
    SecurityGroupPermission,
    Snapshot,
    Volume,
    Vpc,
)

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


def _name(tags: list[dict] | None, default: str) -> str:
    return next((t["Value"] for t in tags or [] if t.get("Key") == "Name" and t.get("Value")), default)


def _tags(tags: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in tags or [] if "Key" in t}


@collector(
    "aws.ec2.ebs_encryption_by_default",
    regional=True,
    permissions=["ec2:GetEbsEncryptionByDefault"],
    facets={
        "default_kms_key": facet(["ec2:GetEbsDefaultKmsKeyId"], ["default_kms_key_id"]),
    },
)
def ebs_encryption_by_default(scope: AwsScope) -> list[EbsEncryptionByDefault]:
    enabled = scope.call("ec2", "GetEbsEncryptionByDefault")["EbsEncryptionByDefault"]
    getters = {"default_kms_key": lambda: {"default_kms_key_id": scope.call("ec2", "GetEbsDefaultKmsKeyId").get("KmsKeyId")}}
    fields, errors = read_facets(scope, "ec2", scope.region, getters if enabled else {})
    return [
        EbsEncryptionByDefault(
            id=scope.arn("ec2", "ebs-encryption-by-default"),
            name=f"EBS encryption by default ({scope.region})",
            region=scope.region,
            account=scope.account,
            enabled=bool(enabled),
            errors=errors,
            **fields,
        )
    ]


@collector("aws.ec2.volumes", regional=True, permissions=["ec2:DescribeVolumes"])
def volumes(scope: AwsScope) -> list[Volume]:
    return [
        Volume(
            id=scope.arn("ec2", f"volume/{v['VolumeId']}"),
            name=_name(v.get("Tags"), v["VolumeId"]),
            region=scope.region,
            account=scope.account,
            encrypted=bool(v.get("Encrypted")),
            kms_key_id=v.get("KmsKeyId"),
            state=v.get("State", "unknown"),
            size_gib=v.get("Size", 0),
            attached_instance_ids=sorted(a["InstanceId"] for a in v.get("Attachments", []) if a.get("InstanceId")),
            tags=_tags(v.get("Tags")),
        )
        for v in scope.pages("ec2", "DescribeVolumes", "Volumes")
    ]


@collector("aws.ec2.instances", regional=True, permissions=["ec2:DescribeInstances"])
def instances(scope: AwsScope) -> list[Instance]:
    reservations = scope.pages("ec2", "DescribeInstances", "Reservations")
    return [
        Instance(
            id=scope.arn("ec2", f"instance/{i['InstanceId']}"),
            name=_name(i.get("Tags"), i["InstanceId"]),
            region=scope.region,
            account=scope.account,
            state=(i.get("State") or {}).get("Name", "unknown"),
            http_tokens=(i.get("MetadataOptions") or {}).get("HttpTokens"),
            http_endpoint=(i.get("MetadataOptions") or {}).get("HttpEndpoint"),
            tags=_tags(i.get("Tags")),
        )
        for reservation in reservations
        for i in reservation.get("Instances", [])
    ]


@collector(
    "aws.ec2.snapshots",
    regional=True,
    permissions=["ec2:DescribeSnapshots"],
    facets={
        "create_volume_permission": facet(["ec2:DescribeSnapshotAttribute"], ["public", "shared_with_accounts"]),
    },
)
def snapshots(scope: AwsScope) -> list[Snapshot]:
    # OwnerIds=self: snapshots shared with the account are someone else's to judge. (The OwnerId
    # filter below repeats it for emulators that ignore OwnerIds.)
    owned = [
        s
        for s in scope.pages("ec2", "DescribeSnapshots", "Snapshots", OwnerIds=["self"])
        if s.get("OwnerId", scope.account) == scope.account
    ]
    return scope.map(lambda s: _snapshot(scope, s), owned)


def _snapshot(scope: AwsScope, snapshot: dict[str, Any]) -> Snapshot:
    snapshot_id = snapshot["SnapshotId"]

    def create_volume_permission() -> dict[str, Any]:
        permissions = scope.call(
            "ec2", "DescribeSnapshotAttribute", SnapshotId=snapshot_id, Attribute="createVolumePermission"
        ).get("CreateVolumePermissions", [])
        return {
            "public": any(p.get("Group") == "all" for p in permissions),
            "shared_with_accounts": sorted(p["UserId"] for p in permissions if p.get("UserId")),
        }

    fields, errors = read_facets(scope, "ec2", scope.region, {"create_volume_permission": create_volume_permission})
    return Snapshot(
        id=f"arn:{scope.partition}:ec2:{scope.region}::snapshot/{snapshot_id}",
        name=_name(snapshot.get("Tags"), snapshot_id),
        region=scope.region,
        account=scope.account,
        volume_id=snapshot.get("VolumeId"),
        encrypted=bool(snapshot.get("Encrypted")),
        kms_key_id=snapshot.get("KmsKeyId"),
        state=snapshot.get("State", "unknown"),
        start_time=snapshot.get("StartTime"),
        errors=errors,
        **fields,
    )


@collector("aws.ec2.images", regional=True, permissions=["ec2:DescribeImages"])
def images(scope: AwsScope) -> list[Image]:
    return [
        Image(
            id=f"arn:{scope.partition}:ec2:{scope.region}::image/{image['ImageId']}",
            name=_name(image.get("Tags"), image.get("Name") or image["ImageId"]),
            region=scope.region,
            account=scope.account,
            public=bool(image.get("Public")),
            state=image.get("State", "unknown"),
        )
        for image in scope.pages("ec2", "DescribeImages", "Images", Owners=["self"])
    ]


@collector("aws.ec2.vpcs", regional=True, permissions=["ec2:DescribeVpcs"])
def vpcs(scope: AwsScope) -> list[Vpc]:
    return [
        Vpc(
            id=scope.arn("ec2", f"vpc/{v['VpcId']}"),
            name=_name(v.get("Tags"), v["VpcId"]),
            region=scope.region,
            account=scope.account,
            is_default=bool(v.get("IsDefault")),
            cidr_block=v.get("CidrBlock", ""),
        )
        for v in scope.pages("ec2", "DescribeVpcs", "Vpcs")
    ]


@collector("aws.ec2.flow_logs", regional=True, permissions=["ec2:DescribeFlowLogs"])
def flow_logs(scope: AwsScope) -> list[FlowLog]:
    return [
        FlowLog(
            id=scope.arn("ec2", f"vpc-flow-log/{f['FlowLogId']}"),
            name=f["FlowLogId"],
            region=scope.region,
            account=scope.account,
            resource_id=f.get("ResourceId", ""),
            status=f.get("FlowLogStatus", "UNKNOWN"),
            traffic_type=f.get("TrafficType", "UNKNOWN"),
            destination_type=f.get("LogDestinationType"),
        )
        for f in scope.pages("ec2", "DescribeFlowLogs", "FlowLogs")
    ]


def _permission(p: dict[str, Any]) -> SecurityGroupPermission:
    return SecurityGroupPermission(
        protocol=str(p.get("IpProtocol", "-1")).lower(),
        from_port=p.get("FromPort"),
        to_port=p.get("ToPort"),
        ipv4_ranges=sorted(r["CidrIp"] for r in p.get("IpRanges", []) if r.get("CidrIp")),
        ipv6_ranges=sorted(r["CidrIpv6"] for r in p.get("Ipv6Ranges", []) if r.get("CidrIpv6")),
        prefix_list_ids=sorted(r["PrefixListId"] for r in p.get("PrefixListIds", []) if r.get("PrefixListId")),
        group_ids=sorted(r["GroupId"] for r in p.get("UserIdGroupPairs", []) if r.get("GroupId")),
    )


@collector("aws.ec2.security_groups", regional=True, permissions=["ec2:DescribeSecurityGroups"])
def security_groups(scope: AwsScope) -> list[SecurityGroup]:
    return [
        SecurityGroup(
            id=scope.arn("ec2", f"security-group/{g['GroupId']}"),
            name=g.get("GroupName") or g["GroupId"],
            region=scope.region,
            account=scope.account,
            group_id=g["GroupId"],
            vpc_id=g.get("VpcId"),
            is_default=g.get("GroupName") == "default",
            ingress=[_permission(p) for p in g.get("IpPermissions", [])],
            egress=[_permission(p) for p in g.get("IpPermissionsEgress", [])],
        )
        for g in scope.pages("ec2", "DescribeSecurityGroups", "SecurityGroups")
    ]


@collector("aws.ec2.network_acls", regional=True, permissions=["ec2:DescribeNetworkAcls"])
def network_acls(scope: AwsScope) -> list[NetworkAcl]:
    return [
        NetworkAcl(
            id=scope.arn("ec2", f"network-acl/{acl['NetworkAclId']}"),
            name=_name(acl.get("Tags"), acl["NetworkAclId"]),
            region=scope.region,
            account=scope.account,
            network_acl_id=acl["NetworkAclId"],
            vpc_id=acl.get("VpcId", ""),
            is_default=bool(acl.get("IsDefault")),
            subnet_ids=sorted(a["SubnetId"] for a in acl.get("Associations", []) if a.get("SubnetId")),
            entries=sorted(
                (
                    NetworkAclEntry(
                        rule_number=e["RuleNumber"],
                        egress=bool(e.get("Egress")),
                        protocol=str(e.get("Protocol", "-1")),
                        allow=e.get("RuleAction") == "allow",
                        cidr=e.get("CidrBlock") or e.get("Ipv6CidrBlock") or "",
                        from_port=(e.get("PortRange") or {}).get("From"),
                        to_port=(e.get("PortRange") or {}).get("To"),
                    )
                    for e in acl.get("Entries", [])
                ),
                key=lambda e: (e.egress, e.rule_number, e.cidr),
            ),
        )
        for acl in scope.pages("ec2", "DescribeNetworkAcls", "NetworkAcls")
    ]
