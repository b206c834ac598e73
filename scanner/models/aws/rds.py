"""RDS facts: DB instances."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class DbInstance(Resource):
    engine: str
    storage_encrypted: bool
    kms_key_id: str | None = None
    backup_retention_days: int
    multi_az: bool
    deletion_protection: bool
    publicly_accessible: bool = False
    cluster_id: str | None = None  # Aurora members take these settings from their cluster


class Rds(BaseModel):
    db_instances: list[DbInstance] = Field(default_factory=list)
