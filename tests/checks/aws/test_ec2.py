"""EC2 checks through moto's server: EBS default encryption per region, volumes, VPC flow logs,
IMDSv2 on instances, encrypted and non-public snapshots, non-public AMIs, recent snapshots and
Backup/DLM protection of volumes (DLM and ListProtectedResources stubbed: moto lacks them).

moto has no GetEbsDefaultKmsKeyId (its server answers 500), so when the default is on the
collector records an unreadable `default_kms_key` facet; no check reads that facet, so the verdict
of aws.ec2.ebs_encryption_by_default is unaffected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scanner.models.common import Status
from tests.checks.aws._serial_stubs import SharedSessionAccount, at, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


@pytest.fixture(autouse=True)
def _no_builtin_amis(monkeypatch):
    """moto loads ~1,300 public AMIs (and their snapshots) into every fresh EC2 backend, which costs
    seconds per test; none of these tests needs them (moto does not validate image ids)."""
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")


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


# -- instances: IMDSv2 ----------------------------------------------------------------------------------

AMI = "ami-12345678"  # moto does not validate image ids unless MOTO_ENABLE_AMI_VALIDATION is set


def _instance(ec2, name: str, **settings) -> str:
    return ec2.run_instances(
        ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro", TagSpecifications=_tags("instance", name), **settings
    )["Instances"][0]["InstanceId"]


def test_instance_imdsv2_required(aws):
    ec2 = aws.client("ec2")
    _instance(ec2, "pass-imdsv2", MetadataOptions={"HttpTokens": "required"})
    _instance(ec2, "pass-no-metadata", MetadataOptions={"HttpEndpoint": "disabled"})
    _instance(ec2, "fail-imdsv1", MetadataOptions={"HttpTokens": "optional"})
    stopped = _instance(ec2, "fail-stopped-imdsv1")
    ec2.stop_instances(InstanceIds=[stopped])
    gone = _instance(ec2, "terminated-imdsv1")
    ec2.terminate_instances(InstanceIds=[gone])
    report = aws.scan("aws.ec2.instance_imdsv2_required")
    assert verdicts(report, "aws.ec2.instance_imdsv2_required") == {
        ("pass-imdsv2", "PASS"),
        ("pass-no-metadata", "PASS"),
        ("fail-imdsv1", "FAIL"),
        ("fail-stopped-imdsv1", "FAIL"),  # stopped instances restart with the same options
    }
    failed = finding(report, "aws.ec2.instance_imdsv2_required", "fail-imdsv1")
    assert failed.message == "HttpTokens is optional: IMDSv1 requests are accepted"
    assert failed.resource_id.startswith(f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-")


def test_denied_instances_is_error(aws, denied_session):
    _instance(aws.client("ec2"), "hidden", MetadataOptions={"HttpTokens": "required"})
    report = aws.scan("aws.ec2.instance_imdsv2_required", session=denied_session("ec2:DescribeInstances"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.ec2.instance_imdsv2_required") == {(region, "ERROR")}
    assert "access denied to ec2:DescribeInstances" in finding(report, "aws.ec2.instance_imdsv2_required", region).message


# -- snapshots and AMIs ------------------------------------------------------------------------------------


def _volume(ec2, name: str, encrypted: bool = False, zone: str = "us-east-1a", **tags: str) -> str:
    spec = [
        {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}, *({"Key": k, "Value": v} for k, v in tags.items())]}
    ]
    return ec2.create_volume(AvailabilityZone=zone, Size=1, Encrypted=encrypted, TagSpecifications=spec)["VolumeId"]


def _snapshot(ec2, volume_id: str, name: str) -> str:
    return ec2.create_snapshot(VolumeId=volume_id, TagSpecifications=_tags("snapshot", name))["SnapshotId"]


def test_snapshot_encrypted_and_not_public(aws):
    ec2 = aws.client("ec2")
    encrypted = _volume(ec2, "encrypted-volume", encrypted=True)
    plain = _volume(ec2, "plain-volume")
    _snapshot(ec2, encrypted, "pass-encrypted-private")
    shared = _snapshot(ec2, encrypted, "pass-encrypted-shared")
    ec2.modify_snapshot_attribute(
        SnapshotId=shared, Attribute="createVolumePermission", OperationType="add", UserIds=["210987654321"]
    )
    public = _snapshot(ec2, plain, "fail-plain-public")
    ec2.modify_snapshot_attribute(SnapshotId=public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"])
    report = aws.scan("aws.ec2.snapshot_encrypted", "aws.ec2.snapshot_not_public")
    assert verdicts(report, "aws.ec2.snapshot_encrypted") == {
        ("pass-encrypted-private", "PASS"),
        ("pass-encrypted-shared", "PASS"),
        ("fail-plain-public", "FAIL"),
    }
    assert verdicts(report, "aws.ec2.snapshot_not_public") == {
        ("pass-encrypted-private", "PASS"),
        ("pass-encrypted-shared", "PASS"),  # shared with one named account is not public
        ("fail-plain-public", "FAIL"),
    }
    assert finding(report, "aws.ec2.snapshot_not_public", "pass-encrypted-shared").evidence["shared_with_accounts"] == [
        "210987654321"
    ]
    assert (
        finding(report, "aws.ec2.snapshot_encrypted", "fail-plain-public").resource_id
        == f"arn:aws:ec2:us-east-1::snapshot/{public}"
    )


def test_denied_snapshot_attribute_is_error_for_public_check_only(aws, denied_session):
    ec2 = aws.client("ec2")
    _snapshot(ec2, _volume(ec2, "v", encrypted=True), "pass-encrypted")
    session = denied_session("ec2:DescribeSnapshotAttribute")
    report = aws.scan("aws.ec2.snapshot_encrypted", "aws.ec2.snapshot_not_public", session=session)
    assert verdicts(report, "aws.ec2.snapshot_encrypted") == {("pass-encrypted", "PASS")}
    assert verdicts(report, "aws.ec2.snapshot_not_public") == {("pass-encrypted", "ERROR")}
    assert (
        "access denied to ec2:DescribeSnapshotAttribute"
        in finding(report, "aws.ec2.snapshot_not_public", "pass-encrypted").message
    )


def test_ami_not_public(aws):
    ec2 = aws.client("ec2")
    instance = _instance(ec2, "builder")
    ec2.create_image(InstanceId=instance, Name="pass-private-ami")
    public = ec2.create_image(InstanceId=instance, Name="fail-public-ami")["ImageId"]
    ec2.modify_image_attribute(ImageId=public, LaunchPermission={"Add": [{"Group": "all"}]})
    report = aws.scan("aws.ec2.ami_not_public")
    # Only images the account owns: moto's public Amazon AMIs are not listed.
    assert verdicts(report, "aws.ec2.ami_not_public") == {("pass-private-ami", "PASS"), ("fail-public-ami", "FAIL")}
    assert finding(report, "aws.ec2.ami_not_public", "fail-public-ami").resource_id == f"arn:aws:ec2:us-east-1::image/{public}"


def test_denied_images_is_error(aws, denied_session):
    report = aws.scan("aws.ec2.ami_not_public", session=denied_session("ec2:DescribeImages"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.ec2.ami_not_public") == {(region, "ERROR")}


# -- EBS backups -------------------------------------------------------------------------------------------


def test_volume_recent_snapshot_ages_with_the_snapshot_time(aws):
    """moto stamps snapshots with the current time; the same inventory evaluated ten days later
    (as `trustscan evaluate` does with a saved snapshot) finds the snapshot too old."""
    ec2 = aws.client("ec2")
    _snapshot(ec2, _volume(ec2, "pass-snapshotted"), "daily")
    _volume(ec2, "fail-never-snapshotted")
    inventory, report = aws.collect(["aws.ec2.volume_recent_snapshot"])
    assert verdicts(report, "aws.ec2.volume_recent_snapshot") == {
        ("pass-snapshotted", "PASS"),
        ("fail-never-snapshotted", "FAIL"),
    }
    assert finding(report, "aws.ec2.volume_recent_snapshot", "pass-snapshotted").message == "latest snapshot is 0 days old (<= 7)"
    assert (
        finding(report, "aws.ec2.volume_recent_snapshot", "fail-never-snapshotted").message
        == "no completed snapshot of this volume"
    )

    later = inventory.metadata.collected_at + timedelta(days=10)
    aged = at(inventory, ["aws.ec2.volume_recent_snapshot"], later)
    assert verdicts(aged, "aws.ec2.volume_recent_snapshot") == {
        ("pass-snapshotted", "FAIL"),
        ("fail-never-snapshotted", "FAIL"),
    }
    assert finding(aged, "aws.ec2.volume_recent_snapshot", "pass-snapshotted").message.endswith("days old (> 7)")
    lenient = at(
        inventory, ["aws.ec2.volume_recent_snapshot"], later, params={"aws.ec2.volume_recent_snapshot": {"max_age_days": 30}}
    )
    assert verdicts(lenient, "aws.ec2.volume_recent_snapshot") == {
        ("pass-snapshotted", "PASS"),
        ("fail-never-snapshotted", "FAIL"),
    }


def _dlm_policy(policy_id: str, state: str = "ENABLED", **details) -> dict:
    return {
        "Policy": {
            "PolicyId": policy_id,
            "Description": policy_id,
            "State": state,
            "PolicyArn": f"arn:aws:dlm:us-east-1:{ACCOUNT}:policy/{policy_id}",
            "PolicyDetails": {"PolicyType": "EBS_SNAPSHOT_MANAGEMENT", **details},
        }
    }


def test_volume_backup_protected_by_backup_or_dlm(aws):
    """moto has no DLM and no ListProtectedResources: those two clients are botocore Stubbers
    (responses validated against the service models); volumes and instances come from moto."""
    ec2 = aws.client("ec2")
    by_backup = _volume(ec2, "pass-aws-backup")
    _volume(ec2, "pass-dlm-volume-tag", team="db", backup="daily")
    attached = _volume(ec2, "pass-dlm-instance-tag")
    instance = _instance(ec2, "tagged-instance")
    ec2.create_tags(Resources=[instance], Tags=[{"Key": "snapshots", "Value": "hourly"}])
    ec2.attach_volume(VolumeId=attached, InstanceId=instance, Device="/dev/sdf")
    root = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]["Ebs"][
        "VolumeId"
    ]
    _volume(ec2, "fail-disabled-policy", backup="weekly")
    _volume(ec2, "fail-untagged")
    policies = [
        ("policy-daily", _dlm_policy("policy-daily", ResourceTypes=["VOLUME"], TargetTags=[{"Key": "backup", "Value": "daily"}])),
        (
            "policy-instances",
            _dlm_policy("policy-instances", ResourceTypes=["INSTANCE"], TargetTags=[{"Key": "snapshots", "Value": "hourly"}]),
        ),
        (
            "policy-weekly",
            _dlm_policy(
                "policy-weekly", state="DISABLED", ResourceTypes=["VOLUME"], TargetTags=[{"Key": "backup", "Value": "weekly"}]
            ),
        ),
    ]
    replies = {
        ("dlm", "us-east-1"): [
            ("GetLifecyclePolicies", {"Policies": [{"PolicyId": p, "State": d["Policy"]["State"]} for p, d in policies]}, {}),
            *(("GetLifecyclePolicy", d, {"PolicyId": p}) for p, d in policies),
        ],
        ("backup", "us-east-1"): [
            (
                "ListProtectedResources",
                {"Results": [{"ResourceArn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/{by_backup}", "ResourceType": "EBS"}]},
                {},
            )
        ],
    }
    _, report = stubbed_collect(aws, ["aws.ec2.volume_backup_protected"], replies)
    assert verdicts(report, "aws.ec2.volume_backup_protected") == {
        ("pass-aws-backup", "PASS"),
        ("pass-dlm-volume-tag", "PASS"),
        ("pass-dlm-instance-tag", "PASS"),
        (root, "PASS"),  # the instance's root volume (no Name tag): covered by the instance policy too
        ("fail-disabled-policy", "FAIL"),
        ("fail-untagged", "FAIL"),
    }
    assert (
        finding(report, "aws.ec2.volume_backup_protected", "pass-dlm-instance-tag").message
        == "DLM policy policy-instances targets it"
    )
    assert finding(report, "aws.ec2.volume_backup_protected", "pass-aws-backup").message == "AWS Backup protects the volume"


DAILY = ("policy-daily", _dlm_policy("policy-daily", ResourceTypes=["VOLUME"], TargetTags=[{"Key": "backup", "Value": "daily"}]))


def _dlm_replies(*policies: tuple[str, dict]) -> list:
    listed = {"Policies": [{"PolicyId": p, "State": d["Policy"]["State"]} for p, d in policies]}
    return [("GetLifecyclePolicies", listed, {}), *(("GetLifecyclePolicy", d, {"PolicyId": p}) for p, d in policies)]


def test_volume_backup_protected_without_aws_backup(aws):
    """AWS Backup, DLM and the instances are optional inputs: any one protects a volume. With
    ListProtectedResources denied (stubbed: moto lacks it), a volume a DLM policy targets still
    PASSes; one nothing read protects is ERROR naming the denial, never FAIL."""
    ec2 = aws.client("ec2")
    _volume(ec2, "pass-dlm-volume-tag", backup="daily")
    _volume(ec2, "undecided-untagged")
    replies = {
        ("dlm", "us-east-1"): _dlm_replies(DAILY),
        ("backup", "us-east-1"): [("ListProtectedResources", "AccessDeniedException", {})],
    }
    _, report = stubbed_collect(aws, ["aws.ec2.volume_backup_protected"], replies)
    assert verdicts(report, "aws.ec2.volume_backup_protected") == {("pass-dlm-volume-tag", "PASS"), ("undecided-untagged", "ERROR")}
    message = finding(report, "aws.ec2.volume_backup_protected", "undecided-untagged").message
    assert "access denied to backup:ListProtectedResources in us-east-1" in message


def test_volume_backup_protected_without_instances(aws, denied_session):
    """DescribeInstances denied (moto enforcing IAM): an unattached volume needs no instance and is
    judged (FAIL), an attached one that DLM targets by its own tag PASSes, an attached one that
    nothing protects is ERROR: its instance's tags and recovery points could not be read."""
    ec2 = aws.client("ec2")
    instance = _instance(ec2, "some-instance")
    for name, tags in (("pass-attached-tagged", {"backup": "daily"}), ("undecided-attached", {})):
        ec2.attach_volume(VolumeId=_volume(ec2, name, **tags), InstanceId=instance, Device="/dev/sdf" if tags else "/dev/sdg")
    _volume(ec2, "fail-unattached")
    root = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    replies = {
        ("dlm", "us-east-1"): _dlm_replies(DAILY),
        ("backup", "us-east-1"): [("ListProtectedResources", {"Results": []}, {})],
    }
    _, report = stubbed_collect(
        aws, ["aws.ec2.volume_backup_protected"], replies, session=denied_session("ec2:DescribeInstances")
    )
    assert verdicts(report, "aws.ec2.volume_backup_protected") == {
        ("pass-attached-tagged", "PASS"),
        ("undecided-attached", "ERROR"),
        (root, "ERROR"),
        ("fail-unattached", "FAIL"),
    }
    assert "access denied to ec2:DescribeInstances" in finding(report, "aws.ec2.volume_backup_protected", "undecided-attached").message
