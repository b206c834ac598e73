"""Log Analytics workspaces."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class Workspace(AzureResource):
    retention_days: int | None = None  # retentionInDays
    sku: str | None = None


class LogAnalytics(BaseModel):
    workspaces: list[Workspace] = Field(default_factory=list)
