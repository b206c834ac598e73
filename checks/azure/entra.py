"""Microsoft Entra ID: MFA enforcement (security defaults / Conditional Access), MFA registration,
global administrators, guest access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.azure.entra import ConditionalAccessPolicy
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory

GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
# Built-in directory roles that can change identity, security or tenant-wide configuration.
PRIVILEGED_ROLES = {
    GLOBAL_ADMIN,
    "e8611ab8-c189-46e8-94e1-60213ab1f814",  # Privileged Role Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",  # Privileged Authentication Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d",  # Security Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",  # Conditional Access Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1",  # User Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f",  # Authentication Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",  # Application Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7",  # Cloud Application Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de",  # Exchange Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",  # SharePoint Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8",  # Helpdesk Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe",  # Billing Administrator
    "3a2c62db-5318-420d-8d74-23affee5d9d5",  # Intune Administrator
}
AZURE_MANAGEMENT_APP = "797f4846-ba00-4fd7-ba43-dac1f8f63013"  # Windows Azure Service Management API
RESTRICTED_GUEST_ROLE = "2af84b1e-32c8-42b7-82bc-daa82404023b"
LEGACY_CLIENTS = {"exchangeActiveSync", "other"}

SECURITY_DEFAULTS = "azure.entra.security_defaults"
CA = "azure.entra.conditional_access_policies"


def _mfa_policies(inv: AzureInventory, *, users: bool = False, roles: set[str] | None = None, app: str | None = None) -> list[ConditionalAccessPolicy]:
    """Enforced policies that require MFA for every user (or for these roles) on all apps (or on `app`)."""
    found = []
    for policy in inv.entra.conditional_access_policies:
        if not (policy.enforced and policy.requires_mfa):
            continue
        types = set(policy.client_app_types)
        if types and "all" not in types and not {"browser", "mobileAppsAndDesktopClients"} <= types:
            continue  # only some client apps are challenged
        all_users = "All" in policy.include_users
        covers_roles = roles is not None and roles <= set(policy.include_roles)
        if not (all_users or (covers_roles and not users)):
            continue
        if not ("All" in policy.include_applications or (app is not None and app in policy.include_applications)):
            continue
        found.append(policy)
    return found


def _security_defaults_on(inv: AzureInventory) -> bool:
    return inv.entra.security_defaults is not None and inv.entra.security_defaults.enabled


@check(
    id="azure.entra.mfa_required_for_all_users",
    title="Security defaults or an enforced Conditional Access policy require MFA for all users",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="Microsoft.Graph/conditionalAccessPolicy",
    reads=[SECURITY_DEFAULTS, CA],
    remediation="Enable security defaults (Entra ID > Properties > Manage security defaults) or create an enabled "
    "Conditional Access policy for All users and All cloud apps that grants access only with MFA.",
)
def mfa_required_for_all_users(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Passwords alone are phished and sprayed every day; SOC 2 CC6.1 expects strong authentication for
    every person with access. Report-only policies and policies that allow another control instead of
    MFA do not enforce it."""
    if _security_defaults_on(inv):
        yield Result.passed(ctx.account, "security defaults are enabled (MFA registration and challenge for all users)", security_defaults=True)
        return
    policies = _mfa_policies(inv, users=True)
    if policies:
        yield Result.passed(ctx.account, f"Conditional Access policy {policies[0].name!r} requires MFA for All users on All apps", policies=[p.name for p in policies])
    else:
        report_only = [p.name for p in inv.entra.conditional_access_policies if p.state == "enabledForReportingButNotEnforced" and p.requires_mfa]
        yield Result.failed(
            ctx.account, "security defaults are off and no enabled Conditional Access policy requires MFA for All users", security_defaults=False, report_only_policies=report_only
        )


@check(
    id="azure.entra.ca_mfa_for_admins",
    title="MFA is enforced for privileged directory roles",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="Microsoft.Graph/conditionalAccessPolicy",
    reads=[SECURITY_DEFAULTS, CA],
    remediation="Create an enabled Conditional Access policy including the Global Administrator and other privileged "
    "directory roles, All cloud apps, grant: require multifactor authentication (or enable security defaults).",
)
def ca_mfa_for_admins(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Administrators can change every control in the tenant; a stolen admin password without a
    second factor is a full compromise (CC6.1, CC6.3)."""
    if _security_defaults_on(inv):
        yield Result.passed(ctx.account, "security defaults are enabled (administrators must always use MFA)")
        return
    policies = _mfa_policies(inv, roles={GLOBAL_ADMIN})
    if policies:
        yield Result.passed(ctx.account, f"Conditional Access policy {policies[0].name!r} requires MFA for Global Administrators", policies=[p.name for p in policies])
    else:
        yield Result.failed(ctx.account, "no enabled Conditional Access policy requires MFA for the Global Administrator role")


@check(
    id="azure.entra.ca_mfa_for_azure_management",
    title="MFA is enforced for Azure management (portal, CLI, ARM)",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="Microsoft.Graph/conditionalAccessPolicy",
    reads=[SECURITY_DEFAULTS, CA],
    remediation="Create an enabled Conditional Access policy for All users targeting the 'Windows Azure Service "
    "Management API' app (797f4846-...) that requires MFA.",
)
def ca_mfa_for_azure_management(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Everyone who can reach the Azure portal or ARM can read or change infrastructure in scope; the
    management plane is where an outside attacker with a password would go (CC6.6)."""
    if _security_defaults_on(inv):
        yield Result.passed(ctx.account, "security defaults are enabled (MFA for Azure management)")
        return
    policies = _mfa_policies(inv, users=True, app=AZURE_MANAGEMENT_APP)
    if policies:
        yield Result.passed(ctx.account, f"Conditional Access policy {policies[0].name!r} requires MFA for Azure management", policies=[p.name for p in policies])
    else:
        yield Result.failed(ctx.account, "no enabled Conditional Access policy requires MFA for all users on Windows Azure Service Management API")


@check(
    id="azure.entra.ca_blocks_legacy_auth",
    title="Conditional Access blocks legacy authentication",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="Microsoft.Graph/conditionalAccessPolicy",
    reads=[SECURITY_DEFAULTS, CA],
    remediation="Create an enabled Conditional Access policy for All users, client apps 'Exchange ActiveSync' and "
    "'Other clients', grant: Block access.",
)
def ca_blocks_legacy_auth(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Legacy protocols (IMAP, POP, SMTP AUTH, ActiveSync basic auth) cannot do MFA, so they bypass it;
    most password-spray attacks use them."""
    if _security_defaults_on(inv):
        yield Result.passed(ctx.account, "security defaults are enabled (legacy authentication is blocked)")
        return
    for policy in inv.entra.conditional_access_policies:
        if policy.enforced and policy.blocks and "All" in policy.include_users and LEGACY_CLIENTS <= set(policy.client_app_types):
            yield Result.passed(ctx.account, f"Conditional Access policy {policy.name!r} blocks Exchange ActiveSync and other legacy clients", policy=policy.name)
            return
    yield Result.failed(ctx.account, "no enabled Conditional Access policy blocks legacy authentication clients for All users")


def _privileged_ids(inv: AzureInventory) -> set[str]:
    return {a.principal_id for a in inv.entra.role_assignments if a.role_definition_id in PRIVILEGED_ROLES}


@check(
    id="azure.entra.privileged_users_mfa_registered",
    title="Users in privileged directory roles are registered for MFA",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="Microsoft.Graph/user",
    reads=["azure.entra.user_registrations", "azure.entra.role_assignments"],
    remediation="Have each administrator register a strong method (authenticator app, FIDO2 key) at "
    "https://aka.ms/mysecurityinfo; consider a registration campaign or a Temporary Access Pass.",
)
def privileged_users_mfa_registered(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """A Conditional Access policy can only challenge an administrator who has registered a method;
    an unregistered admin account is one password away from takeover (CC6.1, CC6.2)."""
    privileged = _privileged_ids(inv)
    for user in inv.entra.user_registrations:
        if not (user.is_admin or user.id in privileged):
            continue
        if user.is_mfa_registered:
            yield Result.passed(user, "privileged user is registered for MFA", methods=user.methods_registered)
        else:
            yield Result.failed(user, "privileged user has no MFA method registered (isMfaRegistered=false)", methods=user.methods_registered)


@check(
    id="azure.entra.users_mfa_registered",
    title="Member users are registered for MFA (at least the configured share)",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="Microsoft.Graph/user",
    reads=["azure.entra.user_registrations", "azure.entra.role_assignments"],
    params={"min_percent": Param(100, minimum=0, maximum=100)},
    remediation="Run an authentication methods registration campaign (Entra ID > Security > Authentication methods > "
    "Registration campaign) and follow up with the users listed in the evidence.",
)
def users_mfa_registered(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Users who never registered a second factor can be registered by whoever first gets their
    password; auditors sample the registration report for CC6.2."""
    privileged = _privileged_ids(inv)
    members = [u for u in inv.entra.user_registrations if u.user_type == "member" and not u.is_admin and u.id not in privileged]
    if not members:
        return
    missing = sorted(u.user_principal_name for u in members if not u.is_mfa_registered)
    percent = round(100 * (len(members) - len(missing)) / len(members), 1)
    evidence = {"registered_percent": percent, "members": len(members), "unregistered": missing[:20]}
    if percent >= ctx.params["min_percent"]:
        yield Result.passed(ctx.account, f"{percent}% of {len(members)} member users are registered for MFA", **evidence)
    else:
        yield Result.failed(ctx.account, f"{percent}% of {len(members)} member users are registered for MFA, below {ctx.params['min_percent']}%", **evidence)


@check(
    id="azure.entra.global_admins_limited",
    title="Fewer than the configured number of Global Administrators",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="Microsoft.Graph/directoryRole",
    reads=["azure.entra.role_assignments"],
    params={"max_global_admins": Param(4, minimum=1, maximum=100)},
    remediation="Remove the Global Administrator role from accounts that do not need it; use least-privileged roles "
    "(and PIM for just-in-time elevation). Keep two break-glass accounts.",
)
def global_admins_limited(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Every Global Administrator can disable every other control; keeping the number small is least
    privilege and segregation of duties (CC6.3)."""
    admins = sorted({a.principal_id for a in inv.entra.role_assignments if a.role_definition_id == GLOBAL_ADMIN})
    limit = ctx.params["max_global_admins"]
    if len(admins) <= limit:
        yield Result.passed(ctx.account, f"{len(admins)} Global Administrator assignments (at most {limit})", global_admins=admins)
    else:
        yield Result.failed(ctx.account, f"{len(admins)} Global Administrator assignments, more than {limit}", global_admins=admins)


@check(
    id="azure.entra.guest_invites_restricted",
    title="Only administrators and Guest Inviters can invite guests",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="Microsoft.Graph/authorizationPolicy",
    reads=["azure.entra.authorization_policy"],
    remediation="Entra ID > External Identities > External collaboration settings: guest invite settings = "
    "'Only users assigned to specific admin roles can invite guest users' (allowInvitesFrom adminsAndGuestInviters or none).",
)
def guest_invites_restricted(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """If any member (or guest) can invite outsiders, access is granted without the registration and
    approval CC6.2 requires."""
    policy = inv.entra.authorization_policy
    if policy is None:
        return
    if policy.allow_invites_from in ("none", "adminsAndGuestInviters"):
        yield Result.passed(policy, f"allowInvitesFrom is {policy.allow_invites_from}", allow_invites_from=policy.allow_invites_from)
    else:
        yield Result.failed(policy, f"allowInvitesFrom is {policy.allow_invites_from}", allow_invites_from=policy.allow_invites_from)


@check(
    id="azure.entra.guest_access_restricted",
    title="Guest users have restricted directory access",
    severity=Severity.LOW,
    category=Category.MFA,
    resource_type="Microsoft.Graph/authorizationPolicy",
    reads=["azure.entra.authorization_policy"],
    remediation="External collaboration settings: Guest user access = 'Guest user access is restricted to properties "
    "and memberships of their own directory objects'.",
)
def guest_access_restricted(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Guests who can enumerate users and groups learn the directory an attacker would target; least
    privilege for external identities (CC6.3)."""
    policy = inv.entra.authorization_policy
    if policy is None:
        return
    if policy.guest_user_role_id == RESTRICTED_GUEST_ROLE:
        yield Result.passed(policy, "guestUserRoleId is the Restricted Guest User role", guest_user_role_id=policy.guest_user_role_id)
    else:
        yield Result.failed(policy, f"guestUserRoleId {policy.guest_user_role_id} is not the Restricted Guest User role", guest_user_role_id=policy.guest_user_role_id)
