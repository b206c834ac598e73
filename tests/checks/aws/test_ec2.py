"""EC2 checks through moto's server: EBS default encryption per region, volumes, VPC flow logs.

moto has no GetEbsDefaultKmsKeyId (its server answers 500), so when the default is on the
collector records an unreadable `default_kms_key` facet; no check reads that facet, so the verdict
of aws.ec2.ebs_encryption_by_default is unaffected.
"""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _tags(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def _default_vpc(ec2) -> str:
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


def test_ebs_encryption_by_default_per_region(aws):
    aws.client("ec2", "us-east-1").enable_ebs_encryption_by_default()
    report = aws.scan("aws.ec2.ebs_encryption_by_default", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.ec2.ebs_encryption_by_default") == {
        ("EBS encryption by default (us-east-1)", "PASS"),
        ("EBS encryption by default (eu-west-1)", "FAIL"),
    }
    failed = finding(report, "aws.ec2.ebs_encryption_by_default", "EBS encryption by default (eu-west-1)")
    assert failed.region == "eu-west-1"
    assert failed.message == "EbsEncryptionByDefault is false"


def test_ebs_encryption_disabled_again_fails(aws):
    ec2 = aws.client("ec2")
    ec2.enable_ebs_encryption_by_default()
    ec2.disable_ebs_encryption_by_default()
    report = aws.scan("aws.ec2.ebs_encryption_by_default")
    assert verdicts(report, "aws.ec2.ebs_encryption_by_default") == {("EBS encryption by default (us-east-1)", "FAIL")}


def test_volume_encrypted(aws):
    ec2 = aws.client("ec2")
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True, TagSpecifications=_tags("volume", "pass-encrypted"))
    kms_key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    ec2.create_volume(
        AvailabilityZone="us-east-1a", Size=10, Encrypted=True, KmsKeyId=kms_key, TagSpecifications=_tags("volume", "pass-cmk")
    )
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=False, TagSpecifications=_tags("volume", "fail-plain"))
    unnamed = ec2.create_volume(AvailabilityZone="us-east-1b", Size=10, Encrypted=False)["VolumeId"]
    report = aws.scan("aws.ec2.volume_encrypted")
    assert verdicts(report, "aws.ec2.volume_encrypted") == {
        ("pass-encrypted", "PASS"),
        ("pass-cmk", "PASS"),
        ("fail-plain", "FAIL"),
        (unnamed, "FAIL"),  # no Name tag: the volume id stands in
    }
    assert finding(report, "aws.ec2.volume_encrypted", "pass-cmk").evidence["kms_key_id"] == kms_key


def test_no_volumes_is_not_applicable(aws):
    report = aws.scan("aws.ec2.volume_encrypted")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_vpc_flow_logs(aws):
    ec2 = aws.client("ec2")
    aws.client("s3").create_bucket(Bucket="flow-log-archive")
    passing = ec2.create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=_tags("vpc", "pass-flow-logged"))["Vpc"]["VpcId"]
    failing = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=_tags("vpc", "fail-subnet-only"))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=failing, CidrBlock="10.2.1.0/24")["Subnet"]["SubnetId"]
    for resource_id, resource_type in ((passing, "VPC"), (subnet, "Subnet")):
        ec2.create_flow_logs(
            ResourceIds=[resource_id],
            ResourceType=resource_type,
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination="arn:aws:s3:::flow-log-archive",
        )
    report = aws.scan("aws.ec2.vpc_flow_logs")
    assert verdicts(report, "aws.ec2.vpc_flow_logs") == {
        ("pass-flow-logged", "PASS"),
        # A flow log on one subnet does not cover the VPC.
        ("fail-subnet-only", "FAIL"),
        # moto creates a default VPC in every region; it has no Name tag and no flow log.
        (_default_vpc(ec2), "FAIL"),
    }
    assert finding(report, "aws.ec2.vpc_flow_logs", "pass-flow-logged").evidence["traffic_types"] == ["ALL"]
    assert finding(report, "aws.ec2.vpc_flow_logs", _default_vpc(ec2)).evidence["is_default"] is True


def test_denied_flow_logs_is_error_not_fail(aws, denied_session):
    """Without DescribeFlowLogs every VPC would look unlogged: the region is ERROR instead."""
    aws.client("ec2").create_vpc(CidrBlock="10.1.0.0/16", TagSpecifications=_tags("vpc", "unknown-vpc"))
    report = aws.scan("aws.ec2.vpc_flow_logs", session=denied_session("ec2:DescribeFlowLogs"))
    assert verdicts(report, "aws.ec2.vpc_flow_logs") == {(f"account {ACCOUNT} in us-east-1", "ERROR")}
    error = finding(report, "aws.ec2.vpc_flow_logs", f"account {ACCOUNT} in us-east-1")
    assert "access denied to ec2:DescribeFlowLogs in us-east-1" in error.message
    assert [e.key for e in report.collection_errors] == ["aws.ec2.flow_logs"]


def test_denied_volumes_and_ebs_default_are_errors(aws, denied_session):
    ec2 = aws.client("ec2")
    ec2.enable_ebs_encryption_by_default()
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True, TagSpecifications=_tags("volume", "hidden"))
    session = denied_session("ec2:DescribeVolumes", "ec2:GetEbsEncryptionByDefault")
    report = aws.scan("aws.ec2.volume_encrypted", "aws.ec2.ebs_encryption_by_default", session=session)
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.ec2.volume_encrypted") == {(region, "ERROR")}
    assert verdicts(report, "aws.ec2.ebs_encryption_by_default") == {(region, "ERROR")}
    assert "access denied to ec2:DescribeVolumes" in finding(report, "aws.ec2.volume_encrypted", region).message
    assert (
        "access denied to ec2:GetEbsEncryptionByDefault" in finding(report, "aws.ec2.ebs_encryption_by_default", region).message
    )
