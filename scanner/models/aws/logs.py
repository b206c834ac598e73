"""CloudWatch Logs facts: log groups."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class LogGroup(Resource):
    retention_days: int | None = None  # None = never expire
    kms_key_id: str | None = None
    stored_bytes: int = 0


class Logs(BaseModel):
    log_groups: list[LogGroup] = Field(default_factory=list)
