"""DynamoDB facts: tables with continuous backups."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Table(Resource):
    status: str
    pitr_enabled: bool | None = None  # point-in-time recovery; None with an entry in errors
    deletion_protection: bool = False
    sse_type: str | None = None  # None = AWS-owned key, "KMS" = AWS-managed or customer key
    kms_key_arn: str | None = None


class DynamoDb(BaseModel):
    tables: list[Table] = Field(default_factory=list)
