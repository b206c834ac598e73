"""KMS facts: keys with their manager, state, rotation, deletion schedule and key policy."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class KmsKey(Resource):
    key_manager: str  # CUSTOMER | AWS
    key_state: str  # Enabled, Disabled, PendingDeletion, ...
    key_spec: str  # SYMMETRIC_DEFAULT, RSA_2048, ...
    origin: str  # AWS_KMS, EXTERNAL, AWS_CLOUDHSM
    rotation_enabled: bool | None = None  # None where rotation does not apply (asymmetric, AWS-managed)
    description: str | None = None
    deletion_date: datetime | None = None  # set while PendingDeletion
    # The waiting period chosen when deletion was scheduled: DescribeKey's PendingDeletionWindowInDays
    # (multi-Region primaries) or the ScheduleKeyDeletion event in CloudTrail event history
    # (facet "deletion_window"); None when neither shows it.
    pending_window_days: int | None = None
    policy: dict | None = Field(default=None)  # the "default" key policy (customer-managed keys; facet "policy")


class Kms(BaseModel):
    keys: list[KmsKey] = Field(default_factory=list)
