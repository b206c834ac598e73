"""IAM Access Analyzer: one record per region with the analyzers found there."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource

EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")  # the *_UNUSED_ACCESS types do not watch external access


class Analyzer(Frozen):
    name: str
    arn: str
    type: str  # ACCOUNT | ORGANIZATION | ACCOUNT_UNUSED_ACCESS | ORGANIZATION_UNUSED_ACCESS
    status: str  # ACTIVE | CREATING | DISABLED | FAILED


class AnalyzerRegion(Resource):
    """The analyzers of one region (a record exists for every collected region, even with none)."""

    analyzers: list[Analyzer] = Field(default_factory=list)

    @property
    def active_external_access(self) -> list[Analyzer]:
        return [a for a in self.analyzers if a.status == "ACTIVE" and a.type in EXTERNAL_ACCESS_TYPES]


class AccessAnalyzer(BaseModel):
    regions: list[AnalyzerRegion] = Field(default_factory=list)
