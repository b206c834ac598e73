"""Cloud KMS crypto keys."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource
from scanner.models.gcp.iam_policy import IamPolicy


class CryptoKey(Resource):
    purpose: str
    rotation_period_seconds: int | None = None  # None: never rotates automatically
    primary_state: str | None = None  # ENABLED / DISABLED / DESTROYED..., None without a primary
    protection_level: str | None = None
    iam_policy: IamPolicy | None = None  # facet "iam_policy"


class Kms(BaseModel):
    crypto_keys: list[CryptoKey] = Field(default_factory=list)
