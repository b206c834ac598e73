"""AWS Backup plan check through moto's server: an account-level verdict over every region."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"


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
