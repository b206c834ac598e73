"""Secrets Manager facts: secrets with their rotation and encryption settings."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Secret(Resource):
    rotation_enabled: bool = False
    rotation_interval_days: int | None = None  # RotationRules.AutomaticallyAfterDays
    rotation_schedule: str | None = None  # RotationRules.ScheduleExpression (cron / rate)
    last_rotated: datetime | None = None
    last_changed: datetime | None = None
    last_accessed: datetime | None = None  # a date only (AWS truncates it to the day)
    created: datetime | None = None
    kms_key_id: str | None = None  # None = the AWS-managed key aws/secretsmanager
    owning_service: str | None = None  # set for secrets managed by another service (RDS, ...)
    primary_region: str | None = None  # set on replicas


class SecretsManager(BaseModel):
    secrets: list[Secret] = Field(default_factory=list)
