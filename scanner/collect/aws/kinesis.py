"""Kinesis Data Streams (regional): ListStreams once, DescribeStreamSummary per stream (concurrently)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.kinesis import Stream

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.kinesis.streams",
    regional=True,
    permissions=["kinesis:ListStreams"],
    facets={
        "summary": facet(["kinesis:DescribeStreamSummary"], ["encryption_type", "kms_key_id", "retention_hours"]),
    },
)
def streams(scope: AwsScope) -> list[Stream]:
    listed = scope.pages("kinesis", "ListStreams", "StreamSummaries")
    return scope.map(lambda s: _stream(scope, s), listed)


def _stream(scope: AwsScope, summary: dict[str, Any]) -> Stream:
    name = summary["StreamName"]
    arn = summary.get("StreamARN") or scope.arn("kinesis", f"stream/{name}")

    def describe() -> dict[str, Any]:
        detail = scope.call("kinesis", "DescribeStreamSummary", StreamName=name)["StreamDescriptionSummary"]
        return {
            "encryption_type": detail.get("EncryptionType", "NONE"),
            "kms_key_id": detail.get("KeyId"),
            "retention_hours": detail.get("RetentionPeriodHours"),
        }

    fields, errors = read_facets(scope, "kinesis", scope.region, {"summary": describe})
    return Stream(
        id=arn,
        name=name,
        region=scope.region,
        account=scope.account,
        status=summary.get("StreamStatus"),
        errors=errors,
        **fields,
    )
