"""CloudWatch metric alarms: the metrics they watch and the actions they take."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class MetricRef(Frozen):
    name: str
    namespace: str


class MetricAlarm(Resource):
    metrics: list[MetricRef] = Field(default_factory=list)  # the single metric, or each metric of a math alarm
    actions_enabled: bool = True
    alarm_actions: list[str] = Field(default_factory=list)  # ARNs: SNS topics, Auto Scaling, EC2, SSM...
    state: str | None = None  # OK | ALARM | INSUFFICIENT_DATA


class CloudWatch(BaseModel):
    alarms: list[MetricAlarm] = Field(default_factory=list)
