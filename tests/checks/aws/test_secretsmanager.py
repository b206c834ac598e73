"""Secrets Manager through moto's server: rotation enabled and recent, customer-managed keys, and
denied reads. Rotation age is judged against the snapshot's collected_at, so the stale case
re-evaluates the same inventory as a snapshot read 100 days later."""

from __future__ import annotations

from datetime import timedelta

from tests.checks.aws._stubbed_clients import evaluate_at
from tests.conftest import finding, verdicts

ROTATION = "aws.secretsmanager.secret_rotation"
CMK = "aws.secretsmanager.secret_cmk_encrypted"


def test_rotation_enabled_and_recent(aws):
    sm = aws.client("secretsmanager")
    for name in ("pass-rotated", "fail-never", "fail-long-schedule"):
        sm.create_secret(Name=name, SecretString="s3cr3t")
    sm.rotate_secret(SecretId="pass-rotated", RotationRules={"AutomaticallyAfterDays": 30})
    sm.rotate_secret(SecretId="fail-long-schedule", RotationRules={"AutomaticallyAfterDays": 180})
    inventory, report = aws.collect([ROTATION])
    assert verdicts(report, "aws.secretsmanager.secret_rotation") == {
        ("pass-rotated", "PASS"),
        ("fail-never", "FAIL"),
        ("fail-long-schedule", "FAIL"),
    }
    assert finding(report, ROTATION, "fail-never").message == "RotationEnabled is false"
    assert finding(report, ROTATION, "fail-long-schedule").message == "rotation schedule is every 180 days (> 90)"
    later = evaluate_at(inventory, [ROTATION], inventory.metadata.collected_at + timedelta(days=100))
    assert verdicts(later, "aws.secretsmanager.secret_rotation") == {
        ("pass-rotated", "FAIL"),
        ("fail-never", "FAIL"),
        ("fail-long-schedule", "FAIL"),
    }
    assert finding(later, ROTATION, "pass-rotated").message == "rotation is enabled but last rotated 100 days ago (> 90)"


def test_secret_cmk_encrypted(aws):
    sm = aws.client("secretsmanager")
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    sm.create_secret(Name="pass-cmk", SecretString="x", KmsKeyId=key)
    sm.create_secret(Name="fail-default-key", SecretString="x")
    sm.create_secret(Name="fail-aws-alias", SecretString="x", KmsKeyId="alias/aws/secretsmanager")
    report = aws.scan(CMK)
    assert verdicts(report, "aws.secretsmanager.secret_cmk_encrypted") == {
        ("pass-cmk", "PASS"),
        ("fail-default-key", "FAIL"),
        ("fail-aws-alias", "FAIL"),
    }
    assert finding(report, CMK, "fail-default-key").message == "no KmsKeyId: the AWS-managed key aws/secretsmanager is used"


def test_denied_listing_is_error_never_pass(aws, denied_session):
    aws.client("secretsmanager").create_secret(Name="hidden", SecretString="x")
    report = aws.scan(ROTATION, session=denied_session("secretsmanager:ListSecrets"))
    region = "account 123456789012 in us-east-1"
    assert verdicts(report, "aws.secretsmanager.secret_rotation") == {(region, "ERROR")}
    assert "access denied to secretsmanager:ListSecrets" in finding(report, ROTATION, region).message
