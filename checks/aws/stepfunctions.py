"""Step Functions: execution logging of state machines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.stepfunctions.state_machine_logging",
    title="Step Functions state machines log executions (ALL or ERROR) to CloudWatch Logs",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::StepFunctions::StateMachine",
    reads=["aws.stepfunctions.state_machines:description"],
    params={"levels": ["ALL", "ERROR"]},
    remediation="Update the state machine with a loggingConfiguration of level ALL or ERROR and a CloudWatch Logs "
    "log group destination (update-state-machine --logging-configuration ...).",
)
def state_machine_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Execution history of a standard workflow lasts 90 days and an express workflow keeps none:
    execution logs in CloudWatch Logs are the record of what each run did and why it failed (CC7.2).
    PASS when the level is one of `levels` (default ALL or ERROR; FATAL records only aborted runs) and
    a log group receives the events."""
    levels = [str(level).upper() for level in ctx.params["levels"]]
    for machine in inv.stepfunctions.state_machines:
        evidence = {"level": machine.logging_level, "log_group_arns": machine.log_group_arns, "type": machine.machine_type}
        if machine.logging_level not in levels:
            yield Result.failed(machine, f"loggingConfiguration.level is {machine.logging_level} (expected {' or '.join(levels)})", **evidence)
        elif not machine.log_group_arns:
            yield Result.failed(machine, f"loggingConfiguration.level is {machine.logging_level} but no log group destination", **evidence)
        else:
            yield Result.passed(machine, f"logs {machine.logging_level} events to {', '.join(machine.log_group_arns)}", **evidence)
