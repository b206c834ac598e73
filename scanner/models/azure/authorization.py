"""Azure RBAC facts per subscription: custom role definitions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class RoleDefinition(AzureResource):
    role_name: str
    role_type: str  # "CustomRole" / "BuiltInRole"
    actions: list[str] = Field(default_factory=list)
    not_actions: list[str] = Field(default_factory=list)
    assignable_scopes: list[str] = Field(default_factory=list)


class Authorization(BaseModel):
    custom_roles: list[RoleDefinition] = Field(default_factory=list)
