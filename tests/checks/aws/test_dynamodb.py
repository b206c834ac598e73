"""DynamoDB through moto's server: point-in-time recovery with denied reads, customer-managed KMS
encryption, deletion protection, AWS Backup protection (ListProtectedResources stubbed)."""

from __future__ import annotations

import pytest

from scanner.models.aws import AwsInventory
from scanner.models.aws.dynamodb import DynamoDb, Table
from scanner.models.aws.kms import Kms, KmsKey
from scanner.models.common import Status
from tests.checks.aws._serial_stubs import SharedSessionAccount, at, inventory_of, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


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


def _create(aws, name: str, **settings) -> str:
    return aws.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **settings,
    )["TableDescription"]["TableArn"]


def test_table_cmk_encrypted(aws):
    key = aws.client("kms").create_key(Description="orders")["KeyMetadata"]["Arn"]
    _create(aws, "pass-cmk", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
    _create(aws, "fail-aws-owned")
    report = aws.scan("aws.dynamodb.table_cmk_encrypted")
    assert verdicts(report, "aws.dynamodb.table_cmk_encrypted") == {("pass-cmk", "PASS"), ("fail-aws-owned", "FAIL")}
    assert finding(report, "aws.dynamodb.table_cmk_encrypted", "pass-cmk").evidence["kms_key_arn"] == key
    assert finding(report, "aws.dynamodb.table_cmk_encrypted", "fail-aws-owned").message == (
        "encrypted with an AWS owned key (no SSE KMS key configured)"
    )


def test_table_with_aws_managed_key(aws):
    """moto reports its alias/aws/dynamodb key as KeyManager CUSTOMER, so the AWS-managed case is an
    inventory built from the models and evaluated directly (what `trustscan evaluate` does)."""
    key_arn = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    common = {"region": "us-east-1", "account": ACCOUNT, "status": "ACTIVE"}
    tables = [
        Table(
            id=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/fail-aws-managed",
            name="fail-aws-managed",
            sse_type="KMS",
            kms_key_arn=key_arn,
            **common,
        ),
        Table(
            id=f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/unknown-key",
            name="unknown-key",
            sse_type="KMS",
            kms_key_arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
            **common,
        ),
    ]
    key = KmsKey(
        id=key_arn,
        name=key_arn.rsplit("/", 1)[-1],
        region="us-east-1",
        account=ACCOUNT,
        key_manager="AWS",
        key_state="Enabled",
        key_spec="SYMMETRIC_DEFAULT",
        origin="AWS_KMS",
    )
    inventory = inventory_of(
        AwsInventory(dynamodb=DynamoDb(tables=tables), kms=Kms(keys=[key])), ["aws.dynamodb.tables", "aws.kms.keys"]
    )
    check = "aws.dynamodb.table_cmk_encrypted"
    report = at(inventory, [check], inventory.metadata.collected_at)
    assert verdicts(report, check) == {("fail-aws-managed", "FAIL"), ("unknown-key", "UNKNOWN")}
    assert finding(report, check, "fail-aws-managed").message == "SSEType is KMS with the AWS managed key aws/dynamodb"
    relaxed = at(inventory, [check], inventory.metadata.collected_at, params={check: {"require_cmk": False}})
    assert verdicts(relaxed, check) == {("fail-aws-managed", "PASS"), ("unknown-key", "PASS")}


def test_deletion_protection(aws):
    _create(aws, "pass-protected", DeletionProtectionEnabled=True)
    _create(aws, "fail-unprotected")
    report = aws.scan("aws.dynamodb.deletion_protection")
    assert verdicts(report, "aws.dynamodb.deletion_protection") == {("pass-protected", "PASS"), ("fail-unprotected", "FAIL")}


def test_table_backup_protected(aws):
    """moto has no ListProtectedResources: a botocore Stubber answers it (validated against the
    AWS Backup model, see _serial_stubs); the tables come from moto's server."""
    arn = _create(aws, "pass-backed-up")
    _create(aws, "fail-not-backed-up")
    replies = {
        ("backup", "us-east-1"): [("ListProtectedResources", {"Results": [{"ResourceArn": arn, "ResourceType": "DynamoDB"}]}, {})]
    }
    _, report = stubbed_collect(aws, ["aws.dynamodb.table_backup_protected"], replies)
    assert verdicts(report, "aws.dynamodb.table_backup_protected") == {("pass-backed-up", "PASS"), ("fail-not-backed-up", "FAIL")}
