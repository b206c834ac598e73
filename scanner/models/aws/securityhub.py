"""Security Hub facts: the hub of each region."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class Hub(Resource):
    """Security Hub in one region: one record per collected region, `enabled` False when not subscribed."""

    enabled: bool
    subscribed_at: datetime | None = None
    auto_enable_controls: bool | None = None


class SecurityHub(BaseModel):
    hubs: list[Hub] = Field(default_factory=list)
