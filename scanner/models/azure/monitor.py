"""Azure Monitor: subscription activity log export, activity log alerts, diagnostic settings."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource
from scanner.models.common import Frozen


class DiagnosticSetting(Frozen):
    name: str
    categories: list[str] = Field(default_factory=list)  # enabled log categories (and "group:allLogs"/"group:audit")
    storage_account_id: str | None = None
    workspace_id: str | None = None
    event_hub: str | None = None

    @property
    def has_destination(self) -> bool:
        return bool(self.storage_account_id or self.workspace_id or self.event_hub)


class ActivityLogExport(AzureResource):
    """One per subscription: the subscription-level diagnostic settings (id = /subscriptions/<id>)."""

    settings: list[DiagnosticSetting] = Field(default_factory=list)


class ActivityLogAlert(Frozen):
    id: str
    name: str
    enabled: bool = True
    scopes: list[str] = Field(default_factory=list)
    category: str | None = None  # condition: field "category" equals ...
    operation_names: list[str] = Field(default_factory=list)  # condition: field "operationName" equals ...
    operation_contains: list[str] = Field(default_factory=list)  # condition: field "operationName" containsAny [...]
    action_groups: list[str] = Field(default_factory=list)


class SubscriptionAlerts(AzureResource):
    """One per subscription (id = /subscriptions/<id>): its activity log alert rules."""

    alerts: list[ActivityLogAlert] = Field(default_factory=list)

    def alerting_on(self, operation: str) -> list[ActivityLogAlert]:
        """Enabled rules that fire for an operation name (case-insensitive) and notify an action group."""
        wanted = operation.lower()
        return [
            a
            for a in self.alerts
            if a.enabled
            and a.action_groups
            and (wanted in {o.lower() for o in a.operation_names} or any(part.lower() in wanted for part in a.operation_contains if part))
        ]


class Monitor(BaseModel):
    activity_log: list[ActivityLogExport] = Field(default_factory=list)
    activity_log_alerts: list[SubscriptionAlerts] = Field(default_factory=list)
