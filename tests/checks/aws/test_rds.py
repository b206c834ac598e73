"""RDS checks through moto's server: encryption, backup retention (with min_days), Multi-AZ,
deletion protection, Aurora cluster members skipped, and a denied DescribeDBInstances; clusters
(encryption, member zones, deletion protection, log exports), instance and cluster snapshots
(encrypted, not public), TLS from parameter groups, log exports, and AWS Backup protection
(ListProtectedResources is stubbed with botocore's Stubber: moto lacks it)."""

from __future__ import annotations

import pytest

from scanner.models.common import Status
from tests.checks.aws._serial_stubs import SharedSessionAccount, at, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


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


# -- clusters ----------------------------------------------------------------------------------------------


def _cluster(rds, name: str, engine: str = "aurora-postgresql", zones: tuple[str, ...] = (), **settings) -> None:
    rds.create_db_cluster(
        DBClusterIdentifier=name, Engine=engine, MasterUsername="app", MasterUserPassword="not-a-real-secret-1", **settings
    )
    for index, zone in enumerate(zones, 1):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{name}-{index}",
            DBInstanceClass="db.r6g.large",
            Engine=engine,
            DBClusterIdentifier=name,
            AvailabilityZone=zone,
        )


def test_cluster_encryption_deletion_protection_and_log_exports(aws):
    rds = aws.client("rds")
    _cluster(rds, "pass-cluster", StorageEncrypted=True, DeletionProtection=True, EnableCloudwatchLogsExports=["postgresql"])
    _cluster(rds, "fail-cluster", engine="aurora-mysql", StorageEncrypted=False, EnableCloudwatchLogsExports=["slowquery"])
    checks = ["aws.rds.cluster_storage_encrypted", "aws.rds.cluster_deletion_protection", "aws.rds.cluster_log_exports"]
    inventory, report = aws.collect(checks)
    assert verdicts(report, "aws.rds.cluster_storage_encrypted") == {("pass-cluster", "PASS"), ("fail-cluster", "FAIL")}
    assert verdicts(report, "aws.rds.cluster_deletion_protection") == {("pass-cluster", "PASS"), ("fail-cluster", "FAIL")}
    assert verdicts(report, "aws.rds.cluster_log_exports") == {("pass-cluster", "PASS"), ("fail-cluster", "FAIL")}
    # Aurora MySQL must export at least its error log by default.
    assert (
        finding(report, "aws.rds.cluster_log_exports", "fail-cluster").message
        == "log types not exported to CloudWatch Logs: error"
    )
    # The engine -> log types map is a parameter.
    relaxed = at(
        inventory,
        checks,
        inventory.metadata.collected_at,
        params={"aws.rds.cluster_log_exports": {"required_log_types": {"aurora-mysql": ["slowquery"]}}},
    )
    assert verdicts(relaxed, "aws.rds.cluster_log_exports") == {("pass-cluster", "PASS"), ("fail-cluster", "PASS")}


def test_cluster_multi_az_from_member_zones(aws):
    rds = aws.client("rds")
    _cluster(rds, "pass-two-zones", zones=("us-east-1a", "us-east-1b"))
    _cluster(rds, "fail-one-zone", zones=("us-east-1a", "us-east-1a"))
    _cluster(rds, "fail-no-instances")
    report = aws.scan("aws.rds.cluster_multi_az")
    assert verdicts(report, "aws.rds.cluster_multi_az") == {
        ("pass-two-zones", "PASS"),
        ("fail-one-zone", "FAIL"),
        ("fail-no-instances", "FAIL"),
    }
    passed = finding(report, "aws.rds.cluster_multi_az", "pass-two-zones")
    assert passed.evidence["availability_zones"] == ["us-east-1a", "us-east-1b"]
    assert finding(report, "aws.rds.cluster_multi_az", "fail-one-zone").message == "instances in 1 Availability Zone(s) (< 2)"
    # DescribeDBInstances is made once for the member zones, whoever else needs it.
    assert report.metadata.api_calls["rds:DescribeDBInstances"] == 1


def test_denied_member_zones_is_error_per_cluster(aws, denied_session):
    """The cluster list is readable, the member instances' zones are not: only the Multi-AZ verdict
    (which rests on them) is ERROR, per cluster."""
    rds = aws.client("rds")
    _cluster(rds, "pass-encrypted", zones=("us-east-1a", "us-east-1b"), StorageEncrypted=True)
    session = denied_session("rds:DescribeDBInstances")
    report = aws.scan("aws.rds.cluster_multi_az", "aws.rds.cluster_storage_encrypted", session=session)
    assert verdicts(report, "aws.rds.cluster_multi_az") == {("pass-encrypted", "ERROR")}
    assert verdicts(report, "aws.rds.cluster_storage_encrypted") == {("pass-encrypted", "PASS")}
    assert "access denied to rds:DescribeDBInstances" in finding(report, "aws.rds.cluster_multi_az", "pass-encrypted").message


def test_denied_clusters_is_error(aws, denied_session):
    _cluster(aws.client("rds"), "hidden", StorageEncrypted=True)
    report = aws.scan("aws.rds.cluster_storage_encrypted", session=denied_session("rds:DescribeDBClusters"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.rds.cluster_storage_encrypted") == {(region, "ERROR")}
    assert "access denied to rds:DescribeDBClusters" in finding(report, "aws.rds.cluster_storage_encrypted", region).message


# -- snapshots ----------------------------------------------------------------------------------------------


def _automated(rds, kind: str = "DBSnapshot") -> dict[str, str]:
    """moto takes an automated snapshot of every new instance and cluster, named after the time."""
    if kind == "DBSnapshot":
        listed = rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
        return {s["DBInstanceIdentifier"]: s["DBSnapshotIdentifier"] for s in listed}
    listed = rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"]
    return {s["DBClusterIdentifier"]: s["DBClusterSnapshotIdentifier"] for s in listed}


def test_instance_snapshots_encrypted_and_not_public(aws):
    rds = aws.client("rds")
    _instance(rds, "encrypted-db", StorageEncrypted=True)
    _instance(rds, "plain-db", StorageEncrypted=False)
    rds.create_db_snapshot(DBSnapshotIdentifier="pass-encrypted-shared", DBInstanceIdentifier="encrypted-db")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="pass-encrypted-shared", AttributeName="restore", ValuesToAdd=["210987654321"]
    )
    rds.create_db_snapshot(DBSnapshotIdentifier="fail-plain-public", DBInstanceIdentifier="plain-db")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="fail-plain-public", AttributeName="restore", ValuesToAdd=["all"])
    automated = _automated(rds)
    report = aws.scan("aws.rds.snapshot_encrypted", "aws.rds.snapshot_not_public")
    assert verdicts(report, "aws.rds.snapshot_encrypted") == {
        ("pass-encrypted-shared", "PASS"),
        ("fail-plain-public", "FAIL"),
        (automated["encrypted-db"], "PASS"),
        (automated["plain-db"], "FAIL"),
    }
    # Automated snapshots cannot be shared: only the manual ones are judged (and their attributes read).
    assert verdicts(report, "aws.rds.snapshot_not_public") == {("pass-encrypted-shared", "PASS"), ("fail-plain-public", "FAIL")}
    assert report.metadata.api_calls["rds:DescribeDBSnapshotAttributes"] == 2
    shared = finding(report, "aws.rds.snapshot_not_public", "pass-encrypted-shared")
    assert shared.evidence["shared_with_accounts"] == ["210987654321"]


def test_cluster_snapshots_encrypted_and_not_public(aws):
    rds = aws.client("rds")
    _cluster(rds, "encrypted-cluster", StorageEncrypted=True)
    _cluster(rds, "plain-cluster", engine="aurora-mysql", StorageEncrypted=False)
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="pass-private", DBClusterIdentifier="encrypted-cluster")
    rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="fail-public", DBClusterIdentifier="plain-cluster")
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier="fail-public", AttributeName="restore", ValuesToAdd=["all"]
    )
    automated = _automated(rds, "DBClusterSnapshot")
    report = aws.scan("aws.rds.cluster_snapshot_encrypted", "aws.rds.cluster_snapshot_not_public")
    assert verdicts(report, "aws.rds.cluster_snapshot_encrypted") == {
        ("pass-private", "PASS"),
        ("fail-public", "FAIL"),
        (automated["encrypted-cluster"], "PASS"),
        (automated["plain-cluster"], "FAIL"),
    }
    assert verdicts(report, "aws.rds.cluster_snapshot_not_public") == {("pass-private", "PASS"), ("fail-public", "FAIL")}


def test_denied_snapshot_attributes_is_error_for_public_check_only(aws, denied_session):
    rds = aws.client("rds")
    _instance(rds, "db", StorageEncrypted=True)
    rds.create_db_snapshot(DBSnapshotIdentifier="manual", DBInstanceIdentifier="db")
    automated = _automated(rds)["db"]
    report = aws.scan(
        "aws.rds.snapshot_encrypted", "aws.rds.snapshot_not_public", session=denied_session("rds:DescribeDBSnapshotAttributes")
    )
    assert verdicts(report, "aws.rds.snapshot_encrypted") == {("manual", "PASS"), (automated, "PASS")}
    assert verdicts(report, "aws.rds.snapshot_not_public") == {("manual", "ERROR")}
    assert "access denied to rds:DescribeDBSnapshotAttributes" in finding(report, "aws.rds.snapshot_not_public", "manual").message


# -- TLS through parameter groups --------------------------------------------------------------------------


def _parameter_group(rds, name: str, family: str, cluster: bool = False, **parameters: str) -> None:
    settings = [
        {"ParameterName": k.replace("__", "."), "ParameterValue": v, "ApplyMethod": "pending-reboot"}
        for k, v in parameters.items()
    ]
    if cluster:
        rds.create_db_cluster_parameter_group(DBClusterParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
        if settings:
            rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=name, Parameters=settings)
    else:
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
        if settings:
            rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=settings)


def test_instance_tls_required(aws):
    """moto keeps only the parameters a test sets (no engine defaults, and no default.* groups):
    the instances use custom groups, and a group without the parameter reads as "not set"."""
    rds = aws.client("rds")
    _parameter_group(rds, "pg-force-ssl", "postgres16", rds__force_ssl="1")
    _parameter_group(rds, "pg-no-ssl", "postgres16", rds__force_ssl="0")
    _parameter_group(rds, "mysql-tls", "mysql8.0", require_secure_transport="ON")
    _parameter_group(rds, "mysql-untouched", "mysql8.0")
    _instance(rds, "pass-postgres-a", DBParameterGroupName="pg-force-ssl")
    _instance(rds, "pass-postgres-b", DBParameterGroupName="pg-force-ssl")
    _instance(rds, "fail-postgres", DBParameterGroupName="pg-no-ssl")
    for name, group in (("pass-mysql", "mysql-tls"), ("fail-mysql", "mysql-untouched")):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="mysql",
            AllocatedStorage=20,
            MasterUsername="app",
            MasterUserPassword="not-a-real-secret-1",
            DBParameterGroupName=group,
        )
    rds.create_db_instance(
        DBInstanceIdentifier="unknown-oracle",
        DBInstanceClass="db.t3.small",
        Engine="oracle-ee",
        AllocatedStorage=20,
        MasterUsername="app",
        MasterUserPassword="not-a-real-secret-1",
    )
    report = aws.scan("aws.rds.instance_tls_required")
    assert verdicts(report, "aws.rds.instance_tls_required") == {
        ("pass-postgres-a", "PASS"),
        ("pass-postgres-b", "PASS"),
        ("fail-postgres", "FAIL"),
        ("pass-mysql", "PASS"),
        ("fail-mysql", "FAIL"),
        ("unknown-oracle", "UNKNOWN"),  # Oracle enforces TLS through an option group, not evaluated
    }
    assert (
        finding(report, "aws.rds.instance_tls_required", "fail-postgres").message
        == "rds.force_ssl is 0 in parameter group pg-no-ssl"
    )
    assert finding(report, "aws.rds.instance_tls_required", "fail-mysql").message == (
        "require_secure_transport is not set in parameter group mysql-untouched"
    )
    # Each parameter group is described once, however many instances share it (the Oracle
    # instance's default group is described too; moto does not know it).
    assert report.metadata.api_calls["rds:DescribeDBParameters"] == 5


def test_cluster_tls_required(aws):
    rds = aws.client("rds")
    _parameter_group(rds, "apg-tls", "aurora-postgresql16", cluster=True, rds__force_ssl="1")
    _parameter_group(rds, "ams-plain", "aurora-mysql8.0", cluster=True, require_secure_transport="OFF")
    _cluster(rds, "pass-aurora-postgres", DBClusterParameterGroupName="apg-tls")
    _cluster(rds, "fail-aurora-mysql", engine="aurora-mysql", DBClusterParameterGroupName="ams-plain")
    report = aws.scan("aws.rds.cluster_tls_required")
    assert verdicts(report, "aws.rds.cluster_tls_required") == {("pass-aurora-postgres", "PASS"), ("fail-aurora-mysql", "FAIL")}
    passed = finding(report, "aws.rds.cluster_tls_required", "pass-aurora-postgres")
    assert passed.evidence["parameter"] == "rds.force_ssl" and passed.evidence["value"] == "1"


def test_denied_parameters_is_error_per_instance(aws, denied_session):
    rds = aws.client("rds")
    _parameter_group(rds, "pg-force-ssl", "postgres16", rds__force_ssl="1")
    _instance(rds, "pass-postgres", DBParameterGroupName="pg-force-ssl")
    report = aws.scan("aws.rds.instance_tls_required", session=denied_session("rds:DescribeDBParameters"))
    assert verdicts(report, "aws.rds.instance_tls_required") == {("pass-postgres", "ERROR")}
    assert (
        "access denied to rds:DescribeDBParameters" in finding(report, "aws.rds.instance_tls_required", "pass-postgres").message
    )


# -- log exports and AWS Backup -----------------------------------------------------------------------------


def test_instance_log_exports(aws):
    rds = aws.client("rds")
    _instance(rds, "pass-postgres-logs", EnableCloudwatchLogsExports=["postgresql", "upgrade"])
    _instance(rds, "fail-upgrade-only", EnableCloudwatchLogsExports=["upgrade"])
    _instance(rds, "fail-no-exports")
    inventory, report = aws.collect(["aws.rds.instance_log_exports"])
    assert verdicts(report, "aws.rds.instance_log_exports") == {
        ("pass-postgres-logs", "PASS"),
        ("fail-upgrade-only", "FAIL"),
        ("fail-no-exports", "FAIL"),
    }
    assert "EnabledCloudwatchLogsExports is empty" in finding(report, "aws.rds.instance_log_exports", "fail-no-exports").message
    assert finding(report, "aws.rds.instance_log_exports", "fail-upgrade-only").evidence["required"] == ["postgresql"]
    # With no required types for postgres, any export passes; none still fails.
    loose = at(
        inventory,
        ["aws.rds.instance_log_exports"],
        inventory.metadata.collected_at,
        params={"aws.rds.instance_log_exports": {"required_log_types": {}}},
    )
    assert verdicts(loose, "aws.rds.instance_log_exports") == {
        ("pass-postgres-logs", "PASS"),
        ("fail-upgrade-only", "PASS"),
        ("fail-no-exports", "FAIL"),
    }


def test_instances_and_clusters_protected_by_aws_backup(aws):
    """moto has no ListProtectedResources: that call is a botocore Stubber (response validated
    against the AWS Backup model); the databases come from moto's server."""
    rds = aws.client("rds")
    _instance(rds, "pass-backed-up")
    _instance(rds, "fail-not-backed-up")
    _cluster(rds, "pass-cluster-backed-up", zones=("us-east-1a",))
    _cluster(rds, "fail-cluster-not-backed-up")
    protected = [
        {"ResourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:pass-backed-up", "ResourceType": "RDS"},
        {"ResourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:pass-cluster-backed-up", "ResourceType": "Aurora"},
    ]
    replies = {("backup", "us-east-1"): [("ListProtectedResources", {"Results": protected}, {})]}
    checks = ["aws.rds.instance_backup_protected", "aws.rds.cluster_backup_protected"]
    _, report = stubbed_collect(aws, checks, replies)
    # The cluster member pass-cluster-backed-up-1 is judged through its cluster.
    assert verdicts(report, "aws.rds.instance_backup_protected") == {("pass-backed-up", "PASS"), ("fail-not-backed-up", "FAIL")}
    assert verdicts(report, "aws.rds.cluster_backup_protected") == {
        ("pass-cluster-backed-up", "PASS"),
        ("fail-cluster-not-backed-up", "FAIL"),
    }


def test_denied_protected_resources_is_error(aws):
    _instance(aws.client("rds"), "db")
    replies = {("backup", "us-east-1"): [("ListProtectedResources", "AccessDeniedException", {})]}
    _, report = stubbed_collect(aws, ["aws.rds.instance_backup_protected"], replies)
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.rds.instance_backup_protected") == {(region, "ERROR")}
    assert (
        "access denied to backup:ListProtectedResources" in finding(report, "aws.rds.instance_backup_protected", region).message
    )


# -- public access and tags on snapshots ------------------------------------------------------------


def test_public_access_and_copy_tags_to_snapshot(aws):
    rds = aws.client("rds")
    _instance(rds, "pass-private", PubliclyAccessible=False, CopyTagsToSnapshot=True)
    _instance(rds, "fail-public", PubliclyAccessible=True, CopyTagsToSnapshot=False)
    _cluster(rds, "pass-cluster-tags", zones=("us-east-1a",), CopyTagsToSnapshot=True)
    _cluster(rds, "fail-cluster-tags", CopyTagsToSnapshot=False)
    report = aws.scan("aws.rds.instance_not_publicly_accessible", "aws.rds.instance_copy_tags_to_snapshot",
                      "aws.rds.cluster_copy_tags_to_snapshot")
    # the Aurora member is judged for public access (a per-instance setting) but not for tag copying (the cluster's)
    assert verdicts(report, "aws.rds.instance_not_publicly_accessible") == {
        ("pass-private", "PASS"), ("pass-cluster-tags-1", "PASS"), ("fail-public", "FAIL")}
    assert finding(report, "aws.rds.instance_not_publicly_accessible", "fail-public").message == (
        "PubliclyAccessible is true: the endpoint resolves to a public IP address")
    assert verdicts(report, "aws.rds.instance_copy_tags_to_snapshot") == {("pass-private", "PASS"), ("fail-public", "FAIL")}
    assert verdicts(report, "aws.rds.cluster_copy_tags_to_snapshot") == {("pass-cluster-tags", "PASS"), ("fail-cluster-tags", "FAIL")}


def test_denied_describe_leaves_public_access_and_tag_copying_undecided(aws, denied_session):
    rds = aws.client("rds")
    _instance(rds, "hidden", PubliclyAccessible=False, CopyTagsToSnapshot=True)
    _cluster(rds, "hidden-cluster", CopyTagsToSnapshot=True)
    checks = ("aws.rds.instance_not_publicly_accessible", "aws.rds.instance_copy_tags_to_snapshot", "aws.rds.cluster_copy_tags_to_snapshot")
    report = aws.scan(*checks, session=denied_session("rds:DescribeDBInstances", "rds:DescribeDBClusters"))
    assert {(f.check_id, f.status.value) for f in report.findings} == {(c, "ERROR") for c in checks}
    assert all("access denied to rds:DescribeDB" in f.message for f in report.findings)
