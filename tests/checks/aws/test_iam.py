"""IAM checks through moto's server: PASS, FAIL and denied reads.

moto's GetAccountSummary always reports AccountMFAEnabled=0 and AccountAccessKeysPresent=0: its
AccountSummary hard-codes both ("Haven't found any information being able to activate MFA for the
root account programmatically"), and no API call changes them (root has no virtual MFA device and
no access key that moto could count). So through the server the root checks can only be seen as
root_mfa_enabled FAIL, root_hardware_mfa FAIL (no MFA at all) and root_access_keys_absent PASS;
the opposite verdicts are tested on an inventory built directly from the models and evaluated by
scanner.engine.evaluate.evaluate, because the collectors build their own boto3 clients.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.engine.evaluate import build_report, evaluate
from scanner.models.aws import AwsInventory
from scanner.models.aws.iam import AccountSummary, Iam, VirtualMfaDevice
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
