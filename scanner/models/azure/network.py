"""Network security groups and the flow logs network watchers keep for them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class NetworkSecurityGroup(AzureResource):
    pass


class FlowLog(AzureResource):
    target_resource_id: str
    enabled: bool = False
    retention_enabled: bool = False
    retention_days: int = 0  # 0 with retention enabled = keep forever
    storage_id: str | None = None


class Network(BaseModel):
    security_groups: list[NetworkSecurityGroup] = Field(default_factory=list)
    flow_logs: list[FlowLog] = Field(default_factory=list)
