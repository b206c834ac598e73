"""IAM: credential report, account summary, virtual MFA devices, password policy (global)."""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from typing import TYPE_CHECKING

from scanner.collect.aws._facets import error_code
from scanner.collect.registry import collector
from scanner.models.aws.iam import (
    AccountSummary,
    CredentialReportUser,
    PasswordPolicy,
    VirtualMfaDevice,
)

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

ROOT_USER = "<root_account>"


@collector("aws.iam.credential_report", regional=False, permissions=["iam:GenerateCredentialReport", "iam:GetCredentialReport"])
def credential_report(scope: AwsScope) -> list[CredentialReportUser]:
    iam = scope.api.client("iam", scope.region)
    # The report is generated asynchronously; generation is idempotent and usually takes seconds.
    for _ in range(30):
        if iam.generate_credential_report().get("State") == "COMPLETE":
            break
        time.sleep(1)
    content = scope.call("iam", "GetCredentialReport")["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    return [_report_user(row, scope.account) for row in csv.DictReader(io.StringIO(text))]


def _report_user(row: dict[str, str], account: str) -> CredentialReportUser:
    is_root = row["user"] == ROOT_USER
    return CredentialReportUser(
        id=row["arn"],
        name="root" if is_root else row["user"],
        region="global",
        account=account,
        is_root=is_root,
        user_creation_time=_when(row.get("user_creation_time")),
        password_enabled=row.get("password_enabled") == "true",
        password_last_used=_when(row.get("password_last_used")),
        password_last_changed=_when(row.get("password_last_changed")),
        mfa_active=row.get("mfa_active") == "true",
        access_key_1_active=row.get("access_key_1_active") == "true",
        access_key_1_last_rotated=_when(row.get("access_key_1_last_rotated")),
        access_key_1_last_used=_when(row.get("access_key_1_last_used_date")),
        access_key_2_active=row.get("access_key_2_active") == "true",
        access_key_2_last_rotated=_when(row.get("access_key_2_last_rotated")),
        access_key_2_last_used=_when(row.get("access_key_2_last_used_date")),
    )


def _when(value: str | None) -> datetime | None:
    """Report dates are ISO 8601, or N/A / no_information / not_supported."""
    if not value or not value[:1].isdigit():
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@collector("aws.iam.account_summary", regional=False, permissions=["iam:GetAccountSummary"])
def account_summary(scope: AwsScope) -> AccountSummary:
    summary = scope.call("iam", "GetAccountSummary")["SummaryMap"]
    return AccountSummary(
        id=f"arn:{scope.partition}:iam::{scope.account}:root",
        name="root",
        region="global",
        account=scope.account,
        account_mfa_enabled=summary.get("AccountMFAEnabled", 0) == 1,
        account_access_keys_present=summary.get("AccountAccessKeysPresent", 0) >= 1,
        users=summary.get("Users", 0),
    )


@collector("aws.iam.virtual_mfa_devices", regional=False, permissions=["iam:ListVirtualMFADevices"])
def virtual_mfa_devices(scope: AwsScope) -> list[VirtualMfaDevice]:
    devices = scope.pages("iam", "ListVirtualMFADevices", "VirtualMFADevices")
    return [
        VirtualMfaDevice(
            id=d["SerialNumber"],
            name=d["SerialNumber"].rsplit("/", 1)[-1],
            region="global",
            account=scope.account,
            serial_number=d["SerialNumber"],
            user_arn=(d.get("User") or {}).get("Arn"),
        )
        for d in devices
    ]


@collector("aws.iam.password_policy", regional=False, permissions=["iam:GetAccountPasswordPolicy"])
def password_policy(scope: AwsScope) -> PasswordPolicy:
    identity = {
        "id": f"arn:{scope.partition}:iam::{scope.account}:account-password-policy",
        "name": "account password policy",
        "region": "global",
        "account": scope.account,
    }
    try:
        policy = scope.call("iam", "GetAccountPasswordPolicy")["PasswordPolicy"]
    except Exception as exc:
        if error_code(exc) == "NoSuchEntity":
            return PasswordPolicy(**identity, exists=False)
        raise
    return PasswordPolicy(
        **identity,
        exists=True,
        minimum_length=policy.get("MinimumPasswordLength"),
        require_symbols=policy.get("RequireSymbols", False),
        require_numbers=policy.get("RequireNumbers", False),
        require_uppercase=policy.get("RequireUppercaseCharacters", False),
        require_lowercase=policy.get("RequireLowercaseCharacters", False),
        max_age_days=policy.get("MaxPasswordAge"),
        reuse_prevention=policy.get("PasswordReusePrevention"),
        expire_passwords=policy.get("ExpirePasswords", False),
    )
