"""EFS checks through moto's server: encryption at rest, backups (automatic backup policy or AWS
Backup; ListProtectedResources is stubbed with botocore's Stubber because moto lacks it), and
denied reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


def _file_system(efs, name: str, **settings) -> dict:
    return efs.create_file_system(CreationToken=name, Tags=[{"Key": "Name", "Value": name}], **settings)


def test_encrypted_at_rest(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    efs = aws.client("efs")
    _file_system(efs, "pass-encrypted", Encrypted=True, KmsKeyId=key)
    _file_system(efs, "fail-plain")
    report = aws.scan("aws.efs.encrypted_at_rest")
    assert verdicts(report, "aws.efs.encrypted_at_rest") == {("pass-encrypted", "PASS"), ("fail-plain", "FAIL")}
    assert finding(report, "aws.efs.encrypted_at_rest", "pass-encrypted").evidence["kms_key_id"] == key


def test_backup_protected_by_policy_or_aws_backup(aws):
    efs = aws.client("efs")
    _file_system(efs, "pass-automatic-backups", Backup=True)
    by_backup = _file_system(efs, "pass-aws-backup")["FileSystemArn"]
    _file_system(efs, "fail-no-backups")
    replies = {
        ("backup", "us-east-1"): [
            ("ListProtectedResources", {"Results": [{"ResourceArn": by_backup, "ResourceType": "EFS"}]}, {})
        ]
    }
    _, report = stubbed_collect(aws, ["aws.efs.backup_protected"], replies)
    assert verdicts(report, "aws.efs.backup_protected") == {
        ("pass-automatic-backups", "PASS"),
        ("pass-aws-backup", "PASS"),
        ("fail-no-backups", "FAIL"),  # DescribeBackupPolicy: PolicyNotFound, a value not an error
    }
    assert finding(report, "aws.efs.backup_protected", "pass-automatic-backups").message == "automatic backups are ENABLED"


def test_denied_aws_backup_still_judges_file_systems_with_automatic_backups(aws):
    """AWS Backup is an optional input: with ListProtectedResources denied (stubbed: moto lacks it),
    a file system whose automatic backups are on is protected whatever AWS Backup holds; one whose
    policy is off cannot be judged (ERROR naming the denial, never FAIL or PASS). Before optional
    inputs, every file system was ERROR."""
    efs = aws.client("efs")
    _file_system(efs, "pass-automatic-backups", Backup=True)
    _file_system(efs, "undecided-no-policy")
    replies = {("backup", "us-east-1"): [("ListProtectedResources", "AccessDeniedException", {})]}
    _, report = stubbed_collect(aws, ["aws.efs.backup_protected"], replies)
    assert verdicts(report, "aws.efs.backup_protected") == {("pass-automatic-backups", "PASS"), ("undecided-no-policy", "ERROR")}
    undecided = finding(report, "aws.efs.backup_protected", "undecided-no-policy")
    assert undecided.message.startswith("automatic backups are off and AWS Backup's recovery points could not be read")
    assert "access denied to backup:ListProtectedResources in us-east-1" in undecided.message
    assert [e.key for e in report.collection_errors] == ["aws.backup.protected_resources"]  # the failure stays reported


def test_denied_backup_policy_is_error_unless_aws_backup_decides(aws):
    """A denied DescribeBackupPolicy leaves the automatic-backup state unknown: ERROR for that file
    system, unless AWS Backup holds a recovery point, which decides on its own; the encryption
    verdicts (from the listing) are unaffected.

    Both clients are botocore Stubbers: moto cannot deny one EFS action and allow another (see
    the next test), and it lacks ListProtectedResources."""
    arn = f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/"
    listed = [
        {
            "OwnerId": ACCOUNT,
            "CreationToken": name,
            "FileSystemId": fs_id,
            "FileSystemArn": arn + fs_id,
            "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
            "LifeCycleState": "available",
            "Name": name,
            "NumberOfMountTargets": 0,
            "SizeInBytes": {"Value": 6144},
            "PerformanceMode": "generalPurpose",
            "Encrypted": True,
            "Tags": [{"Key": "Name", "Value": name}],
        }
        for name, fs_id in (("unknown-policy", "fs-0000000a"), ("pass-aws-backup", "fs-0000000b"))
    ]
    replies = {
        ("efs", "us-east-1"): [
            ("DescribeFileSystems", {"FileSystems": listed}, {}),
            ("DescribeBackupPolicy", "AccessDeniedException", {"FileSystemId": "fs-0000000a"}),
            ("DescribeBackupPolicy", "AccessDeniedException", {"FileSystemId": "fs-0000000b"}),
        ],
        ("backup", "us-east-1"): [
            ("ListProtectedResources", {"Results": [{"ResourceArn": arn + "fs-0000000b", "ResourceType": "EFS"}]}, {})
        ],
    }
    _, report = stubbed_collect(aws, ["aws.efs.backup_protected", "aws.efs.encrypted_at_rest"], replies)
    assert verdicts(report, "aws.efs.backup_protected") == {("unknown-policy", "ERROR"), ("pass-aws-backup", "PASS")}
    assert "access denied to elasticfilesystem:DescribeBackupPolicy" in finding(report, "aws.efs.backup_protected", "unknown-policy").message
    assert verdicts(report, "aws.efs.encrypted_at_rest") == {("unknown-policy", "PASS"), ("pass-aws-backup", "PASS")}


def test_rejected_listing_is_error_never_pass(aws, denied_session):
    """moto limitation (as for AWS Backup, see test_backup.py): with IAM enforcement on, moto's
    server rejects every signed EFS GET with SignatureDoesNotMatch whatever the policy says (it
    recomputes the signature over a body built from the query string or headers), and the XML 403
    reaches botocore's rest-json parser as a bare "403". So the Deny below is not what fails the
    call; what this pins down is that a 403 on the listing makes the region ERROR, never a verdict."""
    _file_system(aws.client("efs"), "hidden", Encrypted=True)
    report = aws.scan("aws.efs.encrypted_at_rest", session=denied_session("elasticfilesystem:DescribeFileSystems"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.efs.encrypted_at_rest") == {(region, "ERROR")}
    assert "access denied to elasticfilesystem:DescribeFileSystems" in finding(report, "aws.efs.encrypted_at_rest", region).message
    assert [(e.key, e.error_code) for e in report.collection_errors] == [("aws.efs.file_systems", "403")]
