"""SNS topics, SQS queues, Kinesis streams and Secrets Manager secrets: encryption settings."""

from __future__ import annotations

from scanner.models.aws.kinesis import Stream
from scanner.models.aws.secretsmanager import Secret
from scanner.models.aws.sns import Topic
from scanner.models.aws.sqs import Queue
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, as_int, identity, name_or_address, not_expressible
from scanner.sources.terraform.modules import TfResource

not_expressible(
    "aws.secretsmanager.secret_rotation",
    "rotation is judged on when the secret was last rotated, which only the live account knows",
)


def _arn(ctx: Context, tf: TfResource, service: str, name: str) -> str:
    return f"arn:aws:{service}:{ctx.region(tf)}::{name}"


@identity("aws_sns_topic")
def _topic_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = _arn(ctx, tf, "sns", name)
    return {"name": name, "arn": arn, "id": arn}


@identity("aws_sqs_queue")
def _queue_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    return {"name": name, "arn": _arn(ctx, tf, "sqs", name)}


@identity("aws_kinesis_stream")
def _stream_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = _arn(ctx, tf, "kinesis", f"stream/{name}")
    return {"name": name, "arn": arn, "id": arn}


@identity("aws_secretsmanager_secret")
def _secret_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    arn = _arn(ctx, tf, "secretsmanager", f"secret:{name}")
    return {"name": name, "arn": arn, "id": arn}


@adapter("aws.sns.topics", ["aws_sns_topic"], unsupported_facets={
    "subscriptions": "a subscription is confirmed by its endpoint after apply",
})
def topics(ctx: Context) -> list[Topic]:
    out = []
    for tf in ctx.of_type("aws_sns_topic"):
        f = Fields(ctx, tf)
        f.get("kms_master_key_id", ref=True, note="SNS topics are not encrypted at rest unless kms_master_key_id is set")
        ident = ctx.identity_of(tf)
        out.append(f.build(Topic, id=ident["arn"], name=ident["name"]))
    return out


@adapter("aws.sqs.queues", ["aws_sqs_queue"])
def queues(ctx: Context) -> list[Queue]:
    out = []
    for tf in ctx.of_type("aws_sqs_queue"):
        f = Fields(ctx, tf)
        ident = ctx.identity_of(tf)
        f.set("url", f"https://sqs.{ctx.region(tf)}.amazonaws.com/(account)/{ident['name']}")
        f.get("fifo", "fifo_queue", default=False, convert=as_bool)
        key = f.get("kms_master_key_id", ref=True)
        if key is None:
            f.get(
                "sqs_managed_sse",
                "sqs_managed_sse_enabled",
                default=True,
                convert=as_bool,
                note="SQS encrypts new queues with SSE-SQS by default (since October 2022)",
            )
        else:
            f.set("sqs_managed_sse", False)
        out.append(f.build(Queue, id=ident["arn"], name=ident["name"]))
    return out


@adapter("aws.kinesis.streams", ["aws_kinesis_stream"])
def streams(ctx: Context) -> list[Stream]:
    out = []
    for tf in ctx.of_type("aws_kinesis_stream"):
        f = Fields(ctx, tf)
        f.set("status", "ACTIVE")
        f.get("encryption_type", default="NONE", note="Kinesis streams are not encrypted unless encryption_type = KMS")
        f.get("kms_key_id", ref=True)
        f.get("retention_hours", "retention_period", default=24, convert=as_int, note="Kinesis keeps records 24 hours unless retention_period is set")
        ident = ctx.identity_of(tf)
        out.append(f.build(Stream, id=ident["arn"], name=ident["name"]))
    return out


@adapter("aws.secretsmanager.secrets", ["aws_secretsmanager_secret", "aws_secretsmanager_secret_rotation"])
def secrets(ctx: Context) -> list[Secret]:
    out = []
    for tf in ctx.of_type("aws_secretsmanager_secret"):
        f = Fields(ctx, tf)
        f.get("kms_key_id", ref=True, note="without kms_key_id Secrets Manager uses the AWS-managed key aws/secretsmanager")
        rotation = next(
            iter(ctx.referrers(tf, ("aws_secretsmanager_secret_rotation",), "secret_id", "arn", "id", "name")),
            None,
        )
        f.set("rotation_enabled", rotation is not None, tf=rotation)
        if rotation is not None:
            f.get("rotation_interval_days", "rotation_rules.automatically_after_days", tf=rotation)
            f.get("rotation_schedule", "rotation_rules.schedule_expression", tf=rotation)
        ident = ctx.identity_of(tf)
        out.append(f.build(Secret, id=ident["arn"], name=ident["name"]))
    return out
