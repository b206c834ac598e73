"""SQS checks through moto's server: SSE-KMS, SSE-SQS, no encryption, the require_kms parameter,
and denied reads (moto enforces IAM for SQS with genuine AccessDenied)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _queues(aws) -> None:
    sqs = aws.client("sqs")
    sqs.create_queue(QueueName="pass-kms", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    sqs.create_queue(QueueName="pass-sse-sqs.fifo", Attributes={"FifoQueue": "true", "SqsManagedSseEnabled": "true"})
    sqs.create_queue(QueueName="fail-plain", Attributes={"SqsManagedSseEnabled": "false"})


def test_queue_encrypted_and_require_kms(aws):
    _queues(aws)
    report = aws.scan("aws.sqs.queue_encrypted")
    assert verdicts(report, "aws.sqs.queue_encrypted") == {
        ("pass-kms", "PASS"),
        ("pass-sse-sqs.fifo", "PASS"),
        ("fail-plain", "FAIL"),
    }
    assert finding(report, "aws.sqs.queue_encrypted", "pass-kms").resource_id == f"arn:aws:sqs:us-east-1:{ACCOUNT}:pass-kms"
    strict = aws.scan("aws.sqs.queue_encrypted", params={"aws.sqs.queue_encrypted": {"require_kms": True}})
    assert verdicts(strict, "aws.sqs.queue_encrypted") == {
        ("pass-kms", "PASS"),
        ("pass-sse-sqs.fifo", "FAIL"),
        ("fail-plain", "FAIL"),
    }
    assert finding(strict, "aws.sqs.queue_encrypted", "pass-sse-sqs.fifo").message == "SSE-SQS only, SSE-KMS (KmsMasterKeyId) required"


def test_denied_attributes_is_error_per_queue(aws, denied_session):
    aws.client("sqs").create_queue(QueueName="guarded", Attributes={"KmsMasterKeyId": "alias/aws/sqs"})
    report = aws.scan("aws.sqs.queue_encrypted", session=denied_session("sqs:GetQueueAttributes"))
    assert verdicts(report, "aws.sqs.queue_encrypted") == {("guarded", "ERROR")}
    assert "access denied to sqs:GetQueueAttributes" in finding(report, "aws.sqs.queue_encrypted", "guarded").message


def test_denied_listing_is_error_never_pass(aws, denied_session):
    aws.client("sqs").create_queue(QueueName="hidden")
    report = aws.scan("aws.sqs.queue_encrypted", session=denied_session("sqs:ListQueues"))
    assert verdicts(report, "aws.sqs.queue_encrypted") == {(f"account {ACCOUNT} in us-east-1", "ERROR")}
