"""Cloud Monitoring alerting policies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class LogCondition(Frozen):
    """A condition that matches log entries itself instead of watching a metric."""

    kind: str  # "log match" (conditionMatchedLog filter) | "SQL" (conditionSql Log Analytics query)
    text: str


class AlertPolicy(Resource):
    enabled: bool = True
    # The filter or query of every condition: threshold / absence filters, MQL, PromQL, log-match
    # filters and SQL queries. Metric conditions name the metrics they watch in these texts.
    condition_filters: list[str] = Field(default_factory=list)
    log_conditions: list[LogCondition] = Field(default_factory=list)
    notification_channels: list[str] = Field(default_factory=list)


class Monitoring(BaseModel):
    alert_policies: list[AlertPolicy] = Field(default_factory=list)
