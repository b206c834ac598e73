"""Cloud Monitoring alerting policies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class AlertPolicy(Resource):
    enabled: bool = True
    condition_filters: list[str] = Field(default_factory=list)
    notification_channels: list[str] = Field(default_factory=list)


class Monitoring(BaseModel):
    alert_policies: list[AlertPolicy] = Field(default_factory=list)
