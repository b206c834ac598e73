"""CloudWatch Logs retention through moto's server, with the min_days parameter."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _group(logs, name: str, days: int | None = None) -> None:
    logs.create_log_group(logGroupName=name)
    if days is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def test_retention_default_and_min_days(aws):
    logs = aws.client("logs")
    _group(logs, "pass-never-expire")
    _group(logs, "pass-400-days", 400)
    _group(logs, "pass-365-days", 365)
    _group(logs, "fail-30-days", 30)
    _group(logs, "fail-1-day", 1)
    report = aws.scan("aws.logs.log_group_retention")
    assert verdicts(report, "aws.logs.log_group_retention") == {
        ("pass-never-expire", "PASS"),
        ("pass-400-days", "PASS"),
        ("pass-365-days", "PASS"),  # the default minimum is 365: equal passes
        ("fail-30-days", "FAIL"),
        ("fail-1-day", "FAIL"),
    }
    assert finding(report, "aws.logs.log_group_retention", "fail-30-days").message == "retentionInDays is 30 (< 365)"
    assert finding(report, "aws.logs.log_group_retention", "pass-never-expire").evidence["retention_days"] is None

    relaxed = aws.scan("aws.logs.log_group_retention", params={"aws.logs.log_group_retention": {"min_days": 30}})
    assert verdicts(relaxed, "aws.logs.log_group_retention") == {
        ("pass-never-expire", "PASS"),
        ("pass-400-days", "PASS"),
        ("pass-365-days", "PASS"),
        ("fail-30-days", "PASS"),
        ("fail-1-day", "FAIL"),
    }
    assert finding(relaxed, "aws.logs.log_group_retention", "fail-1-day").message == "retentionInDays is 1 (< 30)"
    assert relaxed.metadata.parameters["aws.logs.log_group_retention"] == {"min_days": 30}

    strict = aws.scan("aws.logs.log_group_retention", params={"aws.logs.log_group_retention": {"min_days": 400}})
    assert verdicts(strict, "aws.logs.log_group_retention") == {
        ("pass-never-expire", "PASS"),
        ("pass-400-days", "PASS"),
        ("pass-365-days", "FAIL"),
        ("fail-30-days", "FAIL"),
        ("fail-1-day", "FAIL"),
    }


def test_retention_removed_is_never_expire(aws):
    logs = aws.client("logs")
    _group(logs, "pass-retention-removed", 1)
    logs.delete_retention_policy(logGroupName="pass-retention-removed")
    report = aws.scan("aws.logs.log_group_retention")
    assert verdicts(report, "aws.logs.log_group_retention") == {("pass-retention-removed", "PASS")}


def test_log_groups_in_two_regions(aws):
    _group(aws.client("logs", "us-east-1"), "/app/pass-us", 731)
    _group(aws.client("logs", "eu-west-1"), "/app/fail-eu", 14)
    report = aws.scan("aws.logs.log_group_retention", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.logs.log_group_retention") == {("/app/pass-us", "PASS"), ("/app/fail-eu", "FAIL")}
    assert finding(report, "aws.logs.log_group_retention", "/app/fail-eu").region == "eu-west-1"


def test_no_log_groups_is_not_applicable(aws):
    report = aws.scan("aws.logs.log_group_retention")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_describe_is_error_never_pass(aws, denied_session):
    _group(aws.client("logs"), "pass-never-expire")
    session = denied_session("logs:DescribeLogGroups")
    report = aws.scan("aws.logs.log_group_retention", session=session)
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.logs.log_group_retention") == {(region, "ERROR")}
    assert (
        "access denied to logs:DescribeLogGroups in us-east-1" in finding(report, "aws.logs.log_group_retention", region).message
    )
    assert [e.key for e in report.collection_errors] == ["aws.logs.log_groups"]
    # The Deny is what failed the call: the same credentials may still call other Logs actions.
    aws.client("logs", session=session).describe_log_streams(logGroupName="pass-never-expire")


def test_log_group_kms_encrypted(aws):
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="pass-cmk", kmsKeyId=key)
    logs.create_log_group(logGroupName="fail-service-key")
    report = aws.scan("aws.logs.log_group_kms_encrypted")
    assert verdicts(report, "aws.logs.log_group_kms_encrypted") == {("pass-cmk", "PASS"), ("fail-service-key", "FAIL")}
    assert finding(report, "aws.logs.log_group_kms_encrypted", "pass-cmk").evidence["kms_key_id"] == key


def test_metric_filters_collected_and_denied(aws, denied_session):
    """The metric filter collector (read by the CloudWatch alarm checks): its fields, and ERROR when denied."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="trail")
    logs.put_metric_filter(
        logGroupName="trail", filterName="root", filterPattern='{ $.userIdentity.type = "Root" }',
        metricTransformations=[{"metricName": "RootUse", "metricNamespace": "CIS", "metricValue": "1"}],
    )
    inventory, _ = aws.collect(["aws.cloudwatch.alarm_root_account_usage"])
    (flt,) = inventory.aws.logs.metric_filters
    assert (flt.name, flt.log_group_name, flt.filter_pattern) == ("root", "trail", '{ $.userIdentity.type = "Root" }')
    assert [(t.metric_namespace, t.metric_name) for t in flt.transformations] == [("CIS", "RootUse")]
    assert flt.id == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:trail:metric-filter:root"
    denied, _ = aws.collect(["aws.cloudwatch.alarm_root_account_usage"], session=denied_session("logs:DescribeMetricFilters"))
    (coverage,) = denied.coverage_for("aws.logs.metric_filters")
    assert coverage.state == "failed" and "access denied to logs:DescribeMetricFilters" in (coverage.reason or "")
