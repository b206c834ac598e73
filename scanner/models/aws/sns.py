"""SNS topics: encryption and subscriptions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Topic(Resource):
    # From GetTopicAttributes (facet "attributes"): None = not encrypted (or, with errors, not readable)
    kms_master_key_id: str | None = None
    # From ListSubscriptionsByTopic (facet "subscriptions"): a pending subscription's ARN is
    # "PendingConfirmation", so it is counted apart from confirmed ones.
    subscriptions_confirmed: int = 0
    subscriptions_pending: int = 0
    subscription_protocols: list[str] = Field(default_factory=list)  # of confirmed subscriptions


class Sns(BaseModel):
    topics: list[Topic] = Field(default_factory=list)
