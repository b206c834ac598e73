"""SNS (regional): topics, with their attributes and subscriptions read per topic concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.sns import Topic

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.sns.topics",
    regional=True,
    permissions=["sns:ListTopics"],
    facets={
        "attributes": facet(["sns:GetTopicAttributes"], ["kms_master_key_id"]),
        "subscriptions": facet(["sns:ListSubscriptionsByTopic"], ["subscriptions_confirmed", "subscriptions_pending", "subscription_protocols"]),
    },
)
def topics(scope: AwsScope) -> list[Topic]:
    listed = scope.pages("sns", "ListTopics", "Topics")
    return scope.map(lambda t: _topic(scope, t["TopicArn"]), listed)


def _topic(scope: AwsScope, arn: str) -> Topic:
    def attributes() -> dict[str, Any]:
        attrs = scope.call("sns", "GetTopicAttributes", TopicArn=arn)["Attributes"]
        return {"kms_master_key_id": attrs.get("KmsMasterKeyId") or None}

    def subscriptions() -> dict[str, Any]:
        subs = scope.pages("sns", "ListSubscriptionsByTopic", "Subscriptions", TopicArn=arn)
        confirmed = [s for s in subs if str(s.get("SubscriptionArn", "")).startswith("arn:")]
        return {
            "subscriptions_confirmed": len(confirmed),
            "subscriptions_pending": sum(1 for s in subs if s.get("SubscriptionArn") == "PendingConfirmation"),
            "subscription_protocols": sorted({s.get("Protocol", "") for s in confirmed}),
        }

    fields, errors = read_facets(scope, "sns", scope.region, {"attributes": attributes, "subscriptions": subscriptions})
    return Topic(id=arn, name=arn.rsplit(":", 1)[-1], region=scope.region, account=scope.account, errors=errors, **fields)
