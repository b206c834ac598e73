"""GuardDuty facts: the detector of each region (at most one per region)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class GuardDutyRegion(Resource):
    """GuardDuty in one region: one record per collected region, `detector_id` None when none exists."""

    detector_id: str | None = None
    status: str | None = None  # ENABLED | DISABLED
    finding_publishing_frequency: str | None = None
    features: dict[str, str] = Field(default_factory=dict)  # feature name -> ENABLED | DISABLED
    updated_at: datetime | None = None


class GuardDuty(BaseModel):
    regions: list[GuardDutyRegion] = Field(default_factory=list)
