"""Step Functions facts: state machines with their logging configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class StateMachine(Resource):
    machine_type: str | None = None  # STANDARD | EXPRESS
    # facet "description" (DescribeStateMachine); None with an entry in errors
    logging_level: str | None = None  # loggingConfiguration.level: ALL | ERROR | FATAL | OFF
    include_execution_data: bool | None = None
    log_group_arns: list[str] = Field(default_factory=list)  # destinations[].cloudWatchLogsLogGroup.logGroupArn


class StepFunctions(BaseModel):
    state_machines: list[StateMachine] = Field(default_factory=list)
