"""IAM: root account protection and use, console and admin MFA, password policy, credential age and
use, policy hygiene (direct attachments, admin and privilege-escalation grants), support role,
federation."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scanner.models.aws.iam import AttachedPolicy, CredentialReportUser, IamPrincipal, InlinePolicy, ManagedPolicy, PasswordPolicy
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


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
        "min_length": Param(14, minimum=6, maximum=128),
        "reuse_prevention": Param(24, minimum=1, maximum=24),
        "max_age_days": Param(90, minimum=1, maximum=1095),
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


# -- password policy, one requirement per check (CIS 1.8 / 1.9 and the complexity rules) -----------
def _policy_or_absent(inv: AwsInventory) -> Iterator[tuple[PasswordPolicy, Result | None]]:
    policy = inv.iam.password_policy
    if policy is None:
        return
    if not policy.exists:
        yield policy, Result.failed(policy, "no account password policy is set (AWS defaults apply)", exists=False)
    else:
        yield policy, None


@check(
    id="aws.iam.password_policy_min_length",
    title="The account password policy requires at least the configured length",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::AccountPasswordPolicy",
    reads=["aws.iam.password_policy"],
    params={"min_length": Param(14, minimum=6, maximum=128)},
    remediation="aws iam update-account-password-policy --minimum-password-length 14 (with the other settings kept).",
)
def password_policy_min_length(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Length is the strongest single defence against guessing and cracking; CIS asks for 14
    characters. Without a policy AWS accepts 8."""
    minimum = ctx.params["min_length"]
    for policy, absent in _policy_or_absent(inv):
        if absent:
            yield absent
        elif (policy.minimum_length or 0) >= minimum:
            yield Result.passed(policy, f"MinimumPasswordLength is {policy.minimum_length} (>= {minimum})", minimum_length=policy.minimum_length)
        else:
            yield Result.failed(policy, f"MinimumPasswordLength is {policy.minimum_length} (< {minimum})", minimum_length=policy.minimum_length)


@check(
    id="aws.iam.password_policy_reuse_prevention",
    title="The account password policy prevents reuse of recent passwords",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::AccountPasswordPolicy",
    reads=["aws.iam.password_policy"],
    params={"min_remembered": Param(24, minimum=1, maximum=24)},
    remediation="aws iam update-account-password-policy --password-reuse-prevention 24 (with the other settings kept).",
)
def password_policy_reuse_prevention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without reuse prevention a forced change can be undone by setting the old, possibly
    compromised password again; CIS asks for the last 24 to be remembered."""
    minimum = ctx.params["min_remembered"]
    for policy, absent in _policy_or_absent(inv):
        if absent:
            yield absent
        elif (policy.reuse_prevention or 0) >= minimum:
            yield Result.passed(policy, f"PasswordReusePrevention is {policy.reuse_prevention} (>= {minimum})", reuse_prevention=policy.reuse_prevention)
        else:
            yield Result.failed(
                policy, f"PasswordReusePrevention is {policy.reuse_prevention or 'not set'} (< {minimum})", reuse_prevention=policy.reuse_prevention
            )


@check(
    id="aws.iam.password_policy_complexity",
    title="The account password policy requires symbols, numbers, upper- and lower-case letters",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::AccountPasswordPolicy",
    reads=["aws.iam.password_policy"],
    remediation="aws iam update-account-password-policy --require-symbols --require-numbers "
    "--require-uppercase-characters --require-lowercase-characters (with the other settings kept).",
)
def password_policy_complexity(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Character-class rules widen the search space of every password; many organisations' stated
    password standards (and older CIS benchmarks) require all four classes."""
    for policy, absent in _policy_or_absent(inv):
        if absent:
            yield absent
            continue
        flags = {
            "RequireSymbols": policy.require_symbols,
            "RequireNumbers": policy.require_numbers,
            "RequireUppercaseCharacters": policy.require_uppercase,
            "RequireLowercaseCharacters": policy.require_lowercase,
        }
        missing = [name for name, on in flags.items() if not on]
        if missing:
            yield Result.failed(policy, f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} false", **flags)
        else:
            yield Result.passed(policy, "symbols, numbers, upper- and lower-case letters are all required", **flags)


@check(
    id="aws.iam.password_policy_max_age",
    title="The account password policy expires passwords within the configured days",
    severity=Severity.LOW,
    category=Category.MFA,
    resource_type="AWS::IAM::AccountPasswordPolicy",
    reads=["aws.iam.password_policy"],
    params={"max_days": Param(90, minimum=1, maximum=1095)},
    remediation="aws iam update-account-password-policy --max-password-age 90 (with the other settings kept).",
)
def password_policy_max_age(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A maximum age bounds how long a leaked password stays useful; many organisations' password
    standards (and older CIS benchmarks) set 90 days."""
    maximum = ctx.params["max_days"]
    for policy, absent in _policy_or_absent(inv):
        if absent:
            yield absent
        elif policy.max_age_days and policy.max_age_days <= maximum:
            yield Result.passed(policy, f"MaxPasswordAge is {policy.max_age_days} (<= {maximum})", max_age_days=policy.max_age_days)
        else:
            shown = policy.max_age_days or "not set (passwords never expire)"
            yield Result.failed(policy, f"MaxPasswordAge is {shown} (> {maximum})", max_age_days=policy.max_age_days)


# -- root use and credential age / use (credential report) ----------------------------------------
@check(
    id="aws.iam.root_account_unused",
    title="The root account has not been used within the configured days",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::Root",
    reads=["aws.iam.credential_report"],
    params={"days": Param(90, minimum=1, maximum=3650)},
    remediation="Use IAM roles or Identity Center for administration; keep root for the few tasks that need it, "
    "and investigate every recent root sign-in or key use.",
)
def root_account_unused(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Root cannot be limited by IAM policy; routine use of it defeats least privilege and
    accountability (actions are not tied to a person). A recent root sign-in or key use needs a
    documented reason (CC6.1, CC6.3)."""
    days = ctx.params["days"]
    root = next((u for u in inv.iam.credential_report if u.is_root), None)
    if root is None:
        if inv.iam.credential_report:
            yield Result.unknown(ctx.account, "the credential report has no <root_account> row")
        return
    uses = {
        "password_last_used": root.password_last_used,
        "access_key_1_last_used": root.access_key_1_last_used,
        "access_key_2_last_used": root.access_key_2_last_used,
    }
    recent = {k: v for k, v in uses.items() if v is not None and (ctx.days_since(v) or 0) < days}
    if recent:
        field, when = max(recent.items(), key=lambda kv: kv[1])
        yield Result.failed(root, f"root {field} is {when.date().isoformat()} ({count(ctx.days_since(when), 'day')} ago, < {days})", **uses)
    else:
        last = max((v for v in uses.values() if v is not None), default=None)
        shown = f"last used {last.date().isoformat()}" if last else "no recorded use"
        yield Result.passed(root, f"root not used in the last {count(days, 'day')} ({shown})", **uses)


def _active_keys(user: CredentialReportUser) -> list[tuple[int, datetime | None, datetime | None]]:
    """(key number, last rotated, last used) for each active access key."""
    keys = []
    if user.access_key_1_active:
        keys.append((1, user.access_key_1_last_rotated, user.access_key_1_last_used))
    if user.access_key_2_active:
        keys.append((2, user.access_key_2_last_rotated, user.access_key_2_last_used))
    return keys


@check(
    id="aws.iam.access_keys_rotated",
    title="Active IAM access keys were rotated within the configured days",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.credential_report"],
    params={"max_age_days": Param(90, minimum=1, maximum=3650)},
    remediation="Create a new access key, move its consumers over, then deactivate and delete the old one "
    "(better: replace long-lived keys with roles).",
)
def access_keys_rotated(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Long-lived keys leak through laptops, CI logs and repositories; regular rotation bounds how
    long a leaked key works (CIS 1.14; CC6.1, CC6.2)."""
    maximum = ctx.params["max_age_days"]
    for user in inv.iam.credential_report:
        keys = _active_keys(user)
        if user.is_root or not keys:
            continue
        ages = {f"access_key_{n}": ctx.days_since(rotated) for n, rotated, _ in keys}
        stale = {k: age for k, age in ages.items() if age is not None and age > maximum}
        if stale:
            key, age = max(stale.items(), key=lambda kv: kv[1])
            yield Result.failed(user, f"{key} last rotated {count(age, 'day')} ago (> {maximum})", key_age_days=ages)
        elif any(age is None for age in ages.values()):
            yield Result.unknown(user, "an active key has no last-rotated date in the credential report", key_age_days=ages)
        else:
            yield Result.passed(user, f"every active key rotated within {count(maximum, 'day')} (oldest {max(ages.values())})", key_age_days=ages)


@check(
    id="aws.iam.unused_console_password_disabled",
    title="Console passwords unused for the configured days are disabled",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.credential_report"],
    params={"max_unused_days": Param(45, minimum=1, maximum=3650)},
    remediation="Delete the login profile of users who no longer sign in (aws iam delete-login-profile).",
)
def unused_console_password_disabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A password nobody uses is a credential nobody would notice being abused, typically left by a
    leaver or a forgotten test account; removing it is the access-removal control of CC6.2 (CIS 1.12).
    A password never used counts from when it was set."""
    maximum = ctx.params["max_unused_days"]
    for user in inv.iam.credential_report:
        if user.is_root or not user.password_enabled:
            continue
        since = user.password_last_used or user.password_last_changed or user.user_creation_time
        idle = ctx.days_since(since)
        evidence = {"password_last_used": user.password_last_used, "password_last_changed": user.password_last_changed}
        what = "last used" if user.password_last_used else "never used, set"
        if idle is None:
            yield Result.unknown(user, "console password enabled but the report has no use or change date", **evidence)
        elif idle > maximum:
            yield Result.failed(user, f"console password {what} {count(idle, 'day')} ago (> {maximum}) and still enabled", **evidence)
        else:
            yield Result.passed(user, f"console password {what} {count(idle, 'day')} ago (<= {maximum})", **evidence)


@check(
    id="aws.iam.unused_access_keys_disabled",
    title="Access keys unused for the configured days are deactivated",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.credential_report"],
    params={"max_unused_days": Param(45, minimum=1, maximum=3650)},
    remediation="Deactivate (aws iam update-access-key --status Inactive) and then delete keys nobody uses.",
)
def unused_access_keys_disabled(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """An active key nobody uses is standing access without an owner (CIS 1.12; CC6.2 removal of
    credentials no longer needed). A key never used counts from its creation."""
    maximum = ctx.params["max_unused_days"]
    for user in inv.iam.credential_report:
        has_keys = user.access_key_1_last_rotated is not None or user.access_key_2_last_rotated is not None
        if user.is_root or not (has_keys or user.has_active_access_key):
            continue
        idle = {f"access_key_{n}": ctx.days_since(used or rotated) for n, rotated, used in _active_keys(user)}
        stale = {k: days for k, days in idle.items() if days is not None and days > maximum}
        if stale:
            key, days = max(stale.items(), key=lambda kv: kv[1])
            yield Result.failed(user, f"{key} is active and unused for {count(days, 'day')} (> {maximum})", idle_days=idle)
        elif not idle:
            yield Result.passed(user, "the user's access keys are all inactive", idle_days=idle)
        elif any(days is None for days in idle.values()):
            yield Result.unknown(user, "an active key has neither a last-used nor a created date", idle_days=idle)
        else:
            yield Result.passed(user, f"every active key used within {count(maximum, 'day')}", idle_days=idle)


# -- policy documents ---------------------------------------------------------------------------
ADMIN_POLICY_NAME = "AdministratorAccess"
SUPPORT_POLICY_NAME = "AWSSupportAccess"

# Actions that, allowed on any resource, let a principal grant itself more access.
ESCALATION_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
)
# Services that run code as a role passed to them: iam:PassRole + one of these = that role's access.
PASSROLE_TARGETS = (
    "ec2:RunInstances",
    "lambda:CreateFunction",
    "cloudformation:CreateStack",
    "glue:CreateDevEndpoint",
    "datapipeline:CreatePipeline",
    "sagemaker:CreateNotebookInstance",
    "ecs:RunTask",
    "codebuild:CreateProject",
)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(document: dict | None) -> list[dict]:
    return [s for s in _as_list((document or {}).get("Statement")) if isinstance(s, dict)]


def _matches(action: str, patterns: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in patterns)


def _broad_resource(action: str, resources: list) -> bool:
    """Whether the resources cover every resource of the action's service: "*", or an ARN pattern
    of that service ending in "/*" or ":*" (e.g. arn:aws:iam::123456789012:role/*)."""
    service = action.split(":", 1)[0].lower()
    for resource in map(str, resources):
        if resource == "*":
            return True
        parts = resource.split(":", 5)
        if len(parts) == 6 and fnmatch.fnmatchcase(service, parts[2].lower()) and resource.endswith(("/*", ":*")):
            return True
    return False


def _allows(document: dict | None, action: str) -> bool:
    """Whether the document allows `action` on a broad resource and does not deny it on "*".

    Conditions are not evaluated: a conditional Allow still counts (the condition may be met).
    An Allow with NotAction allows every action it does not list; NotResource counts as broad."""
    allowed = False
    for st in _statements(document):
        if "NotAction" in st:
            hit = not _matches(action, _as_list(st["NotAction"]))
        else:
            hit = _matches(action, _as_list(st.get("Action")))
        if not hit:
            continue
        if st.get("Effect") == "Deny":
            if not st.get("Condition") and "*" in [str(r) for r in _as_list(st.get("Resource"))]:
                return False
        elif st.get("Effect") == "Allow" and ("NotResource" in st or _broad_resource(action, _as_list(st.get("Resource")))):
            allowed = True
    return allowed


def grants_full_admin(document: dict | None) -> bool:
    """An Allow of Action "*" (or "*:*") on Resource "*": the CIS definition of full administrative access."""
    for st in _statements(document):
        if st.get("Effect") != "Allow" or "NotAction" in st:
            continue
        actions = [str(a) for a in _as_list(st.get("Action"))]
        resources = [str(r) for r in _as_list(st.get("Resource"))]
        if ("*" in actions or "*:*" in actions) and "*" in resources:
            return True
    return False


def escalation_paths(document: dict | None) -> list[str]:
    """The privilege-escalation paths a policy document allows (empty when none)."""
    if grants_full_admin(document):
        return ["*:* (full administrator)"]
    paths = [action for action in ESCALATION_ACTIONS if _allows(document, action)]
    if _allows(document, "iam:PassRole"):
        paths += [f"iam:PassRole + {target}" for target in PASSROLE_TARGETS if _allows(document, target)]
    return paths


def _is_aws_policy(policy: AttachedPolicy, name: str) -> bool:
    return policy.aws_managed and policy.arn.rsplit("/", 1)[-1] == name


def _admin_grants(principal: IamPrincipal, policies: dict[str, ManagedPolicy]) -> list[str]:
    """Why a principal (through its own attachments and inline policies) is an administrator."""
    grants = []
    for attached in principal.attached_policies:
        if _is_aws_policy(attached, ADMIN_POLICY_NAME):
            grants.append(f"AWS-managed {ADMIN_POLICY_NAME}")
        elif attached.arn in policies and grants_full_admin(policies[attached.arn].document):
            grants.append(f"customer-managed policy {attached.name} grants *:*")
    grants += [f"inline policy {p.name} grants *:*" for p in principal.inline_policies if grants_full_admin(p.document)]
    return grants


def _inline_policies(inv: AwsInventory) -> Iterator[InlinePolicy]:
    for principal in (*inv.iam.users, *inv.iam.groups, *inv.iam.roles):
        yield from principal.inline_policies


@check(
    id="aws.iam.admin_users_mfa",
    title="IAM users with administrative policies have MFA",
    severity=Severity.CRITICAL,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.users", "aws.iam.groups", "aws.iam.policies", "aws.iam.credential_report"],
    remediation="Register an MFA device for the user, or take the administrative policy away and grant "
    "administration through a role that requires MFA to assume.",
)
def admin_users_mfa(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """An administrator's password or access key alone can change every control in the account.
    Administrators are AdministratorAccess or any policy allowing "*" on "*", attached to the user,
    to one of its groups, or inline (CC6.1, CC6.3)."""
    policies = {p.id: p for p in inv.iam.policies}
    groups = {g.name: g for g in inv.iam.groups}
    report = {u.id: u for u in inv.iam.credential_report}
    for user in inv.iam.users:
        grants = _admin_grants(user, policies)
        for group_name in user.groups:
            if group_name in groups:
                grants += [f"group {group_name}: {g}" for g in _admin_grants(groups[group_name], policies)]
        if not grants:
            continue
        row = report.get(user.id)
        if row is None:
            yield Result.unknown(user, "administrator, but not in the credential report (created after it was generated?)", admin_grants=grants)
        elif row.mfa_active:
            yield Result.passed(user, f"administrator ({grants[0]}) with MFA active", admin_grants=grants, mfa_active=True)
        else:
            yield Result.failed(user, f"administrator ({grants[0]}) without MFA (mfa_active=false)", admin_grants=grants, mfa_active=False)


@check(
    id="aws.iam.no_user_attached_policies",
    title="IAM users receive permissions only through groups or roles",
    severity=Severity.LOW,
    category=Category.MFA,
    resource_type="AWS::IAM::User",
    reads=["aws.iam.users"],
    remediation="Move the user's managed and inline policies to a group that matches the job role and add the user to it.",
)
def no_user_attached_policies(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Permissions granted per person drift from the documented roles and make access reviews a
    per-user exercise; granting through groups keeps access role-based (CIS 1.15; CC6.3)."""
    for user in inv.iam.users:
        direct = [p.name for p in user.attached_policies] + [f"{p.name} (inline)" for p in user.inline_policies]
        if direct:
            yield Result.failed(user, f"policies attached directly to the user: {', '.join(direct)}", policies=direct)
        else:
            yield Result.passed(user, "no managed or inline policy attached directly", policies=[])


@check(
    id="aws.iam.customer_policy_no_admin",
    title="No customer-managed policy grants full administrative access (*:*)",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::ManagedPolicy",
    reads=["aws.iam.policies"],
    remediation='Replace "Action": "*" on "Resource": "*" with the actions the job needs; use the AWS-managed '
    "AdministratorAccess policy, on a role that requires MFA, where full access is truly needed.",
)
def customer_policy_no_admin(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Home-grown *:* policies hide administrators from reviews that look for AdministratorAccess and
    defeat least privilege (CIS 1.16; CC6.3). Unattached policies are judged too: anyone allowed to
    attach policies can use them."""
    for policy in inv.iam.policies:
        evidence = {"default_version": policy.default_version_id, "attachment_count": policy.attachment_count}
        if policy.document is None:
            yield Result.unknown(policy, "the default version's document was not returned", **evidence)
        elif grants_full_admin(policy.document):
            yield Result.failed(policy, f'default version {policy.default_version_id} allows "*" on "*" (attached {policy.attachment_count} times)', **evidence)
        else:
            yield Result.passed(policy, f'default version {policy.default_version_id} does not allow "*" on "*"', **evidence)


@check(
    id="aws.iam.inline_policy_no_admin",
    title="No inline policy grants full administrative access (*:*)",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::Policy",
    reads=["aws.iam.users", "aws.iam.groups", "aws.iam.roles"],
    remediation="Delete the inline policy and grant the needed actions through a reviewed managed policy.",
)
def inline_policy_no_admin(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """An inline *:* policy makes its principal an administrator without appearing in any list of
    policies, so access reviews miss it (CC6.3)."""
    for policy in _inline_policies(inv):
        evidence = {"principal": policy.principal_arn}
        if grants_full_admin(policy.document):
            yield Result.failed(policy, f'inline policy on {policy.principal_type} allows "*" on "*"', **evidence)
        else:
            yield Result.passed(policy, f'inline policy on {policy.principal_type} does not allow "*" on "*"', **evidence)


@check(
    id="aws.iam.customer_policy_no_privilege_escalation",
    title="No customer-managed policy allows privilege escalation",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::ManagedPolicy",
    reads=["aws.iam.policies"],
    remediation="Scope iam:PassRole to the specific roles a service needs, and the iam:Put*/Attach*/"
    "CreatePolicyVersion/CreateAccessKey/*LoginProfile actions to the principals they must manage.",
)
def customer_policy_no_privilege_escalation(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A policy that lets its holder rewrite policies, mint credentials for others, or pass any role
    to code it launches is an administrator in disguise; least privilege (CC6.3) requires these
    actions to be scoped to specific resources."""
    for policy in inv.iam.policies:
        if policy.document is None:
            yield Result.unknown(policy, "the default version's document was not returned")
            continue
        paths = escalation_paths(policy.document)
        if paths:
            yield Result.failed(policy, f"allows on any resource: {'; '.join(paths)}", escalation_paths=paths, attachment_count=policy.attachment_count)
        else:
            yield Result.passed(policy, "no privilege-escalation action allowed on any resource", escalation_paths=[])


@check(
    id="aws.iam.inline_policy_no_privilege_escalation",
    title="No inline policy allows privilege escalation",
    severity=Severity.HIGH,
    category=Category.MFA,
    resource_type="AWS::IAM::Policy",
    reads=["aws.iam.users", "aws.iam.groups", "aws.iam.roles"],
    remediation="Scope iam:PassRole to the specific roles a service needs, and the iam:Put*/Attach*/"
    "CreatePolicyVersion/CreateAccessKey/*LoginProfile actions to the principals they must manage.",
)
def inline_policy_no_privilege_escalation(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Inline policies that let a principal rewrite its own permissions or pass any role to code it
    launches give it every permission in the account (CC6.3)."""
    for policy in _inline_policies(inv):
        paths = escalation_paths(policy.document)
        evidence = {"principal": policy.principal_arn, "escalation_paths": paths}
        if paths:
            yield Result.failed(policy, f"allows on any resource: {'; '.join(paths)}", **evidence)
        else:
            yield Result.passed(policy, "no privilege-escalation action allowed on any resource", **evidence)


@check(
    id="aws.iam.support_role_exists",
    title="A role with AWSSupportAccess exists for incident handling",
    severity=Severity.LOW,
    category=Category.MFA,
    resource_type="AWS::IAM::Role",
    reads=["aws.iam.roles"],
    remediation="Create a role that the incident responders may assume and attach arn:aws:iam::aws:policy/AWSSupportAccess.",
)
def support_role_exists(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Opening and following AWS Support cases during an incident should not need root or an
    administrator; a dedicated role gives responders exactly that access (CIS 1.17; CC6.3, CC7.4)."""
    roles = sorted(r.name for r in inv.iam.roles if any(_is_aws_policy(p, SUPPORT_POLICY_NAME) for p in r.attached_policies))
    if roles:
        yield Result.passed(ctx.account, f"{SUPPORT_POLICY_NAME} is attached to role {', '.join(roles)}", roles=roles)
    else:
        yield Result.failed(ctx.account, f"no role has {SUPPORT_POLICY_NAME} attached", roles=[])


@check(
    id="aws.iam.identity_federation_configured",
    title="Console users sign in through federation (IAM Identity Center or a SAML/OIDC provider)",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="AWS::SSO::Instance",
    reads=["aws.iam.credential_report", "aws.iam.identity_providers", "aws.ssoadmin.instances"],
    optional=["aws.iam.credential_report", "aws.iam.identity_providers", "aws.ssoadmin.instances"],
    remediation="Enable IAM Identity Center (or add a SAML provider for the corporate IdP), move people to it, "
    "and remove IAM users' console passwords.",
)
def identity_federation_configured(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With federation, joiners, movers and leavers are handled once in the corporate identity
    provider, with its MFA and its offboarding; local IAM console users are accounts the HR-driven
    process does not reach (CC6.1, CC6.2). Only IAM Identity Center instances that are ACTIVE count.
    Either federation source is evidence on its own: one that could not be read does not withhold
    a PASS the other gives."""
    console_users = sorted(u.name for u in inv.iam.credential_report if not u.is_root and u.password_enabled)
    centers = sorted(i.id for i in inv.ssoadmin.instances if i.status in (None, "ACTIVE"))
    providers = sorted(f"{p.kind} {p.name}" for p in inv.iam.identity_providers)
    evidence = {"identity_center_instances": centers, "identity_providers": providers, "console_users": console_users}
    unread_users = ctx.missing("aws.iam.credential_report")
    unread = [reason for key in ("aws.iam.identity_providers", "aws.ssoadmin.instances") if (reason := ctx.missing(key))]
    if centers or providers:
        via = f"IAM Identity Center {centers[0]}" if centers else f"identity provider {providers[0]}"
        yield Result.passed(ctx.account, f"federated sign-in configured ({via})", **evidence)
    elif unread_users:
        yield Result.error(ctx.account, f"no federation found; the IAM users' console passwords could not be read: {unread_users}", **evidence)
    elif not console_users:
        yield Result.not_applicable(ctx.account, "no IAM user has a console password, and no federation was found", **evidence)
    elif unread:
        yield Result.error(ctx.account, "no federation found in what could be read: " + "; ".join(unread), **evidence)
    else:
        shown = ", ".join(console_users[:5]) + (" ..." if len(console_users) > 5 else "")
        yield Result.failed(
            ctx.account, f"{len(console_users)} IAM console user(s) ({shown}) and no Identity Center instance or SAML/OIDC provider", **evidence
        )
