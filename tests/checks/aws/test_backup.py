"""AWS Backup checks through moto's server: plans and vaults (account-level verdicts over every
region), Vault Lock, vault encryption; restore testing plans through botocore's Stubber (moto has
no restore testing API), and AWS-managed keys through inventories built from the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner.models.aws import AwsInventory
from scanner.models.aws.backup import Backup, BackupVault
from scanner.models.aws.kms import Kms, KmsKey
from tests.checks.aws._serial_stubs import SharedSessionAccount, at, inventory_of, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


def _plan(aws, name: str, with_rule: bool, region: str = "us-east-1") -> None:
    backup = aws.client("backup", region)
    backup.create_backup_vault(BackupVaultName=f"{name}-vault")
    rules = [
        {
            "RuleName": "daily",
            "TargetBackupVaultName": f"{name}-vault",
            "ScheduleExpression": "cron(0 5 * * ? *)",
            "Lifecycle": {"DeleteAfterDays": 35},
        }
    ]
    backup.create_backup_plan(BackupPlan={"BackupPlanName": name, "Rules": rules if with_rule else []})


def test_plan_with_rule_passes(aws):
    _plan(aws, "pass-daily", with_rule=True)
    _plan(aws, "empty-plan", with_rule=False)
    report = aws.scan("aws.backup.plan_exists")
    assert verdicts(report, "aws.backup.plan_exists") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, "aws.backup.plan_exists", ACCOUNT_NAME).evidence["plans"] == ["pass-daily (us-east-1)"]


def test_no_plan_fails(aws):
    report = aws.scan("aws.backup.plan_exists")
    assert verdicts(report, "aws.backup.plan_exists") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, "aws.backup.plan_exists", ACCOUNT_NAME).message == "no AWS Backup plan in any region"


def test_plans_without_rules_fail(aws):
    _plan(aws, "fail-empty", with_rule=False)
    report = aws.scan("aws.backup.plan_exists")
    assert verdicts(report, "aws.backup.plan_exists") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, "aws.backup.plan_exists", ACCOUNT_NAME).message == "backup plans have no rules: fail-empty"


def test_plan_in_another_region_passes(aws):
    _plan(aws, "pass-eu-daily", with_rule=True, region="eu-west-1")
    report = aws.scan("aws.backup.plan_exists", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.backup.plan_exists") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, "aws.backup.plan_exists", ACCOUNT_NAME).evidence["plans"] == ["pass-eu-daily (eu-west-1)"]
    # Only the home region was scanned: the plan is not seen, the verdict is FAIL.
    assert verdicts(aws.scan("aws.backup.plan_exists", regions=("us-east-1",)), "aws.backup.plan_exists") == {
        (ACCOUNT_NAME, "FAIL")
    }


def test_rejected_listing_is_error_never_pass(aws, denied_session):
    """moto limitation: with IAM enforcement on, moto's server rejects *every* signed AWS Backup
    GET (ListBackupPlans, GetBackupPlan) with SignatureDoesNotMatch, whatever the policy says: for a
    request without a body moto recomputes the signature over a body built from the query string,
    or from the request headers when there is none (moto/core/responses.py sets `self.data` that
    way; moto/iam/access_control.py signs `self._body or self._data`). The 403 comes back as XML,
    which botocore's rest-json parser cannot read, so the error code is just "403".

    So the Deny below is not what fails the call, and a Deny on GetBackupPlan alone cannot be
    told apart from one on ListBackupPlans. What this still pins down is the property that
    matters: a 403 on the listing makes the region ERROR with a reason, and never PASS or FAIL.
    (The per-action Deny path is covered for the JSON and query services in the other modules.)"""
    _plan(aws, "pass-daily", with_rule=True)
    report = aws.scan("aws.backup.plan_exists", session=denied_session("backup:ListBackupPlans"))
    region = f"{ACCOUNT_NAME} in us-east-1"
    assert verdicts(report, "aws.backup.plan_exists") == {(region, "ERROR")}
    assert "access denied to backup:ListBackupPlans in us-east-1" in finding(report, "aws.backup.plan_exists", region).message
    assert [(e.key, e.error_code) for e in report.collection_errors] == [("aws.backup.plans", "403")]


# -- vaults --------------------------------------------------------------------------------------------------


def test_vault_exists_in_any_region(aws):
    aws.client("backup", "eu-west-1").create_backup_vault(BackupVaultName="pass-eu-vault")
    report = aws.scan("aws.backup.vault_exists", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.backup.vault_exists") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, "aws.backup.vault_exists", ACCOUNT_NAME).evidence["vaults"] == ["pass-eu-vault (eu-west-1)"]
    assert verdicts(aws.scan("aws.backup.vault_exists", regions=("us-east-1",)), "aws.backup.vault_exists") == {
        (ACCOUNT_NAME, "FAIL")
    }


def test_rejected_vault_listing_is_error_never_fail(aws, denied_session):
    """The same moto signature limitation as above (every signed Backup GET is rejected, so every
    region fails): each region is ERROR and no account-level verdict is made from nothing. (A
    single failed region next to a readable one gives UNKNOWN: see the restore testing test.)"""
    report = aws.scan(
        "aws.backup.vault_exists", regions=("us-east-1", "eu-west-1"), session=denied_session("backup:ListBackupVaults")
    )
    assert verdicts(report, "aws.backup.vault_exists") == {
        (f"{ACCOUNT_NAME} in eu-west-1", "ERROR"),
        (f"{ACCOUNT_NAME} in us-east-1", "ERROR"),
    }


def test_vault_lock_and_min_retention(aws):
    backup = aws.client("backup")
    for name in ("pass-locked-30", "fail-locked-1", "fail-unlocked"):
        backup.create_backup_vault(BackupVaultName=name)
    backup.put_backup_vault_lock_configuration(BackupVaultName="pass-locked-30", MinRetentionDays=30, MaxRetentionDays=365)
    backup.put_backup_vault_lock_configuration(BackupVaultName="fail-locked-1", MinRetentionDays=1, ChangeableForDays=3)
    inventory, report = aws.collect(["aws.backup.vault_lock"])
    assert verdicts(report, "aws.backup.vault_lock") == {
        ("pass-locked-30", "PASS"),
        ("fail-locked-1", "FAIL"),
        ("fail-unlocked", "FAIL"),
    }
    assert (
        finding(report, "aws.backup.vault_lock", "pass-locked-30").message
        == "Vault Lock (governance mode) MinRetentionDays is 30 (>= 7)"
    )
    assert (
        finding(report, "aws.backup.vault_lock", "fail-locked-1").message
        == "Vault Lock (compliance mode) MinRetentionDays is 1 (< 7)"
    )
    assert finding(report, "aws.backup.vault_lock", "fail-unlocked").message == "Vault Lock is not configured"
    strict = at(
        inventory,
        ["aws.backup.vault_lock"],
        inventory.metadata.collected_at,
        params={"aws.backup.vault_lock": {"min_retention_days": 90}},
    )
    assert verdicts(strict, "aws.backup.vault_lock") == {
        ("pass-locked-30", "FAIL"),
        ("fail-locked-1", "FAIL"),
        ("fail-unlocked", "FAIL"),
    }


def test_vault_cmk_encrypted(aws):
    key = aws.client("kms").create_key(Description="backups")["KeyMetadata"]["Arn"]
    backup = aws.client("backup")
    backup.create_backup_vault(BackupVaultName="pass-cmk", EncryptionKeyArn=key)
    backup.create_backup_vault(BackupVaultName="fail-default-key")  # moto reports no EncryptionKeyArn
    report = aws.scan("aws.backup.vault_cmk_encrypted")
    assert verdicts(report, "aws.backup.vault_cmk_encrypted") == {("pass-cmk", "PASS"), ("fail-default-key", "FAIL")}
    assert finding(report, "aws.backup.vault_cmk_encrypted", "pass-cmk").evidence["encryption_key_arn"] == key


def test_vault_with_aws_managed_or_unknown_key(aws):
    """AWS reports the aws/backup key's ARN for vaults created without a key; moto reports none and
    lists its aws/* keys as customer managed, so these cases are built from the models and
    evaluated directly."""
    managed = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    vault = lambda name, **kw: BackupVault(
        id=f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:{name}", name=name, region="us-east-1", account=ACCOUNT, **kw
    )
    vaults = [
        vault("fail-aws-managed", encryption_key_arn=managed),
        vault("unknown-key", encryption_key_arn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/00000000-0000-0000-0000-000000000000"),
        vault(
            "pass-air-gapped-cmk", encryption_key_type="CUSTOMER_MANAGED_KMS_KEY", vault_type="LOGICALLY_AIR_GAPPED_BACKUP_VAULT"
        ),
        vault(
            "fail-air-gapped-aws-owned", encryption_key_type="AWS_OWNED_KMS_KEY", vault_type="LOGICALLY_AIR_GAPPED_BACKUP_VAULT"
        ),
    ]
    key = KmsKey(
        id=managed,
        name=managed.rsplit("/", 1)[-1],
        region="us-east-1",
        account=ACCOUNT,
        key_manager="AWS",
        key_state="Enabled",
        key_spec="SYMMETRIC_DEFAULT",
        origin="AWS_KMS",
    )
    inventory = inventory_of(
        AwsInventory(backup=Backup(vaults=vaults), kms=Kms(keys=[key])), ["aws.backup.vaults", "aws.kms.keys"]
    )
    report = at(inventory, ["aws.backup.vault_cmk_encrypted"], inventory.metadata.collected_at)
    assert verdicts(report, "aws.backup.vault_cmk_encrypted") == {
        ("fail-aws-managed", "FAIL"),
        ("unknown-key", "UNKNOWN"),
        ("pass-air-gapped-cmk", "PASS"),
        ("fail-air-gapped-aws-owned", "FAIL"),
    }


# -- restore testing (moto has no restore testing API: botocore Stubber) ----------------------------------------


def _restore_plans(*names: str, region: str = "us-east-1", executed: bool = False) -> list:
    plans = [
        {
            "RestoreTestingPlanArn": f"arn:aws:backup:{region}:{ACCOUNT}:restore-testing-plan:{name}",
            "RestoreTestingPlanName": name,
            "ScheduleExpression": "cron(0 5 ? * SUN *)",
            "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
            **({"LastExecutionTime": datetime(2026, 1, 4, 5, tzinfo=UTC)} if executed else {}),
        }
        for name in names
    ]
    return [("ListRestoreTestingPlans", {"RestoreTestingPlans": plans}, {})]


def test_restore_testing_plan_exists(aws):
    replies = {
        ("backup", "us-east-1"): _restore_plans("pass_never_run"),
        ("backup", "eu-west-1"): _restore_plans("pass_weekly", region="eu-west-1", executed=True),
    }
    _, report = stubbed_collect(aws, ["aws.backup.restore_testing_plan_exists"], replies, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.backup.restore_testing_plan_exists") == {(ACCOUNT_NAME, "PASS")}
    passed = finding(report, "aws.backup.restore_testing_plan_exists", ACCOUNT_NAME)
    assert passed.evidence["plans"] == ["pass_never_run (us-east-1)", "pass_weekly (eu-west-1)"]
    assert passed.evidence["executed"] == ["pass_weekly (eu-west-1)"]


def test_no_restore_testing_plan_fails(aws):
    replies = {("backup", "us-east-1"): _restore_plans()}
    _, report = stubbed_collect(aws, ["aws.backup.restore_testing_plan_exists"], replies)
    assert verdicts(report, "aws.backup.restore_testing_plan_exists") == {(ACCOUNT_NAME, "FAIL")}


def test_denied_restore_testing_is_error_and_unknown(aws):
    replies = {
        ("backup", "us-east-1"): _restore_plans(),
        ("backup", "eu-west-1"): [("ListRestoreTestingPlans", "AccessDeniedException", {})],
    }
    _, report = stubbed_collect(aws, ["aws.backup.restore_testing_plan_exists"], replies, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.backup.restore_testing_plan_exists") == {
        (f"{ACCOUNT_NAME} in eu-west-1", "ERROR"),
        (ACCOUNT_NAME, "UNKNOWN"),
    }
