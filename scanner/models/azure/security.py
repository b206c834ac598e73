"""Microsoft Defender for Cloud: plans (pricings) and security contacts, per subscription."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class DefenderPlan(AzureResource):
    """`name` is the plan: VirtualMachines, SqlServers, StorageAccounts, KeyVaults, Arm, Containers..."""

    pricing_tier: str  # Free / Standard
    sub_plan: str | None = None


class SecurityContact(AzureResource):
    emails: list[str] = Field(default_factory=list)
    alert_notifications: bool = False  # alerts are emailed (alertNotifications.state / isEnabled)
    minimal_severity: str | None = None
    notify_roles: list[str] = Field(default_factory=list)  # notificationsByRole roles when its state is On


class Security(BaseModel):
    pricings: list[DefenderPlan] = Field(default_factory=list)
    contacts: list[SecurityContact] = Field(default_factory=list)
