"""IAM facts: the credential report, account summary, MFA devices, password policy, the users, groups,
roles and customer-managed policies with their policy documents, and federation providers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Frozen, Resource


class CredentialReportUser(Resource):
    """One row of the IAM credential report (the root account is the row `<root_account>`)."""

    is_root: bool
    user_creation_time: datetime | None = None
    password_enabled: bool
    password_last_used: datetime | None = None
    password_last_changed: datetime | None = None
    mfa_active: bool
    access_key_1_active: bool = False
    access_key_1_last_rotated: datetime | None = None
    access_key_1_last_used: datetime | None = None
    access_key_2_active: bool = False
    access_key_2_last_rotated: datetime | None = None
    access_key_2_last_used: datetime | None = None

    @property
    def has_active_access_key(self) -> bool:
        return self.access_key_1_active or self.access_key_2_active


class AccountSummary(Resource):
    account_mfa_enabled: bool
    account_access_keys_present: bool
    users: int


class VirtualMfaDevice(Resource):
    serial_number: str
    user_arn: str | None = None


class PasswordPolicy(Resource):
    """The account password policy; `exists` is False when none is set (AWS defaults apply)."""

    exists: bool
    minimum_length: int | None = None
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    max_age_days: int | None = None
    reuse_prevention: int | None = None
    expire_passwords: bool = False


class AttachedPolicy(Frozen):
    """A managed policy attached to a user, group or role (AWS-managed or customer-managed)."""

    name: str
    arn: str

    @property
    def aws_managed(self) -> bool:
        return ":iam::aws:policy/" in self.arn


class InlinePolicy(Resource):
    """A policy embedded in one user, group or role (CloudFormation AWS::IAM::Policy).

    Inline policies have no ARN: the id is the principal's ARN + `/inline-policy/<name>`."""

    principal_arn: str
    principal_type: str  # user | group | role
    document: dict


class IamPrincipal(Resource):
    path: str = "/"
    created: datetime | None = None
    attached_policies: list[AttachedPolicy] = Field(default_factory=list)
    inline_policies: list[InlinePolicy] = Field(default_factory=list)


class IamUser(IamPrincipal):
    groups: list[str] = Field(default_factory=list)  # group names


class IamGroup(IamPrincipal):
    pass


class IamRole(IamPrincipal):
    pass


class ManagedPolicy(Resource):
    """A customer-managed policy with its default version's document."""

    default_version_id: str
    attachment_count: int = 0
    document: dict | None = None  # the default version


class IdentityProvider(Resource):
    """An IAM SAML or OpenID Connect identity provider (federated sign-in)."""

    kind: str  # SAML | OIDC
    valid_until: datetime | None = None  # SAML metadata expiry


class Iam(BaseModel):
    credential_report: list[CredentialReportUser] = Field(default_factory=list)
    account_summary: AccountSummary | None = None
    virtual_mfa_devices: list[VirtualMfaDevice] = Field(default_factory=list)
    password_policy: PasswordPolicy | None = None
    # GetAccountAuthorizationDetails (one paginated call shared by the four keys below)
    users: list[IamUser] = Field(default_factory=list)
    groups: list[IamGroup] = Field(default_factory=list)
    roles: list[IamRole] = Field(default_factory=list)
    policies: list[ManagedPolicy] = Field(default_factory=list)  # customer-managed only
    identity_providers: list[IdentityProvider] = Field(default_factory=list)
