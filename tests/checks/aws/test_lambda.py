"""Lambda function log retention through moto's server.

moto's ListFunctions does not return LoggingConfig, so every function logs to the default
/aws/lambda/<name> group here; a custom LoggingConfig group is tested on a constructed inventory.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

from scanner.engine.evaluate import evaluate
from scanner.models.aws import AwsInventory
from scanner.models.aws.awslambda import AwsLambda, LambdaFunction
from scanner.models.aws.logs import LogGroup, Logs
from scanner.models.common import Coverage, CoverageState, Status
from scanner.models.inventory import Identity, Inventory, InventoryMetadata
from scanner.registry import load_checks, select_checks
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CHECK = "aws.lambda.function_log_retention"


def _function(aws, name: str, region: str = "us-east-1") -> None:
    iam = aws.client("iam")
    try:
        role = iam.get_role(RoleName="fn")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handle(event, context):\n    return event\n")
    aws.client("lambda", region).create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handle", Code={"ZipFile": code.getvalue()}
    )


def test_function_log_retention(aws):
    logs = aws.client("logs")
    for name, days in (("pass-one-year", 365), ("pass-never-expires", None), ("fail-two-weeks", 14)):
        _function(aws, name)
        logs.create_log_group(logGroupName=f"/aws/lambda/{name}")
        if days:
            logs.put_retention_policy(logGroupName=f"/aws/lambda/{name}", retentionInDays=days)
    _function(aws, "fail-no-log-group")
    _function(aws, "fail-eu-no-log-group", region="eu-west-1")
    logs.create_log_group(logGroupName="/aws/lambda/fail-eu-no-log-group")  # same name, other region: not its group
    report = aws.scan(CHECK, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.lambda.function_log_retention") == {
        ("pass-one-year", "PASS"),
        ("pass-never-expires", "PASS"),
        ("fail-two-weeks", "FAIL"),
        ("fail-no-log-group", "FAIL"),
        ("fail-eu-no-log-group", "FAIL"),
    }
    assert finding(report, CHECK, "fail-two-weeks").message == "log group /aws/lambda/fail-two-weeks retains 14 days (< 365)"
    assert finding(report, CHECK, "fail-no-log-group").message == "log group /aws/lambda/fail-no-log-group does not exist"
    relaxed = aws.scan(CHECK, params={CHECK: {"min_days": 14}})
    assert verdicts(relaxed, "aws.lambda.function_log_retention") == {
        ("pass-one-year", "PASS"),
        ("pass-never-expires", "PASS"),
        ("fail-two-weeks", "PASS"),
        ("fail-no-log-group", "FAIL"),
    }


def test_denied_list_functions_is_error(aws, denied_session):
    _function(aws, "fail-no-log-group")
    report = aws.scan(CHECK, session=denied_session("lambda:ListFunctions"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.lambda.function_log_retention") == {(region, "ERROR")}
    assert "access denied to lambda:ListFunctions" in finding(report, CHECK, region).message


def test_custom_logging_config_group_on_a_constructed_inventory():
    """LoggingConfig.LogGroup (which moto does not return) decides the group: an inventory built
    from the models, evaluated with scanner.engine.evaluate.evaluate."""
    where = {"region": "us-east-1", "account": ACCOUNT}
    inventory = Inventory(
        metadata=InventoryMetadata(
            tool_version="test", provider="aws", collected_at=datetime(2026, 1, 1, tzinfo=UTC),
            identity=Identity(account=ACCOUNT, principal=f"arn:aws:iam::{ACCOUNT}:user/scanner", partition="aws"),
            regions=["us-east-1"],
        ),
        coverage=[Coverage(key=k, scope="us-east-1", state=CoverageState.COLLECTED) for k in ("aws.awslambda.functions", "aws.logs.log_groups")],
        aws=AwsInventory(
            awslambda=AwsLambda(functions=[LambdaFunction(
                id=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:api", name="api", **where, log_group_name="/shared/functions",
            )]),
            logs=Logs(log_groups=[
                LogGroup(id=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/shared/functions", name="/shared/functions", **where, retention_days=400),
                LogGroup(id=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/api", name="/aws/lambda/api", **where, retention_days=1),
            ]),
        ),
    )
    (result,) = evaluate(inventory, select_checks(load_checks(), provider="aws", ids=[CHECK]), {})
    assert result.status == Status.PASS
    assert result.message == "log group /shared/functions retains 400 days (>= 365)"
