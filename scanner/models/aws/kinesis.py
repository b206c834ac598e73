"""Kinesis Data Streams facts: streams with their server-side encryption and retention."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Stream(Resource):
    status: str | None = None
    # facet "summary" (DescribeStreamSummary); None with an entry in errors
    encryption_type: str | None = None  # NONE | KMS
    kms_key_id: str | None = None
    retention_hours: int | None = None  # RetentionPeriodHours (24 to 8760)


class Kinesis(BaseModel):
    streams: list[Stream] = Field(default_factory=list)
