"""Security Command Center at the organization: whether it is active and visible."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class SecurityCenterStatus(Resource):
    readable: bool
    reason: str | None = None  # why it could not be read
    sources: list[str] = Field(default_factory=list)  # finding sources' display names


class SecurityCenter(BaseModel):
    organization: SecurityCenterStatus | None = None
