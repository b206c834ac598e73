"""Microsoft Entra ID facts read from Microsoft Graph (tenant-wide: region "global", account = tenant id)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class SecurityDefaults(AzureResource):
    enabled: bool  # identitySecurityDefaultsEnforcementPolicy.isEnabled


class ConditionalAccessPolicy(AzureResource):
    state: str  # "enabled", "disabled", "enabledForReportingButNotEnforced"
    include_users: list[str] = Field(default_factory=list)  # "All", "GuestsOrExternalUsers", object ids
    exclude_users: list[str] = Field(default_factory=list)
    include_groups: list[str] = Field(default_factory=list)
    include_roles: list[str] = Field(default_factory=list)  # directory role template ids
    include_applications: list[str] = Field(default_factory=list)  # "All", app ids
    client_app_types: list[str] = Field(default_factory=list)  # "all", "exchangeActiveSync", "other", ...
    built_in_controls: list[str] = Field(default_factory=list)  # "mfa", "block", "compliantDevice", ...
    grant_operator: str | None = None  # "OR" / "AND"
    authentication_strength: str | None = None  # display name of a required authentication strength

    @property
    def enforced(self) -> bool:
        return self.state == "enabled"

    @property
    def requires_mfa(self) -> bool:
        mfa = "mfa" in self.built_in_controls or self.authentication_strength is not None
        # With OR, any other control (say a compliant device) satisfies the grant without MFA.
        return mfa and (self.grant_operator != "OR" or len(self.built_in_controls) + bool(self.authentication_strength) == 1)

    @property
    def blocks(self) -> bool:
        return "block" in self.built_in_controls


class UserRegistration(AzureResource):
    """reports/authenticationMethods/userRegistrationDetails: one row per user."""

    user_principal_name: str
    user_type: str  # "member" / "guest"
    is_admin: bool = False
    is_mfa_registered: bool = False
    is_mfa_capable: bool = False
    methods_registered: list[str] = Field(default_factory=list)


class DirectoryRoleAssignment(AzureResource):
    role_definition_id: str  # the role template id for built-in roles
    principal_id: str
    directory_scope_id: str = "/"


class AuthorizationPolicy(AzureResource):
    allow_invites_from: str | None = None  # none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers, everyone
    guest_user_role_id: str | None = None


class Entra(BaseModel):
    security_defaults: SecurityDefaults | None = None
    conditional_access_policies: list[ConditionalAccessPolicy] = Field(default_factory=list)
    user_registrations: list[UserRegistration] = Field(default_factory=list)
    role_assignments: list[DirectoryRoleAssignment] = Field(default_factory=list)
    authorization_policy: AuthorizationPolicy | None = None
