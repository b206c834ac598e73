"""Microsoft Entra ID through Microsoft Graph (tenant-wide, collected once): security defaults,
Conditional Access, MFA registration, directory role assignments, the authorization policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.azure.entra import (
    AuthorizationPolicy,
    ConditionalAccessPolicy,
    DirectoryRoleAssignment,
    SecurityDefaults,
    UserRegistration,
)

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


def _global(scope: AzureScope, **fields: Any) -> dict[str, Any]:
    return {"region": "global", "account": scope.tenant, **fields}


@collector("azure.entra.security_defaults", regional=False, organization=True, permissions=["graph:Policy.Read.All"])
def security_defaults(scope: AzureScope) -> SecurityDefaults:
    body = scope.graph("identitySecurityDefaultsEnforcementPolicy.get", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", paged=False)
    return SecurityDefaults(
        **_global(scope, id=f"/tenants/{scope.tenant}/policies/identitySecurityDefaultsEnforcementPolicy", name="security defaults"),
        enabled=bool(body.get("isEnabled")),
    )


# Tenants without a Microsoft Entra ID P1 licence cannot have Conditional Access policies: Graph
# answers 403 with this code, which means "none configured" rather than "could not read".
NO_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


@collector("azure.entra.conditional_access_policies", regional=False, organization=True, permissions=["graph:Policy.Read.All"])
def conditional_access_policies(scope: AzureScope) -> list[ConditionalAccessPolicy]:
    from scanner.collect.azure._client import error_code

    try:
        items = scope.graph("conditionalAccessPolicies.list", "/v1.0/identity/conditionalAccess/policies")
    except Exception as exc:
        if error_code(exc) == NO_PREMIUM:
            return []
        raise
    return [_ca_policy(scope, p) for p in items]


def _ca_policy(scope: AzureScope, p: dict[str, Any]) -> ConditionalAccessPolicy:
    conditions = p.get("conditions") or {}
    users = conditions.get("users") or {}
    apps = conditions.get("applications") or {}
    grant = p.get("grantControls") or {}
    strength = grant.get("authenticationStrength") or None
    return ConditionalAccessPolicy(
        **_global(scope, id=p["id"], name=p.get("displayName") or p["id"]),
        state=p.get("state") or "disabled",
        include_users=users.get("includeUsers") or [],
        exclude_users=users.get("excludeUsers") or [],
        include_groups=users.get("includeGroups") or [],
        include_roles=users.get("includeRoles") or [],
        include_applications=apps.get("includeApplications") or [],
        client_app_types=conditions.get("clientAppTypes") or [],
        built_in_controls=grant.get("builtInControls") or [],
        grant_operator=grant.get("operator"),
        authentication_strength=(strength.get("displayName") or strength.get("id") or "custom") if strength else None,
    )


@collector(
    "azure.entra.user_registrations",
    regional=False, organization=True,
    permissions=["graph:AuditLog.Read.All", "graph:UserAuthenticationMethod.Read.All"],
)
def user_registrations(scope: AzureScope) -> list[UserRegistration]:
    items = scope.graph("userRegistrationDetails.list", "/v1.0/reports/authenticationMethods/userRegistrationDetails")
    return [
        UserRegistration(
            **_global(scope, id=u["id"], name=u.get("userPrincipalName") or u["id"]),
            user_principal_name=u.get("userPrincipalName") or u["id"],
            user_type=u.get("userType") or "member",
            is_admin=bool(u.get("isAdmin")),
            is_mfa_registered=bool(u.get("isMfaRegistered")),
            is_mfa_capable=bool(u.get("isMfaCapable")),
            methods_registered=u.get("methodsRegistered") or [],
        )
        for u in items
    ]


@collector("azure.entra.role_assignments", regional=False, organization=True, permissions=["graph:RoleManagement.Read.Directory"])
def role_assignments(scope: AzureScope) -> list[DirectoryRoleAssignment]:
    items = scope.graph("roleAssignments.list", "/v1.0/roleManagement/directory/roleAssignments")
    return [
        DirectoryRoleAssignment(
            **_global(scope, id=a["id"], name=a["id"]),
            role_definition_id=a.get("roleDefinitionId") or "",
            principal_id=a.get("principalId") or "",
            directory_scope_id=a.get("directoryScopeId") or "/",
        )
        for a in items
    ]


@collector("azure.entra.authorization_policy", regional=False, organization=True, permissions=["graph:Policy.Read.All"])
def authorization_policy(scope: AzureScope) -> AuthorizationPolicy:
    body = scope.graph("authorizationPolicy.get", "/v1.0/policies/authorizationPolicy", paged=False)
    if isinstance(body.get("value"), list):  # the beta shape wraps the single policy in a collection
        body = body["value"][0] if body["value"] else {}
    return AuthorizationPolicy(
        **_global(scope, id=f"/tenants/{scope.tenant}/policies/authorizationPolicy", name="authorization policy"),
        allow_invites_from=body.get("allowInvitesFrom"),
        guest_user_role_id=body.get("guestUserRoleId"),
    )
