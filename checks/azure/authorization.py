"""Azure RBAC: no custom role that amounts to subscription owner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


@check(
    id="azure.authorization.no_custom_owner_roles",
    title="No custom role grants owner rights (*) at subscription scope",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="Microsoft.Authorization/roleDefinitions",
    reads=["azure.authorization.custom_roles"],
    remediation="Replace the custom role's '*' action with the specific actions needed, or use the built-in Owner "
    "role under PIM so its assignments are reviewed.",
)
def no_custom_owner_roles(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A custom role with `*` is an owner that escapes the reviews built-in Owner assignments get;
    auditors look for such roles under CC6.3 (least privilege)."""
    for role in inv.authorization.custom_roles:
        broad = [s for s in role.assignable_scopes if s == "/" or s.lower().startswith("/subscriptions/") and s.count("/") <= 2 or "managementgroups" in s.lower()]
        if "*" in role.actions and broad:
            yield Result.failed(role, f"custom role {role.role_name!r} allows '*' at {broad[0]}", actions=role.actions, assignable_scopes=role.assignable_scopes)
        else:
            yield Result.passed(role, f"custom role {role.role_name!r} does not allow '*' at subscription scope", actions=role.actions)
