"""RDS checks through moto's server: encryption, backup retention (with min_days), Multi-AZ,
deletion protection, Aurora cluster members skipped, and a denied DescribeDBInstances."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _instance(rds, name: str, **settings) -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-secret-1",
        **settings,
    )


def test_storage_encrypted(aws):
    rds = aws.client("rds")
    _instance(rds, "pass-encrypted", StorageEncrypted=True)
    _instance(rds, "fail-plain", StorageEncrypted=False)
    report = aws.scan("aws.rds.instance_storage_encrypted")
    assert verdicts(report, "aws.rds.instance_storage_encrypted") == {("pass-encrypted", "PASS"), ("fail-plain", "FAIL")}
    assert finding(report, "aws.rds.instance_storage_encrypted", "fail-plain").evidence["engine"] == "postgres"


def test_backup_retention_and_min_days(aws):
    rds = aws.client("rds")
    _instance(rds, "pass-14-days", BackupRetentionPeriod=14)
    _instance(rds, "pass-7-days", BackupRetentionPeriod=7)
    _instance(rds, "fail-3-days", BackupRetentionPeriod=3)
    _instance(rds, "fail-disabled", BackupRetentionPeriod=0)
    report = aws.scan("aws.rds.backup_retention")
    assert verdicts(report, "aws.rds.backup_retention") == {
        ("pass-14-days", "PASS"),
        ("pass-7-days", "PASS"),  # the default minimum is 7: equal passes
        ("fail-3-days", "FAIL"),
        ("fail-disabled", "FAIL"),
    }
    assert finding(report, "aws.rds.backup_retention", "fail-3-days").message == "BackupRetentionPeriod is 3 days (< 7)"
    assert "automated backups are disabled" in finding(report, "aws.rds.backup_retention", "fail-disabled").message

    strict = aws.scan("aws.rds.backup_retention", params={"aws.rds.backup_retention": {"min_days": 14}})
    assert verdicts(strict, "aws.rds.backup_retention") == {
        ("pass-14-days", "PASS"),
        ("pass-7-days", "FAIL"),
        ("fail-3-days", "FAIL"),
        ("fail-disabled", "FAIL"),
    }
    assert finding(strict, "aws.rds.backup_retention", "pass-7-days").message == "BackupRetentionPeriod is 7 days (< 14)"

    lenient = aws.scan("aws.rds.backup_retention", params={"aws.rds.backup_retention": {"min_days": 1}})
    assert verdicts(lenient, "aws.rds.backup_retention") == {
        ("pass-14-days", "PASS"),
        ("pass-7-days", "PASS"),
        ("fail-3-days", "PASS"),
        ("fail-disabled", "FAIL"),
    }


def test_multi_az_and_deletion_protection(aws):
    rds = aws.client("rds")
    _instance(rds, "pass-both", MultiAZ=True, DeletionProtection=True)
    _instance(rds, "fail-both", MultiAZ=False, DeletionProtection=False)
    report = aws.scan("aws.rds.multi_az", "aws.rds.deletion_protection")
    assert verdicts(report, "aws.rds.multi_az") == {("pass-both", "PASS"), ("fail-both", "FAIL")}
    assert verdicts(report, "aws.rds.deletion_protection") == {("pass-both", "PASS"), ("fail-both", "FAIL")}


def test_aurora_cluster_members_are_skipped(aws):
    """Multi-AZ and deletion protection belong to an Aurora cluster, not its member instances."""
    rds = aws.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="aurora",
        Engine="aurora-postgresql",
        MasterUsername="app",
        MasterUserPassword="not-a-real-secret-1",
    )
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-member",
        DBInstanceClass="db.r6g.large",
        Engine="aurora-postgresql",
        DBClusterIdentifier="aurora",
    )
    _instance(rds, "fail-standalone", MultiAZ=False, DeletionProtection=False)
    inventory, report = aws.collect(["aws.rds.multi_az", "aws.rds.deletion_protection"])
    # The member is collected (moto reports it with MultiAZ/DeletionProtection false) but not judged.
    assert {db.name: db.cluster_id for db in inventory.aws.rds.db_instances} == {
        "aurora-member": "aurora",
        "fail-standalone": None,
    }
    assert verdicts(report, "aws.rds.multi_az") == {("fail-standalone", "FAIL")}
    assert verdicts(report, "aws.rds.deletion_protection") == {("fail-standalone", "FAIL")}


def test_only_cluster_members_is_not_applicable(aws):
    rds = aws.client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="aurora", Engine="aurora-mysql", MasterUsername="app", MasterUserPassword="not-a-real-secret-1"
    )
    rds.create_db_instance(
        DBInstanceIdentifier="aurora-member", DBInstanceClass="db.r6g.large", Engine="aurora-mysql", DBClusterIdentifier="aurora"
    )
    report = aws.scan("aws.rds.multi_az")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_describe_is_error_never_pass(aws, denied_session):
    _instance(aws.client("rds"), "hidden", StorageEncrypted=True, MultiAZ=True, BackupRetentionPeriod=30, DeletionProtection=True)
    checks = ("aws.rds.instance_storage_encrypted", "aws.rds.backup_retention", "aws.rds.multi_az", "aws.rds.deletion_protection")
    report = aws.scan(*checks, session=denied_session("rds:DescribeDBInstances"))
    region = f"account {ACCOUNT} in us-east-1"
    for check_id in checks:
        assert verdicts(report, check_id) == {(region, "ERROR")}, check_id
        message = finding(report, check_id, region).message
        assert "access denied to rds:DescribeDBInstances in us-east-1" in message
        assert "is not authorized to perform: rds:DescribeDBInstances" in message  # moto's genuine AccessDenied
