"""SQS facts: queues with their server-side encryption settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Queue(Resource):
    url: str
    fifo: bool = False
    # facet "attributes" (GetQueueAttributes); None with an entry in errors
    sqs_managed_sse: bool | None = None  # SSE-SQS
    kms_master_key_id: str | None = None  # SSE-KMS


class Sqs(BaseModel):
    queues: list[Queue] = Field(default_factory=list)
