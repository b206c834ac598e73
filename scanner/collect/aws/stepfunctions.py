"""Step Functions (regional): ListStateMachines once, DescribeStateMachine per machine (concurrently):
the logging configuration is only in the description."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.stepfunctions import StateMachine

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.stepfunctions.state_machines",
    regional=True,
    permissions=["states:ListStateMachines"],
    facets={
        "description": facet(["states:DescribeStateMachine"], ["logging_level", "include_execution_data", "log_group_arns"]),
    },
)
def state_machines(scope: AwsScope) -> list[StateMachine]:
    listed = scope.pages("stepfunctions", "ListStateMachines", "stateMachines")
    return scope.map(lambda m: _state_machine(scope, m), listed)


def _state_machine(scope: AwsScope, summary: dict[str, Any]) -> StateMachine:
    arn = summary["stateMachineArn"]

    def description() -> dict[str, Any]:
        logging = scope.call("stepfunctions", "DescribeStateMachine", stateMachineArn=arn).get("loggingConfiguration") or {}
        return {
            "logging_level": logging.get("level", "OFF"),
            "include_execution_data": bool(logging.get("includeExecutionData", False)),
            "log_group_arns": sorted(
                d["cloudWatchLogsLogGroup"]["logGroupArn"]
                for d in logging.get("destinations") or []
                if (d.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn")
            ),
        }

    fields, errors = read_facets(scope, "stepfunctions", scope.region, {"description": description})
    return StateMachine(
        id=arn,
        name=summary.get("name") or arn.rsplit(":", 1)[-1],
        region=scope.region,
        account=scope.account,
        machine_type=summary.get("type"),
        errors=errors,
        **fields,
    )
