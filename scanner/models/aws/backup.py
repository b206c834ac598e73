"""AWS Backup facts: backup plans and their rules."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class BackupRule(Frozen):
    name: str
    target_vault: str
    schedule: str | None = None
    delete_after_days: int | None = None


class BackupPlan(Resource):
    rules: list[BackupRule] = Field(default_factory=list)


class Backup(BaseModel):
    plans: list[BackupPlan] = Field(default_factory=list)
