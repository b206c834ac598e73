"""IAM (global): credential report, account summary, virtual MFA devices, password policy, the
users, groups, roles and customer-managed policies with their documents, and federation providers.

Users, groups, roles and policies come from GetAccountAuthorizationDetails: one paginated call
(each page memoised for the run, so the four collectors share it) instead of a List*/Get* call per
principal and policy."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import error_code
from scanner.collect.registry import collector
from scanner.models.aws.iam import (
    AccountSummary,
    AttachedPolicy,
    CredentialReportUser,
    IamGroup,
    IamRole,
    IamUser,
    IdentityProvider,
    InlinePolicy,
    ManagedPolicy,
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


# -- users, groups, roles, customer-managed policies ------------------------------------------------
AUTHORIZATION_DETAILS = ["iam:GetAccountAuthorizationDetails"]
# LocalManagedPolicy: customer-managed policies only; AWS-managed ones are recognised by ARN.
_FILTER = ["User", "Group", "Role", "LocalManagedPolicy"]


def _authorization_details(scope: AwsScope) -> dict[str, list[dict[str, Any]]]:
    """Every page of GetAccountAuthorizationDetails, merged (each page memoised: fetched once per run)."""
    merged: dict[str, list[dict[str, Any]]] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
    marker: str | None = None
    while True:
        page = scope.call("iam", "GetAccountAuthorizationDetails", Filter=_FILTER, **({"Marker": marker} if marker else {}))
        for key, items in merged.items():
            items.extend(page.get(key, []))
        marker = page.get("Marker")
        if not page.get("IsTruncated") or not marker:
            return merged


def _document(value: Any) -> dict:
    """Policy documents arrive decoded by botocore; a URL-encoded JSON string is decoded here."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        return json.loads(urllib.parse.unquote(value))
    return {}


def _principal_fields(scope: AwsScope, item: dict[str, Any], kind: str, name_key: str, inline_key: str) -> dict[str, Any]:
    arn = item["Arn"]
    return {
        "id": arn,
        "name": item[name_key],
        "region": "global",
        "account": scope.account,
        "path": item.get("Path", "/"),
        "created": item.get("CreateDate"),
        "attached_policies": [
            AttachedPolicy(name=p["PolicyName"], arn=p["PolicyArn"]) for p in item.get("AttachedManagedPolicies", [])
        ],
        "inline_policies": [
            InlinePolicy(
                id=f"{arn}/inline-policy/{p['PolicyName']}",
                name=p["PolicyName"],
                region="global",
                account=scope.account,
                principal_arn=arn,
                principal_type=kind,
                document=_document(p.get("PolicyDocument")),
            )
            for p in item.get(inline_key, [])
        ],
    }


@collector("aws.iam.users", regional=False, permissions=AUTHORIZATION_DETAILS)
def users(scope: AwsScope) -> list[IamUser]:
    return [
        IamUser(**_principal_fields(scope, u, "user", "UserName", "UserPolicyList"), groups=list(u.get("GroupList", [])))
        for u in _authorization_details(scope)["UserDetailList"]
    ]


@collector("aws.iam.groups", regional=False, permissions=AUTHORIZATION_DETAILS)
def groups(scope: AwsScope) -> list[IamGroup]:
    return [
        IamGroup(**_principal_fields(scope, g, "group", "GroupName", "GroupPolicyList"))
        for g in _authorization_details(scope)["GroupDetailList"]
    ]


@collector("aws.iam.roles", regional=False, permissions=AUTHORIZATION_DETAILS)
def roles(scope: AwsScope) -> list[IamRole]:
    return [
        IamRole(**_principal_fields(scope, r, "role", "RoleName", "RolePolicyList"))
        for r in _authorization_details(scope)["RoleDetailList"]
    ]


@collector("aws.iam.policies", regional=False, permissions=AUTHORIZATION_DETAILS)
def policies(scope: AwsScope) -> list[ManagedPolicy]:
    result = []
    for p in _authorization_details(scope)["Policies"]:
        default = p.get("DefaultVersionId", "")
        versions = p.get("PolicyVersionList", [])
        version = next((v for v in versions if v.get("IsDefaultVersion") or v.get("VersionId") == default), None)
        result.append(
            ManagedPolicy(
                id=p["Arn"],
                name=p["PolicyName"] if "PolicyName" in p else p["Arn"].rsplit("/", 1)[-1],
                region="global",
                account=scope.account,
                default_version_id=default,
                attachment_count=p.get("AttachmentCount", 0),
                document=_document(version.get("Document")) if version else None,
            )
        )
    return result


@collector(
    "aws.iam.identity_providers",
    regional=False,
    permissions=["iam:ListSAMLProviders", "iam:ListOpenIDConnectProviders"],
)
def identity_providers(scope: AwsScope) -> list[IdentityProvider]:
    def provider(arn: str, kind: str, valid_until: datetime | None = None) -> IdentityProvider:
        return IdentityProvider(
            id=arn, name=arn.rsplit("/", 1)[-1], region="global", account=scope.account, kind=kind, valid_until=valid_until
        )

    saml = scope.call("iam", "ListSAMLProviders").get("SAMLProviderList", [])
    oidc = scope.call("iam", "ListOpenIDConnectProviders").get("OpenIDConnectProviderList", [])
    return [provider(p["Arn"], "SAML", p.get("ValidUntil")) for p in saml] + [provider(p["Arn"], "OIDC") for p in oidc]
