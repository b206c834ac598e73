"""IAM facts: the credential report, account summary, MFA devices and password policy."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from scanner.models.common import Resource


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


class Iam(BaseModel):
    credential_report: list[CredentialReportUser] = Field(default_factory=list)
    account_summary: AccountSummary | None = None
    virtual_mfa_devices: list[VirtualMfaDevice] = Field(default_factory=list)
    password_policy: PasswordPolicy | None = None
