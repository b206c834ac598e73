"""Azure RBAC: the subscription's custom role definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector
from scanner.models.azure.authorization import RoleDefinition

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2022-04-01"  # Microsoft.Authorization role definitions (azure-mgmt-authorization v2022_04_01 models it)


@collector("azure.authorization.custom_roles", regional=True, permissions=["Microsoft.Authorization/roleDefinitions/read"])
def custom_roles(scope: AzureScope) -> list[RoleDefinition]:
    items = scope.arm(
        "authorization",
        "roleDefinitions.list",
        subscription_path(scope, "/providers/Microsoft.Authorization/roleDefinitions"),
        API_VERSION,
        paged=True,
        **{"$filter": "type eq 'CustomRole'"},
    )
    roles = []
    for body in items:
        p = props(body)
        permissions = p.get("permissions") or []
        roles.append(
            RoleDefinition(
                **base(scope, body, region="global"),
                role_name=p.get("roleName") or body.get("name"),
                role_type=p.get("type") or "CustomRole",
                actions=[a for perm in permissions for a in perm.get("actions") or []],
                not_actions=[a for perm in permissions for a in perm.get("notActions") or []],
                assignable_scopes=p.get("assignableScopes") or [],
            )
        )
    return [r for r in roles if r.role_type == "CustomRole"]
