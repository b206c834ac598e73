"""IAM checks through moto's server: PASS, FAIL and denied reads.

moto gaps worked around below (each test says which):
- AWS-managed policies (AdministratorAccess, AWSSupportAccess) exist in moto only when
  MOTO_IAM_LOAD_MANAGED_POLICIES=true when its IAM backend is (re)created; the server runs in this
  process (ThreadedMotoServer), so the `managed_policies` fixture sets the variable and resets moto.
- moto's credential report has no <root_account> row and never records a password use, and every
  date in it is "now": the age checks are collected through moto and then re-evaluated as the same
  snapshot would be later (`trustscan evaluate` uses the snapshot's collected_at as "now"), and the
  root-use check runs on an inventory built from the models.
- moto's ListInstances (sso-admin) always returns one Identity Center instance, so "no Identity
  Center" is a botocore Stubber on a real sso-admin client (responses validated against the service
  model), put in the AwsApi client cache before the collectors run; IAM still answers from moto.

moto's GetAccountSummary always reports AccountMFAEnabled=0 and AccountAccessKeysPresent=0: its
AccountSummary hard-codes both ("Haven't found any information being able to activate MFA for the
root account programmatically"), and no API call changes them (root has no virtual MFA device and
no access key that moto could count). So through the server the root checks can only be seen as
root_mfa_enabled FAIL, root_hardware_mfa FAIL (no MFA at all) and root_access_keys_absent PASS;
the opposite verdicts are tested on an inventory built directly from the models and evaluated by
scanner.engine.evaluate.evaluate, because the collectors build their own boto3 clients.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.stub import Stubber

from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.demo.aws import reset
from scanner.engine.evaluate import build_report, evaluate
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.aws import AwsInventory
from scanner.models.aws.iam import AccountSummary, CredentialReportUser, Iam, VirtualMfaDevice
from scanner.models.common import Coverage, CoverageState, Status
from scanner.models.inventory import Identity, Inventory, InventoryMetadata
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ROOT_CHECKS = ("aws.iam.root_mfa_enabled", "aws.iam.root_hardware_mfa", "aws.iam.root_access_keys_absent")
STRONG_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireSymbols": True,
    "RequireNumbers": True,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 24,
}


def _console_user(iam, name: str) -> None:
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password="Not-a-real-Passw0rd!", PasswordResetRequired=False)


def test_user_console_mfa(aws):
    iam = aws.client("iam")
    _console_user(iam, "pass-console-mfa")
    _console_user(iam, "fail-console-no-mfa")
    iam.create_user(UserName="api-only")  # no console password: out of scope for the check
    iam.create_access_key(UserName="api-only")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="pass-phone")["VirtualMFADevice"]
    iam.enable_mfa_device(
        UserName="pass-console-mfa",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    )
    # The collector polls GenerateCredentialReport until COMPLETE, sleeping 1s between polls;
    # asking once here makes moto answer COMPLETE at once.
    iam.generate_credential_report()
    report = aws.scan("aws.iam.user_console_mfa")
    assert verdicts(report, "aws.iam.user_console_mfa") == {
        ("pass-console-mfa", "PASS"),
        ("fail-console-no-mfa", "FAIL"),
    }
    assert "no MFA device" in finding(report, "aws.iam.user_console_mfa", "fail-console-no-mfa").message


def test_no_console_users_is_not_applicable(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="api-only")
    iam.generate_credential_report()
    report = aws.scan("aws.iam.user_console_mfa")
    assert {f.status for f in report.findings if f.check_id == "aws.iam.user_console_mfa"} == {Status.NOT_APPLICABLE}


def test_password_policy_strong_pass(aws):
    aws.client("iam").update_account_password_policy(**STRONG_POLICY)
    report = aws.scan("aws.iam.password_policy_strong")
    assert verdicts(report, "aws.iam.password_policy_strong") == {("account password policy", "PASS")}


def test_password_policy_weak_fails_and_parameters_relax_it(aws):
    aws.client("iam").update_account_password_policy(
        **{**STRONG_POLICY, "MinimumPasswordLength": 8, "PasswordReusePrevention": 5}
    )
    report = aws.scan("aws.iam.password_policy_strong")
    assert verdicts(report, "aws.iam.password_policy_strong") == {("account password policy", "FAIL")}
    message = finding(report, "aws.iam.password_policy_strong", "account password policy").message
    assert message == "MinimumPasswordLength 8 < 14; PasswordReusePrevention 5 < 24"

    relaxed = aws.scan(
        "aws.iam.password_policy_strong",
        params={"aws.iam.password_policy_strong": {"min_length": 8, "reuse_prevention": 5}},
    )
    assert verdicts(relaxed, "aws.iam.password_policy_strong") == {("account password policy", "PASS")}


def test_password_policy_absent_fails(aws):
    report = aws.scan("aws.iam.password_policy_strong")
    assert verdicts(report, "aws.iam.password_policy_strong") == {("account password policy", "FAIL")}
    assert "no account password policy" in finding(report, "aws.iam.password_policy_strong", "account password policy").message


def test_root_checks_as_moto_reports_them(aws):
    """moto: AccountMFAEnabled=0, AccountAccessKeysPresent=0 (fixed; see the module docstring)."""
    aws.client("iam").create_virtual_mfa_device(VirtualMFADeviceName="unassigned")
    report = aws.scan(*ROOT_CHECKS)
    assert verdicts(report, "aws.iam.root_mfa_enabled") == {("root", "FAIL")}
    assert verdicts(report, "aws.iam.root_hardware_mfa") == {("root", "FAIL")}
    assert verdicts(report, "aws.iam.root_access_keys_absent") == {("root", "PASS")}
    assert finding(report, "aws.iam.root_hardware_mfa", "root").message.endswith("no MFA device at all")


def _root_inventory(mfa: bool, access_keys: bool, devices: list[VirtualMfaDevice]) -> Inventory:
    keys = ("aws.iam.account_summary", "aws.iam.virtual_mfa_devices")
    return Inventory(
        metadata=InventoryMetadata(
            tool_version="test",
            provider="aws",
            collected_at=datetime(2026, 1, 1, tzinfo=UTC),
            identity=Identity(account=ACCOUNT, principal=f"arn:aws:iam::{ACCOUNT}:user/scanner", partition="aws"),
            regions=["us-east-1"],
        ),
        coverage=[Coverage(key=key, scope="global", state=CoverageState.COLLECTED) for key in keys],
        aws=AwsInventory(
            iam=Iam(
                account_summary=AccountSummary(
                    id=f"arn:aws:iam::{ACCOUNT}:root",
                    name="root",
                    region="global",
                    account=ACCOUNT,
                    account_mfa_enabled=mfa,
                    account_access_keys_present=access_keys,
                    users=0,
                ),
                virtual_mfa_devices=devices,
            )
        ),
    )


def _evaluate(inventory: Inventory) -> Report:
    """evaluate() over the constructed inventory, wrapped in a Report so `verdicts` reads it."""
    checks = select_checks(load_checks(), provider="aws", ids=list(ROOT_CHECKS))
    findings = evaluate(inventory, checks, {})
    return build_report(inventory, findings, checks, {}, source="test", started_at=inventory.metadata.collected_at)


def _virtual_device(name: str, user_arn: str) -> VirtualMfaDevice:
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/{name}"
    return VirtualMfaDevice(id=serial, name=name, region="global", account=ACCOUNT, serial_number=serial, user_arn=user_arn)


def test_root_checks_on_a_constructed_inventory():
    """The verdicts moto cannot produce (root MFA on, root access keys present), on an inventory
    built from scanner.models.aws.iam and evaluated with scanner.engine.evaluate.evaluate: moto's
    server hard-codes AccountMFAEnabled=0 / AccountAccessKeysPresent=0, and the collectors build
    their own clients, so no Stubber can be slipped in."""
    root_phone = _virtual_device("root-account-mfa-device", f"arn:aws:iam::{ACCOUNT}:root")
    alices_phone = _virtual_device("alice", f"arn:aws:iam::{ACCOUNT}:user/alice")

    # Root MFA on, no virtual device assigned to root (a hardware key), no root access keys.
    hardware = _evaluate(_root_inventory(mfa=True, access_keys=False, devices=[alices_phone]))
    assert verdicts(hardware, "aws.iam.root_mfa_enabled") == {("root", "PASS")}
    # A user's virtual device does not make root's MFA "virtual".
    assert verdicts(hardware, "aws.iam.root_hardware_mfa") == {("root", "PASS")}
    assert verdicts(hardware, "aws.iam.root_access_keys_absent") == {("root", "PASS")}

    # Root MFA on but it is a virtual device, and root has access keys.
    virtual = _evaluate(_root_inventory(mfa=True, access_keys=True, devices=[root_phone, alices_phone]))
    assert verdicts(virtual, "aws.iam.root_mfa_enabled") == {("root", "PASS")}
    assert verdicts(virtual, "aws.iam.root_hardware_mfa") == {("root", "FAIL")}
    assert verdicts(virtual, "aws.iam.root_access_keys_absent") == {("root", "FAIL")}
    assert finding(virtual, "aws.iam.root_hardware_mfa", "root").evidence["virtual_mfa_serials"] == [root_phone.serial_number]
    assert finding(virtual, "aws.iam.root_access_keys_absent", "root").message.startswith("AccountAccessKeysPresent is 1")


def test_denied_account_summary_is_error_never_pass(aws, denied_session):
    session = denied_session("iam:GetAccountSummary")
    report = aws.scan(*ROOT_CHECKS, "aws.iam.password_policy_strong", session=session)
    for check_id in ROOT_CHECKS:
        (root,) = [f for f in report.findings if f.check_id == check_id]
        assert root.status == Status.ERROR, check_id
        assert root.resource_name == f"account {ACCOUNT}"
        assert "access denied to iam:GetAccountSummary" in root.message
    # The other IAM reads were allowed: the password policy check still decides.
    assert verdicts(report, "aws.iam.password_policy_strong") == {("account password policy", "FAIL")}
    assert [e.key for e in report.collection_errors] == ["aws.iam.account_summary"]


def test_denied_password_policy_is_error_not_absent(aws, denied_session):
    aws.client("iam").update_account_password_policy(**STRONG_POLICY)
    report = aws.scan("aws.iam.password_policy_strong", session=denied_session("iam:GetAccountPasswordPolicy"))
    denied = finding(report, "aws.iam.password_policy_strong", f"account {ACCOUNT}")
    assert denied.status == Status.ERROR
    assert "access denied to iam:GetAccountPasswordPolicy" in denied.message
    assert "is not authorized to perform: iam:GetAccountPasswordPolicy" in denied.message
    assert verdicts(report, "aws.iam.password_policy_strong") == {(f"account {ACCOUNT}", "ERROR")}


def test_denied_credential_report_is_error(aws, denied_session):
    _console_user(aws.client("iam"), "fail-console-no-mfa")
    report = aws.scan("aws.iam.user_console_mfa", session=denied_session("iam:GenerateCredentialReport"))
    assert verdicts(report, "aws.iam.user_console_mfa") == {(f"account {ACCOUNT}", "ERROR")}
    assert (
        "access denied to iam:GenerateCredentialReport"
        in finding(report, "aws.iam.user_console_mfa", f"account {ACCOUNT}").message
    )


# -- password policy, one requirement per check ---------------------------------------------------
SPLIT_POLICY_CHECKS = (
    "aws.iam.password_policy_min_length",
    "aws.iam.password_policy_reuse_prevention",
    "aws.iam.password_policy_complexity",
    "aws.iam.password_policy_max_age",
)
POLICY = "account password policy"


def test_password_policy_split_checks_pass_on_the_cis_policy(aws):
    aws.client("iam").update_account_password_policy(**STRONG_POLICY)
    report = aws.scan(*SPLIT_POLICY_CHECKS)
    assert verdicts(report, "aws.iam.password_policy_min_length") == {(POLICY, "PASS")}
    assert verdicts(report, "aws.iam.password_policy_reuse_prevention") == {(POLICY, "PASS")}
    assert verdicts(report, "aws.iam.password_policy_complexity") == {(POLICY, "PASS")}
    assert verdicts(report, "aws.iam.password_policy_max_age") == {(POLICY, "PASS")}
    assert finding(report, "aws.iam.password_policy_min_length", POLICY).message == "MinimumPasswordLength is 14 (>= 14)"


def test_password_policy_split_checks_fail_each_weak_setting(aws):
    aws.client("iam").update_account_password_policy(
        MinimumPasswordLength=8, PasswordReusePrevention=5, RequireSymbols=False, RequireNumbers=True,
        RequireUppercaseCharacters=True, RequireLowercaseCharacters=False, MaxPasswordAge=180,
    )
    report = aws.scan(*SPLIT_POLICY_CHECKS)
    assert verdicts(report, "aws.iam.password_policy_min_length") == {(POLICY, "FAIL")}
    assert verdicts(report, "aws.iam.password_policy_reuse_prevention") == {(POLICY, "FAIL")}
    assert verdicts(report, "aws.iam.password_policy_complexity") == {(POLICY, "FAIL")}
    assert verdicts(report, "aws.iam.password_policy_max_age") == {(POLICY, "FAIL")}
    assert finding(report, "aws.iam.password_policy_complexity", POLICY).message == (
        "RequireSymbols, RequireLowercaseCharacters are false"
    )
    assert finding(report, "aws.iam.password_policy_max_age", POLICY).message == "MaxPasswordAge is 180 (> 90)"
    relaxed = aws.scan(
        "aws.iam.password_policy_min_length", "aws.iam.password_policy_max_age",
        params={"aws.iam.password_policy_min_length": {"min_length": 8}, "aws.iam.password_policy_max_age": {"max_days": 180}},
    )
    assert verdicts(relaxed, "aws.iam.password_policy_min_length") == {(POLICY, "PASS")}
    assert verdicts(relaxed, "aws.iam.password_policy_max_age") == {(POLICY, "PASS")}


def test_password_policy_split_checks_fail_without_a_policy(aws):
    report = aws.scan(*SPLIT_POLICY_CHECKS)
    for check_id in SPLIT_POLICY_CHECKS:
        assert {(f.resource_name, f.status) for f in report.findings if f.check_id == check_id} == {(POLICY, Status.FAIL)}


# -- policies, principals, admin MFA --------------------------------------------------------------
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
SUPPORT_ARN = "arn:aws:iam::aws:policy/AWSSupportAccess"
STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
S3_READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


@pytest.fixture
def managed_policies(aws, monkeypatch):
    """moto with the AWS-managed policies loaded (see the module docstring)."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    reset(aws.endpoint_url)
    yield aws
    monkeypatch.delenv("MOTO_IAM_LOAD_MANAGED_POLICIES")
    reset(aws.endpoint_url)


def _policy(iam, name: str, document: dict) -> str:
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def _mfa(iam, user: str) -> None:
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName=user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321")


def test_admin_users_mfa(managed_policies):
    aws = managed_policies
    iam = aws.client("iam")
    star = _policy(iam, "home-grown-admin", STAR)
    for user in ("pass-admin-with-mfa", "fail-admin-direct", "fail-admin-via-group", "fail-admin-inline", "fail-admin-customer", "reader"):
        iam.create_user(UserName=user)
    iam.attach_user_policy(UserName="pass-admin-with-mfa", PolicyArn=ADMIN_ARN)
    _mfa(iam, "pass-admin-with-mfa")
    iam.attach_user_policy(UserName="fail-admin-direct", PolicyArn=ADMIN_ARN)
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=ADMIN_ARN)
    iam.add_user_to_group(GroupName="admins", UserName="fail-admin-via-group")
    iam.put_user_policy(UserName="fail-admin-inline", PolicyName="all", PolicyDocument=json.dumps(STAR))
    iam.attach_user_policy(UserName="fail-admin-customer", PolicyArn=star)
    iam.attach_user_policy(UserName="reader", PolicyArn=_policy(iam, "reader", S3_READ))  # not an admin: no verdict
    iam.generate_credential_report()
    report = aws.scan("aws.iam.admin_users_mfa")
    assert verdicts(report, "aws.iam.admin_users_mfa") == {
        ("pass-admin-with-mfa", "PASS"),
        ("fail-admin-direct", "FAIL"),
        ("fail-admin-via-group", "FAIL"),
        ("fail-admin-inline", "FAIL"),
        ("fail-admin-customer", "FAIL"),
    }
    assert finding(report, "aws.iam.admin_users_mfa", "fail-admin-via-group").message == (
        "administrator (group admins: AWS-managed AdministratorAccess) without MFA (mfa_active=false)"
    )
    assert finding(report, "aws.iam.admin_users_mfa", "fail-admin-customer").evidence["admin_grants"] == [
        "customer-managed policy home-grown-admin grants *:*"
    ]
    # One GetAccountAuthorizationDetails walk serves users, groups and policies.
    assert report.metadata.api_calls["iam:GetAccountAuthorizationDetails"] == 1


def test_no_user_attached_policies_and_admin_policies(aws):
    iam = aws.client("iam")
    reader = _policy(iam, "pass-reader", S3_READ)
    _policy(iam, "fail-star", STAR)
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=reader)
    iam.put_group_policy(GroupName="readers", PolicyName="pass-group-inline", PolicyDocument=json.dumps(S3_READ))
    iam.create_user(UserName="pass-group-member")
    iam.add_user_to_group(GroupName="readers", UserName="pass-group-member")
    iam.create_user(UserName="fail-direct-managed")
    iam.attach_user_policy(UserName="fail-direct-managed", PolicyArn=reader)
    iam.create_user(UserName="fail-direct-inline")
    iam.put_user_policy(UserName="fail-direct-inline", PolicyName="fail-user-star", PolicyDocument=json.dumps(STAR))
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="app", PolicyName="fail-role-star", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*:*", "Resource": ["*"]}}))
    report = aws.scan("aws.iam.no_user_attached_policies", "aws.iam.customer_policy_no_admin", "aws.iam.inline_policy_no_admin")
    assert verdicts(report, "aws.iam.no_user_attached_policies") == {
        ("pass-group-member", "PASS"),
        ("fail-direct-managed", "FAIL"),
        ("fail-direct-inline", "FAIL"),
    }
    assert finding(report, "aws.iam.no_user_attached_policies", "fail-direct-inline").message == (
        "policies attached directly to the user: fail-user-star (inline)"
    )
    assert verdicts(report, "aws.iam.customer_policy_no_admin") == {("pass-reader", "PASS"), ("fail-star", "FAIL")}
    assert finding(report, "aws.iam.customer_policy_no_admin", "fail-star").evidence["attachment_count"] == 0
    assert verdicts(report, "aws.iam.inline_policy_no_admin") == {
        ("pass-group-inline", "PASS"),
        ("fail-user-star", "FAIL"),
        ("fail-role-star", "FAIL"),
    }
    assert finding(report, "aws.iam.inline_policy_no_admin", "fail-role-star").resource_id == (
        "arn:aws:iam::123456789012:role/app/inline-policy/fail-role-star"
    )


def _allow(*actions: str, resource: Any = "*") -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}


def test_privilege_escalation(aws):
    iam = aws.client("iam")
    role_arn = "arn:aws:iam::123456789012:role/app"
    _policy(iam, "pass-read-only", S3_READ)
    _policy(iam, "pass-passrole-one-role", _allow("iam:PassRole", "ec2:RunInstances", resource=[role_arn, "arn:aws:ec2:*:*:*"]))
    _policy(iam, "fail-passrole-any-role", _allow("iam:PassRole", "lambda:CreateFunction", resource=["arn:aws:iam::*:role/*", "arn:aws:lambda:*:*:*"]))
    _policy(iam, "fail-passrole-ec2", _allow("iam:PassRole", "ec2:RunInstances"))
    _policy(iam, "fail-policy-version", _allow("iam:CreatePolicyVersion"))
    _policy(iam, "fail-iam-wildcard", _allow("iam:*"))
    _policy(iam, "pass-denied-again", {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:Put*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
    ]})
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="app", PolicyName="fail-lambda-passrole", PolicyDocument=json.dumps(_allow("iam:PassRole", "lambda:CreateFunction")))
    iam.put_role_policy(RoleName="app", PolicyName="pass-logs", PolicyDocument=json.dumps(_allow("logs:CreateLogStream", "logs:PutLogEvents")))
    iam.create_user(UserName="dev")
    iam.put_user_policy(UserName="dev", PolicyName="fail-not-action", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]}))
    report = aws.scan("aws.iam.customer_policy_no_privilege_escalation", "aws.iam.inline_policy_no_privilege_escalation")
    assert verdicts(report, "aws.iam.customer_policy_no_privilege_escalation") == {
        ("pass-read-only", "PASS"),
        ("pass-passrole-one-role", "PASS"),
        ("pass-denied-again", "PASS"),
        ("fail-passrole-ec2", "FAIL"),
        ("fail-passrole-any-role", "FAIL"),
        ("fail-policy-version", "FAIL"),
        ("fail-iam-wildcard", "FAIL"),
    }
    assert verdicts(report, "aws.iam.inline_policy_no_privilege_escalation") == {
        ("pass-logs", "PASS"),
        ("fail-lambda-passrole", "FAIL"),
        ("fail-not-action", "FAIL"),
    }
    assert finding(report, "aws.iam.customer_policy_no_privilege_escalation", "fail-passrole-ec2").evidence["escalation_paths"] == [
        "iam:PassRole + ec2:RunInstances"
    ]
    assert finding(report, "aws.iam.inline_policy_no_privilege_escalation", "fail-lambda-passrole").message == (
        "allows on any resource: iam:PassRole + lambda:CreateFunction"
    )


def test_support_role_exists(managed_policies):
    aws = managed_policies
    iam = aws.client("iam")
    iam.create_role(RoleName="ops", AssumeRolePolicyDocument=TRUST)
    iam.create_user(UserName="helpdesk")
    iam.attach_user_policy(UserName="helpdesk", PolicyArn=SUPPORT_ARN)  # a user does not count
    missing = aws.scan("aws.iam.support_role_exists")
    assert verdicts(missing, "aws.iam.support_role_exists") == {(f"account {ACCOUNT}", "FAIL")}
    iam.attach_role_policy(RoleName="ops", PolicyArn=SUPPORT_ARN)
    present = aws.scan("aws.iam.support_role_exists")
    assert verdicts(present, "aws.iam.support_role_exists") == {(f"account {ACCOUNT}", "PASS")}
    assert finding(present, "aws.iam.support_role_exists", f"account {ACCOUNT}").evidence["roles"] == ["ops"]


def test_denied_authorization_details_is_error(aws, denied_session):
    _policy(aws.client("iam"), "fail-star", STAR)
    checks = ("aws.iam.customer_policy_no_admin", "aws.iam.inline_policy_no_admin", "aws.iam.no_user_attached_policies")
    report = aws.scan(*checks, session=denied_session("iam:GetAccountAuthorizationDetails"))
    for check_id in checks:
        assert verdicts(report, check_id) == {(f"account {ACCOUNT}", "ERROR")}, check_id
    assert "access denied to iam:GetAccountAuthorizationDetails" in finding(report, "aws.iam.customer_policy_no_admin", f"account {ACCOUNT}").message
    assert sorted(e.key for e in report.collection_errors) == ["aws.iam.groups", "aws.iam.policies", "aws.iam.roles", "aws.iam.users"]


# -- credential age and use: collected through moto, re-evaluated later ---------------------------
def _collect_and_age(aws, check_ids: tuple[str, ...], days: int, params: dict | None = None) -> tuple[Report, Report]:
    """The report at collection time, and the same snapshot evaluated `days` later."""
    inventory, fresh = aws.collect(list(check_ids), params=params)
    later = inventory.model_copy(
        update={"metadata": inventory.metadata.model_copy(update={"collected_at": inventory.metadata.collected_at + timedelta(days=days)})}
    )
    options = ScanOptions(checks=select_checks(load_checks(), provider="aws", ids=list(check_ids)), params=params or {})
    return fresh, report_for(later, options, source="test")


def test_access_keys_rotated(aws):
    iam = aws.client("iam")
    iam.create_user(UserName="deploy")
    iam.create_access_key(UserName="deploy")
    iam.create_user(UserName="retired")
    key = iam.create_access_key(UserName="retired")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="retired", AccessKeyId=key, Status="Inactive")  # inactive keys are not judged
    iam.generate_credential_report()
    fresh, aged = _collect_and_age(aws, ("aws.iam.access_keys_rotated",), days=91)
    assert verdicts(fresh, "aws.iam.access_keys_rotated") == {("deploy", "PASS")}
    assert verdicts(aged, "aws.iam.access_keys_rotated") == {("deploy", "FAIL")}
    assert finding(aged, "aws.iam.access_keys_rotated", "deploy").message == "access_key_1 last rotated 91 days ago (> 90)"


def test_unused_credentials_disabled(aws):
    iam = aws.client("iam")
    _console_user(iam, "console-user")
    iam.create_user(UserName="pass-key-deactivated")
    key = iam.create_access_key(UserName="pass-key-deactivated")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="pass-key-deactivated", AccessKeyId=key, Status="Inactive")
    iam.create_user(UserName="fail-key-never-used")
    iam.create_access_key(UserName="fail-key-never-used")
    iam.generate_credential_report()
    checks = ("aws.iam.unused_console_password_disabled", "aws.iam.unused_access_keys_disabled")
    fresh, aged = _collect_and_age(aws, checks, days=46)
    assert verdicts(fresh, "aws.iam.unused_console_password_disabled") == {("console-user", "PASS")}
    assert verdicts(aged, "aws.iam.unused_console_password_disabled") == {("console-user", "FAIL")}
    assert finding(aged, "aws.iam.unused_console_password_disabled", "console-user").message == (
        "console password never used, set 46 days ago (> 45) and still enabled"
    )
    assert verdicts(fresh, "aws.iam.unused_access_keys_disabled") == {("pass-key-deactivated", "PASS"), ("fail-key-never-used", "PASS")}
    assert verdicts(aged, "aws.iam.unused_access_keys_disabled") == {("pass-key-deactivated", "PASS"), ("fail-key-never-used", "FAIL")}
    # The threshold is a parameter: 60 days of idleness is tolerated with max_unused_days=60.
    _, relaxed = _collect_and_age(aws, checks, days=46, params={"aws.iam.unused_access_keys_disabled": {"max_unused_days": 60}})
    assert verdicts(relaxed, "aws.iam.unused_access_keys_disabled") == {("pass-key-deactivated", "PASS"), ("fail-key-never-used", "PASS")}


def _root_row(**fields: Any) -> CredentialReportUser:
    return CredentialReportUser(
        id=f"arn:aws:iam::{ACCOUNT}:root", name="root", region="global", account=ACCOUNT, is_root=True,
        password_enabled=True, mfa_active=True, **fields,
    )


def _report_inventory(rows: list[CredentialReportUser]) -> Inventory:
    return Inventory(
        metadata=InventoryMetadata(
            tool_version="test",
            provider="aws",
            collected_at=datetime(2026, 1, 1, tzinfo=UTC),
            identity=Identity(account=ACCOUNT, principal=f"arn:aws:iam::{ACCOUNT}:user/scanner", partition="aws"),
            regions=["us-east-1"],
        ),
        coverage=[Coverage(key="aws.iam.credential_report", scope="global", state=CoverageState.COLLECTED)],
        aws=AwsInventory(iam=Iam(credential_report=rows)),
    )


def _evaluate_checks(inventory: Inventory, *check_ids: str) -> Report:
    checks = select_checks(load_checks(), provider="aws", ids=list(check_ids))
    return build_report(inventory, evaluate(inventory, checks, {}), checks, {}, source="test", started_at=inventory.metadata.collected_at)


def test_root_account_unused_on_a_constructed_inventory():
    """moto's credential report has no <root_account> row: the verdicts are tested on an inventory
    built from scanner.models.aws.iam and evaluated with scanner.engine.evaluate.evaluate."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    quiet = _evaluate_checks(_report_inventory([_root_row(password_last_used=now - timedelta(days=200))]), "aws.iam.root_account_unused")
    assert verdicts(quiet, "aws.iam.root_account_unused") == {("root", "PASS")}
    assert finding(quiet, "aws.iam.root_account_unused", "root").message == "root not used in the last 90 days (last used 2025-06-15)"
    used = _evaluate_checks(
        _report_inventory([_root_row(password_last_used=now - timedelta(days=200), access_key_1_last_used=now - timedelta(days=3))]),
        "aws.iam.root_account_unused",
    )
    assert verdicts(used, "aws.iam.root_account_unused") == {("root", "FAIL")}
    assert finding(used, "aws.iam.root_account_unused", "root").message == "root access_key_1_last_used is 2025-12-29 (3 days ago, < 90)"


def test_root_account_unused_through_moto_is_unknown(aws):
    """Through moto the report lacks the root row: UNKNOWN, never PASS."""
    _console_user(aws.client("iam"), "someone")
    aws.client("iam").generate_credential_report()
    report = aws.scan("aws.iam.root_account_unused")
    assert verdicts(report, "aws.iam.root_account_unused") == {(f"account {ACCOUNT}", "UNKNOWN")}


# -- federation -------------------------------------------------------------------------------------
def _scan_with_stubs(aws, check_ids: tuple[str, ...], stubs: dict[tuple[str, str], Any], regions=("us-east-1",), session=None) -> Report:
    """Like aws.scan, with stubbed clients placed in the AwsApi client cache (all else is moto)."""
    checks = select_checks(load_checks(), provider="aws", ids=list(check_ids))
    pool = WorkPool(8)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=session or aws.session(), max_attempts=2)
        api._clients.update(stubs)
        options = ScanOptions(checks=checks)
        return report_for(collect(AwsCollection(api, regions=list(regions)), pool, options), options, source="test")
    finally:
        pool.shutdown()


def _no_identity_center(aws, region: str = "us-east-1") -> tuple[Any, Stubber]:
    client = aws.client("sso-admin", region)
    stubber = Stubber(client)
    stubber.add_response("list_instances", {"Instances": []}, {})
    stubber.activate()
    return client, stubber


FEDERATION = "aws.iam.identity_federation_configured"


def test_federation_with_identity_center_passes(aws):
    """moto reports an Identity Center instance in every region."""
    _console_user(aws.client("iam"), "alice")
    aws.client("iam").generate_credential_report()
    report = aws.scan(FEDERATION)
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "PASS")}
    assert finding(report, FEDERATION, f"account {ACCOUNT}").message.startswith("federated sign-in configured (IAM Identity Center arn:aws:sso:::instance/")


def test_federation_missing_fails_and_a_saml_provider_passes(aws):
    """sso-admin ListInstances is stubbed empty (botocore Stubber, validated against the model)."""
    iam = aws.client("iam")
    _console_user(iam, "alice")
    iam.generate_credential_report()
    client, stubber = _no_identity_center(aws)
    report = _scan_with_stubs(aws, (FEDERATION,), {("sso-admin", "us-east-1"): client})
    stubber.assert_no_pending_responses()
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "FAIL")}
    assert finding(report, FEDERATION, f"account {ACCOUNT}").message == (
        "1 IAM console user(s) (alice) and no Identity Center instance or SAML/OIDC provider"
    )
    iam.create_saml_provider(Name="corporate-idp", SAMLMetadataDocument="<EntityDescriptor>" + "x" * 1000)
    client, _ = _no_identity_center(aws)
    federated = _scan_with_stubs(aws, (FEDERATION,), {("sso-admin", "us-east-1"): client})
    assert verdicts(federated, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "PASS")}
    assert finding(federated, FEDERATION, f"account {ACCOUNT}").evidence["identity_providers"] == ["SAML corporate-idp"]


def test_federation_without_console_users_is_not_applicable(aws):
    aws.client("iam").create_user(UserName="api-only")
    aws.client("iam").generate_credential_report()
    client, _ = _no_identity_center(aws)
    report = _scan_with_stubs(aws, (FEDERATION,), {("sso-admin", "us-east-1"): client})
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "NOT_APPLICABLE")}


def test_federation_denied_in_a_region_is_error_not_fail(aws, denied_session):
    """Identity Center answers (empty, stubbed) in eu-west-1; us-east-1 is denied sso:ListInstances
    through moto's IAM enforcement. No federation was seen, but a region was unread: ERROR naming
    it (Identity Center is an optional input, so one account-level verdict)."""
    _console_user(aws.client("iam"), "alice")
    aws.client("iam").generate_credential_report()
    session = denied_session("sso:ListInstances")
    client, _ = _no_identity_center(aws, "eu-west-1")
    checks = select_checks(load_checks(), provider="aws", ids=[FEDERATION])
    pool = WorkPool(8)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=session, max_attempts=2)
        api._clients[("sso-admin", "eu-west-1")] = client
        options = ScanOptions(checks=checks)
        report = report_for(collect(AwsCollection(api, regions=["us-east-1", "eu-west-1"]), pool, options), options, source="test")
    finally:
        pool.shutdown()
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "ERROR")}
    assert "access denied to sso:ListInstances in us-east-1" in finding(report, FEDERATION, f"account {ACCOUNT}").message


def test_denied_identity_providers_does_not_withhold_identity_center(aws, denied_session):
    """iam:ListSAMLProviders denied (moto enforcing IAM): Identity Center alone shows federation,
    so PASS (moto reports an instance in every region)."""
    _console_user(aws.client("iam"), "alice")
    aws.client("iam").generate_credential_report()
    report = aws.scan(FEDERATION, session=denied_session("iam:ListSAMLProviders"))
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "PASS")}
    assert [e.key for e in report.collection_errors] == ["aws.iam.identity_providers"]


def test_denied_identity_providers_without_identity_center_is_error(aws, denied_session):
    _console_user(aws.client("iam"), "alice")
    aws.client("iam").generate_credential_report()
    client, _ = _no_identity_center(aws)
    report = _scan_with_stubs(aws, (FEDERATION,), {("sso-admin", "us-east-1"): client}, session=denied_session("iam:ListSAMLProviders"))
    assert verdicts(report, "aws.iam.identity_federation_configured") == {(f"account {ACCOUNT}", "ERROR")}
    assert "access denied to iam:ListSAMLProviders" in finding(report, FEDERATION, f"account {ACCOUNT}").message
