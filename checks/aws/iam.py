"""IAM: root account protection, console MFA, password policy."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.models.aws import AwsInventory
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check


@check(
    id="aws.iam.root_mfa_enabled",
    title="The root account has MFA enabled",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="AWS::IAM::Root",
    reads=["aws.iam.account_summary"],
    remediation="Sign in as root, open Security credentials and assign an MFA device (hardware key preferred).",
)
def root_mfa_enabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """The root user can do anything in the account and cannot be restricted by IAM policy; a
    password alone is a single factor protecting every control in scope."""
    summary = inv.iam.account_summary
    if summary is None:
        return
    if summary.account_mfa_enabled:
        yield Result.passed(summary, "AccountMFAEnabled is 1", account_mfa_enabled=True)
    else:
        yield Result.failed(summary, "AccountMFAEnabled is 0: the root account has no MFA device", account_mfa_enabled=False)


@check(
    id="aws.iam.root_hardware_mfa",
    title="The root account uses a hardware MFA device",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::Root",
    reads=["aws.iam.account_summary", "aws.iam.virtual_mfa_devices"],
    remediation="Replace the root account's virtual MFA with a hardware TOTP token or FIDO security key.",
)
def root_hardware_mfa(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A virtual MFA device lives on a phone that may be lost, shared or backed up; CIS asks for a
    hardware device on the root account."""
    summary = inv.iam.account_summary
    if summary is None:
        return
    root_virtual = [d.serial_number for d in inv.iam.virtual_mfa_devices if (d.user_arn or "").endswith(":root")]
    if not summary.account_mfa_enabled:
        yield Result.failed(summary, "AccountMFAEnabled is 0: the root account has no MFA device at all")
    elif root_virtual:
        yield Result.failed(summary, f"root MFA is a virtual device ({root_virtual[0]})", virtual_mfa_serials=root_virtual)
    else:
        yield Result.passed(summary, "root MFA is enabled and no virtual MFA device is assigned to root")


@check(
    id="aws.iam.root_access_keys_absent",
    title="The root account has no access keys",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="AWS::IAM::Root",
    reads=["aws.iam.account_summary"],
    remediation="Delete the root user's access keys (Security credentials > Access keys) and use IAM roles instead.",
)
def root_access_keys_absent(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Root access keys give unrestricted, MFA-less programmatic access to the whole account."""
    summary = inv.iam.account_summary
    if summary is None:
        return
    if summary.account_access_keys_present:
        yield Result.failed(summary, "AccountAccessKeysPresent is 1: root has access keys", account_access_keys_present=True)
    else:
        yield Result.passed(summary, "AccountAccessKeysPresent is 0", account_access_keys_present=False)


@check(
    id="aws.iam.user_console_mfa",
    title="IAM users with a console password have MFA",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.credential_report"],
    remediation="Require each console user to register an MFA device; deny actions without aws:MultiFactorAuthPresent.",
)
def user_console_mfa(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A console password without a second factor can be phished or guessed; SOC 2 CC6.1 expects
    strong authentication for access to systems in scope."""
    for user in inv.iam.credential_report:
        if user.is_root or not user.password_enabled:
            continue
        if user.mfa_active:
            yield Result.passed(user, "console password enabled and MFA active", mfa_active=True)
        else:
            yield Result.failed(
                user,
                "console password enabled, no MFA device (mfa_active=false)",
                mfa_active=False,
                password_last_used=user.password_last_used,
            )


@check(
    id="aws.iam.password_policy_strong",
    title="The account password policy meets the configured strength",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::AccountPasswordPolicy",
    reads=["aws.iam.password_policy"],
    params={
        "min_length": 14,
        "reuse_prevention": 24,
        "max_age_days": 90,
        "require_symbols": True,
        "require_numbers": True,
        "require_uppercase": True,
        "require_lowercase": True,
    },
    remediation="Set the account password policy (IAM > Account settings) to the required length, complexity, reuse and age.",
)
def password_policy_strong(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Weak or absent password rules make console credentials guessable; auditors test the policy
    against the organisation's stated standard (CIS: 14 characters, 24 remembered)."""
    policy = inv.iam.password_policy
    if policy is None:
        return
    if not policy.exists:
        yield Result.failed(policy, "no account password policy is set (AWS defaults: 8 characters, no reuse limit)")
        return
    p = ctx.params
    gaps = []
    if (policy.minimum_length or 0) < p["min_length"]:
        gaps.append(f"MinimumPasswordLength {policy.minimum_length} < {p['min_length']}")
    if (policy.reuse_prevention or 0) < p["reuse_prevention"]:
        gaps.append(f"PasswordReusePrevention {policy.reuse_prevention} < {p['reuse_prevention']}")
    if p["max_age_days"] and (not policy.max_age_days or policy.max_age_days > p["max_age_days"]):
        gaps.append(f"MaxPasswordAge {policy.max_age_days} > {p['max_age_days']}")
    for flag, field in (
        ("require_symbols", "RequireSymbols"),
        ("require_numbers", "RequireNumbers"),
        ("require_uppercase", "RequireUppercaseCharacters"),
        ("require_lowercase", "RequireLowercaseCharacters"),
    ):
        if p[flag] and not getattr(policy, flag):
            gaps.append(f"{field} is false")
    evidence = policy.model_dump(exclude={"id", "name", "region", "account", "errors", "exists"})
    if gaps:
        yield Result.failed(policy, "; ".join(gaps), **evidence)
    else:
        yield Result.passed(policy, "password policy meets every configured requirement", **evidence)
