"""KMS facts: keys with their manager, state and rotation."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class KmsKey(Resource):
    key_manager: str  # CUSTOMER | AWS
    key_state: str  # Enabled, Disabled, PendingDeletion, ...
    key_spec: str  # SYMMETRIC_DEFAULT, RSA_2048, ...
    origin: str  # AWS_KMS, EXTERNAL, AWS_CLOUDHSM
    rotation_enabled: bool | None = None  # None where rotation does not apply (asymmetric, AWS-managed)


class Kms(BaseModel):
    keys: list[KmsKey] = Field(default_factory=list)
