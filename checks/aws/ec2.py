"""EC2: EBS encryption (account default and volumes), VPC flow logs."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.ec2.ebs_encryption_by_default",
    title="EBS encryption by default is enabled in every region",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Region",
    reads=["aws.ec2.ebs_encryption_by_default"],
    remediation="EC2 console > Settings > EBS encryption > Always encrypt new EBS volumes, in each region "
    "(aws ec2 enable-ebs-encryption-by-default --region R).",
)
def ebs_encryption_by_default(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With the regional default on, no new volume or snapshot copy can be created unencrypted,
    which makes encryption at rest a preventive control rather than a detective one."""
    for setting in inv.ec2.ebs_encryption_by_default:
        if setting.enabled:
            yield Result.passed(setting, "EbsEncryptionByDefault is true", default_kms_key_id=setting.default_kms_key_id)
        else:
            yield Result.failed(setting, "EbsEncryptionByDefault is false")


@check(
    id="aws.ec2.volume_encrypted",
    title="EBS volumes are encrypted",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::EC2::Volume",
    reads=["aws.ec2.volumes"],
    remediation="Snapshot the volume, copy the snapshot with encryption, create a volume from it and swap it in.",
)
def volume_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Unencrypted volumes and their snapshots expose data to anyone who can copy them (C1.1, CC6.1)."""
    for volume in inv.ec2.volumes:
        if volume.encrypted:
            yield Result.passed(volume, "Encrypted is true", kms_key_id=volume.kms_key_id)
        else:
            yield Result.failed(volume, "Encrypted is false", attached_instance_ids=volume.attached_instance_ids)


@check(
    id="aws.ec2.vpc_flow_logs",
    title="Every VPC has flow logs enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::EC2::VPC",
    reads=["aws.ec2.vpcs", "aws.ec2.flow_logs"],
    remediation="Create a flow log for the VPC (traffic type ALL) to CloudWatch Logs or S3.",
)
def vpc_flow_logs(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Flow logs record network connections to and from the VPC, the evidence for detecting and
    investigating anomalous traffic (CC7.2)."""
    active: dict[str, list[str]] = {}
    for flow in inv.ec2.flow_logs:
        if flow.status == "ACTIVE":
            active.setdefault(flow.resource_id, []).append(flow.traffic_type)
    for vpc in inv.ec2.vpcs:
        vpc_id = vpc.id.rsplit("/", 1)[-1]
        traffic = active.get(vpc_id)
        if traffic:
            yield Result.passed(vpc, f"active flow log capturing {', '.join(sorted(traffic))} traffic", traffic_types=sorted(traffic))
        else:
            yield Result.failed(vpc, "no active flow log on this VPC", is_default=vpc.is_default)
