"""SQS (regional): ListQueues once, then GetQueueAttributes per queue (concurrently)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.sqs import Queue

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.sqs.queues",
    regional=True,
    permissions=["sqs:ListQueues"],
    facets={
        "attributes": facet(["sqs:GetQueueAttributes"], ["sqs_managed_sse", "kms_master_key_id"]),
    },
)
def queues(scope: AwsScope) -> list[Queue]:
    urls = scope.pages("sqs", "ListQueues", "QueueUrls")
    return scope.map(lambda url: _queue(scope, url), urls)


def _queue(scope: AwsScope, url: str) -> Queue:
    # The queue URL ends in /<account>/<name>; the ARN is built from it so that a denied
    # GetQueueAttributes still leaves the queue identifiable.
    account, name = urlparse(url).path.strip("/").split("/")[-2:]
    fields, errors = read_facets(
        scope,
        "sqs",
        scope.region,
        {"attributes": lambda: _attributes(scope.call("sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=["All"]))},
    )
    return Queue(
        id=f"arn:{scope.partition}:sqs:{scope.region}:{account}:{name}",
        name=name,
        region=scope.region,
        account=account,
        url=url,
        fifo=name.endswith(".fifo"),
        errors=errors,
        **fields,
    )


def _attributes(response: dict[str, Any]) -> dict[str, Any]:
    attributes = response.get("Attributes", {})
    return {
        "sqs_managed_sse": str(attributes.get("SqsManagedSseEnabled", "false")).lower() == "true",
        "kms_master_key_id": attributes.get("KmsMasterKeyId") or None,
    }
