"""ACM facts: certificates with their validity, key algorithm and renewal."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Certificate(Resource):
    domain_name: str | None = None
    status: str  # ISSUED, EXPIRED, PENDING_VALIDATION, INACTIVE, REVOKED, FAILED, VALIDATION_TIMED_OUT
    type: str | None = None  # AMAZON_ISSUED | IMPORTED | PRIVATE
    key_algorithm: str | None = None  # RSA_2048, EC_prime256v1, ...
    not_after: datetime | None = None
    in_use: bool = False
    renewal_eligibility: str | None = None  # ELIGIBLE | INELIGIBLE


class Acm(BaseModel):
    certificates: list[Certificate] = Field(default_factory=list)
