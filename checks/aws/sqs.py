"""SQS: server-side encryption of queues."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.sqs.queue_encrypted",
    title="SQS queues are encrypted at rest (SSE-SQS or SSE-KMS)",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::SQS::Queue",
    reads=["aws.sqs.queues:attributes"],
    params={"require_kms": False},
    remediation="Set the queue attribute KmsMasterKeyId (SSE-KMS) or SqsManagedSseEnabled=true (SSE-SQS).",
)
def queue_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Messages can carry confidential payloads while they wait in the queue; server-side
    encryption protects them at rest (CC6.1, C1.1). With `require_kms`, SSE-SQS fails: only SSE-KMS
    gives a key policy and CloudTrail records of key use."""
    for queue in inv.sqs.queues:
        evidence = {"kms_master_key_id": queue.kms_master_key_id, "sqs_managed_sse": queue.sqs_managed_sse}
        if queue.kms_master_key_id:
            yield Result.passed(queue, f"SSE-KMS with {queue.kms_master_key_id}", **evidence)
        elif queue.sqs_managed_sse and ctx.params["require_kms"]:
            yield Result.failed(queue, "SSE-SQS only, SSE-KMS (KmsMasterKeyId) required", **evidence)
        elif queue.sqs_managed_sse:
            yield Result.passed(queue, "SqsManagedSseEnabled is true (SSE-SQS)", **evidence)
        else:
            yield Result.failed(queue, "no KmsMasterKeyId and SqsManagedSseEnabled is false", **evidence)
