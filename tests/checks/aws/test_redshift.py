"""Redshift checks through moto's server: encryption, automated snapshot retention, audit logging,
require_ssl, and denied reads.

moto's DescribeClusterParameters returns one fixed list (require_ssl "false") whatever the group,
and it has no ModifyClusterParameterGroup: the require_ssl=true case is a botocore Stubber on a
real Redshift client (responses validated against the service model, see _serial_stubs)."""

from __future__ import annotations

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


def _cluster(redshift, name: str, **settings) -> None:
    redshift.create_cluster(
        ClusterIdentifier=name, NodeType="ra3.xlplus", MasterUsername="admin", MasterUserPassword="Not-a-secret-1", **settings
    )


def test_encryption_and_snapshot_retention(aws):
    redshift = aws.client("redshift")
    _cluster(redshift, "pass-cluster", Encrypted=True, AutomatedSnapshotRetentionPeriod=14)
    _cluster(redshift, "fail-cluster", Encrypted=False, AutomatedSnapshotRetentionPeriod=3)
    _cluster(redshift, "fail-default-retention")  # the default is 1 day
    report = aws.scan("aws.redshift.cluster_encrypted", "aws.redshift.snapshot_retention")
    assert verdicts(report, "aws.redshift.cluster_encrypted") == {
        ("pass-cluster", "PASS"),
        ("fail-cluster", "FAIL"),
        ("fail-default-retention", "FAIL"),
    }
    assert verdicts(report, "aws.redshift.snapshot_retention") == {
        ("pass-cluster", "PASS"),
        ("fail-cluster", "FAIL"),
        ("fail-default-retention", "FAIL"),
    }
    assert (
        finding(report, "aws.redshift.snapshot_retention", "fail-cluster").message
        == "AutomatedSnapshotRetentionPeriod is 3 days (< 7)"
    )
    assert finding(report, "aws.redshift.snapshot_retention", "fail-default-retention").message == (
        "AutomatedSnapshotRetentionPeriod is 1 day (< 7)"
    )
    assert finding(report, "aws.redshift.cluster_encrypted", "pass-cluster").resource_id == (
        f"arn:aws:redshift:us-east-1:{ACCOUNT}:cluster:pass-cluster"
    )


def test_audit_logging_and_default_require_ssl(aws):
    aws.client("s3").create_bucket(Bucket="audit-logs")
    redshift = aws.client("redshift")
    _cluster(redshift, "pass-logged")
    _cluster(redshift, "fail-not-logged")
    redshift.enable_logging(ClusterIdentifier="pass-logged", BucketName="audit-logs", S3KeyPrefix="redshift/")
    report = aws.scan("aws.redshift.audit_logging", "aws.redshift.require_ssl")
    assert verdicts(report, "aws.redshift.audit_logging") == {("pass-logged", "PASS"), ("fail-not-logged", "FAIL")}
    # Both use the default parameter group, whose require_ssl is false.
    assert verdicts(report, "aws.redshift.require_ssl") == {("pass-logged", "FAIL"), ("fail-not-logged", "FAIL")}
    assert finding(report, "aws.redshift.require_ssl", "fail-not-logged").message == "require_ssl is false"
    assert report.metadata.api_calls["redshift:DescribeClusterParameters"] == 1  # one group, described once


def _stubbed_cluster(name: str, group: str) -> dict:
    return {
        "ClusterIdentifier": name,
        "NodeType": "ra3.xlplus",
        "ClusterStatus": "available",
        "Encrypted": True,
        "AutomatedSnapshotRetentionPeriod": 7,
        "ClusterParameterGroups": [{"ParameterGroupName": group, "ParameterApplyStatus": "in-sync"}],
    }


def test_require_ssl_from_a_custom_parameter_group(aws):
    def parameters(value: str, source: str) -> dict:
        return {"Parameters": [{"ParameterName": "require_ssl", "ParameterValue": value, "Source": source}]}

    logging = {"LoggingEnabled": True, "LogDestinationType": "cloudwatch", "LogExports": ["connectionlog", "userlog"]}
    replies = {
        ("redshift", "us-east-1"): [
            (
                "DescribeClusters",
                {"Clusters": [_stubbed_cluster("pass-ssl", "tls-only"), _stubbed_cluster("fail-plain", "default.redshift-2.0")]},
                {},
            ),
            ("DescribeClusterParameters", parameters("true", "user"), {"ParameterGroupName": "tls-only"}),
            ("DescribeLoggingStatus", logging, {"ClusterIdentifier": "pass-ssl"}),
            ("DescribeClusterParameters", parameters("false", "engine-default"), {"ParameterGroupName": "default.redshift-2.0"}),
            ("DescribeLoggingStatus", {"LoggingEnabled": False}, {"ClusterIdentifier": "fail-plain"}),
        ]
    }
    _, report = stubbed_collect(aws, ["aws.redshift.require_ssl", "aws.redshift.audit_logging"], replies)
    assert verdicts(report, "aws.redshift.require_ssl") == {("pass-ssl", "PASS"), ("fail-plain", "FAIL")}
    assert finding(report, "aws.redshift.require_ssl", "pass-ssl").evidence == {
        "parameter_groups": ["tls-only"],
        "source": "user",
    }
    assert finding(report, "aws.redshift.audit_logging", "pass-ssl").evidence == {
        "destination": "cloudwatch",
        "log_exports": ["connectionlog", "userlog"],
    }


def test_denied_logging_status_is_error_for_logging_only(aws, denied_session):
    _cluster(aws.client("redshift"), "pass-encrypted", Encrypted=True)
    session = denied_session("redshift:DescribeLoggingStatus")
    report = aws.scan("aws.redshift.audit_logging", "aws.redshift.cluster_encrypted", session=session)
    assert verdicts(report, "aws.redshift.audit_logging") == {("pass-encrypted", "ERROR")}
    assert verdicts(report, "aws.redshift.cluster_encrypted") == {("pass-encrypted", "PASS")}
    message = finding(report, "aws.redshift.audit_logging", "pass-encrypted").message
    assert "access denied to redshift:DescribeLoggingStatus" in message


def test_denied_clusters_is_error(aws, denied_session):
    _cluster(aws.client("redshift"), "hidden", Encrypted=True)
    report = aws.scan("aws.redshift.cluster_encrypted", session=denied_session("redshift:DescribeClusters"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.redshift.cluster_encrypted") == {(region, "ERROR")}
