"""EC2 (regional): EBS encryption by default, volumes, VPCs, flow logs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector
from scanner.models.aws.ec2 import EbsEncryptionByDefault, FlowLog, Volume, Vpc

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


def _name(tags: list[dict] | None, default: str) -> str:
    return next((t["Value"] for t in tags or [] if t.get("Key") == "Name" and t.get("Value")), default)


@collector(
    "aws.ec2.ebs_encryption_by_default",
    regional=True,
    permissions=["ec2:GetEbsEncryptionByDefault", "ec2:GetEbsDefaultKmsKeyId"],
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
        )
        for v in scope.pages("ec2", "DescribeVolumes", "Volumes")
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
