"""DynamoDB point-in-time recovery through moto's server, with denied reads."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _table(aws, name: str, pitr: bool, region: str = "us-east-1") -> None:
    dynamodb = aws.client("dynamodb", region)
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    if pitr:
        dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def test_pitr_enabled(aws):
    _table(aws, "pass-pitr", pitr=True)
    _table(aws, "fail-no-pitr", pitr=False)
    _table(aws, "fail-pitr-turned-off", pitr=True)
    aws.client("dynamodb").update_continuous_backups(
        TableName="fail-pitr-turned-off", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    report = aws.scan("aws.dynamodb.pitr_enabled")
    assert verdicts(report, "aws.dynamodb.pitr_enabled") == {
        ("pass-pitr", "PASS"),
        ("fail-no-pitr", "FAIL"),
        ("fail-pitr-turned-off", "FAIL"),
    }
    assert finding(report, "aws.dynamodb.pitr_enabled", "fail-no-pitr").message == "PointInTimeRecoveryStatus is DISABLED"


def test_tables_in_two_regions(aws):
    _table(aws, "pass-us", pitr=True, region="us-east-1")
    _table(aws, "fail-eu", pitr=False, region="eu-west-1")
    report = aws.scan("aws.dynamodb.pitr_enabled", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.dynamodb.pitr_enabled") == {("pass-us", "PASS"), ("fail-eu", "FAIL")}


def test_no_tables_is_not_applicable(aws):
    report = aws.scan("aws.dynamodb.pitr_enabled")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_continuous_backups_is_error_per_table(aws, denied_session):
    _table(aws, "pass-pitr", pitr=True)
    _table(aws, "fail-no-pitr", pitr=False)
    report = aws.scan("aws.dynamodb.pitr_enabled", session=denied_session("dynamodb:DescribeContinuousBackups"))
    assert verdicts(report, "aws.dynamodb.pitr_enabled") == {("pass-pitr", "ERROR"), ("fail-no-pitr", "ERROR")}
    assert (
        "access denied to dynamodb:DescribeContinuousBackups in us-east-1"
        in finding(report, "aws.dynamodb.pitr_enabled", "pass-pitr").message
    )
    assert not report.collection_errors  # the tables themselves were listed and described


def test_denied_list_tables_is_error(aws, denied_session):
    _table(aws, "pass-pitr", pitr=True)
    report = aws.scan("aws.dynamodb.pitr_enabled", session=denied_session("dynamodb:ListTables"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.dynamodb.pitr_enabled") == {(region, "ERROR")}
    assert "access denied to dynamodb:ListTables" in finding(report, "aws.dynamodb.pitr_enabled", region).message
