"""Step Functions checks through moto's server: logging level ALL or ERROR to a log group, the
`levels` parameter, and a denied DescribeStateMachine (ERROR per machine, genuine AccessDenied)."""

from __future__ import annotations

import json

from tests.conftest import finding, verdicts

CHECK = "aws.stepfunctions.state_machine_logging"
ROLE = "arn:aws:iam::123456789012:role/sfn-exec"
DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def _machine(sfn, name: str, logging: dict | None = None, machine_type: str = "STANDARD") -> None:
    sfn.create_state_machine(name=name, definition=DEFINITION, roleArn=ROLE, type=machine_type,
                             **({"loggingConfiguration": logging} if logging else {}))


def _to(group: str, level: str) -> dict:
    arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"
    return {"level": level, "includeExecutionData": True, "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": arn}}]}


def test_state_machine_logging_level_and_destination(aws):
    sfn = aws.client("stepfunctions")
    _machine(sfn, "pass-all", _to("/sfn/orders", "ALL"))
    _machine(sfn, "pass-error-express", _to("/sfn/ingest", "ERROR"), machine_type="EXPRESS")
    _machine(sfn, "fail-fatal-only", _to("/sfn/batch", "FATAL"))
    _machine(sfn, "fail-off")  # no loggingConfiguration: level OFF

    report = aws.scan(CHECK)
    assert verdicts(report, "aws.stepfunctions.state_machine_logging") == {("pass-all", "PASS"), ("pass-error-express", "PASS"), ("fail-fatal-only", "FAIL"),
                                      ("fail-off", "FAIL")}
    assert finding(report, CHECK, "fail-off").message == "loggingConfiguration.level is OFF (expected ALL or ERROR)"
    assert finding(report, CHECK, "pass-all").message == (
        "logs ALL events to arn:aws:logs:us-east-1:123456789012:log-group:/sfn/orders:*")
    strict = aws.scan(CHECK, params={CHECK: {"levels": ["ALL"]}})
    assert verdicts(strict, "aws.stepfunctions.state_machine_logging") == {("pass-all", "PASS"), ("pass-error-express", "FAIL"), ("fail-fatal-only", "FAIL"),
                                      ("fail-off", "FAIL")}


def test_denied_describe_is_error_per_machine(aws, denied_session):
    _machine(aws.client("stepfunctions"), "guarded", _to("/sfn/guarded", "ALL"))
    report = aws.scan(CHECK, session=denied_session("states:DescribeStateMachine"))
    assert verdicts(report, "aws.stepfunctions.state_machine_logging") == {("guarded", "ERROR")}
    assert "access denied to states:DescribeStateMachine" in finding(report, CHECK, "guarded").message
