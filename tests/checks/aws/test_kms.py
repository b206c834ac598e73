"""KMS key rotation through moto's server.

Keys have no name in the API (aliases are separate), so findings are named by key id; the
pass-/fail- labels live in the key descriptions and the expected sets map ids back to them.
moto creates no AWS-managed keys, so the AWS-manager branch is not exercised here.
"""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _key(kms, description: str, **kwargs) -> str:
    return kms.create_key(Description=description, **kwargs)["KeyMetadata"]["KeyId"]


def test_rotation_enabled_and_out_of_scope_keys(aws):
    kms = aws.client("kms")
    rotating = _key(kms, "pass-rotating")
    kms.enable_key_rotation(KeyId=rotating)
    disabled_rotating = _key(kms, "pass-disabled-but-rotating")
    kms.enable_key_rotation(KeyId=disabled_rotating)
    kms.disable_key(KeyId=disabled_rotating)
    not_rotating = _key(kms, "fail-not-rotating")
    disabled_not_rotating = _key(kms, "fail-disabled-not-rotating")
    kms.disable_key(KeyId=disabled_not_rotating)
    # Out of scope: rotation is unavailable for these, or the key is being deleted.
    _key(kms, "skip-asymmetric", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    _key(kms, "skip-hmac", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")
    _key(kms, "skip-imported", Origin="EXTERNAL")
    kms.schedule_key_deletion(KeyId=_key(kms, "skip-pending-deletion"), PendingWindowInDays=7)

    report = aws.scan("aws.kms.cmk_rotation_enabled")
    assert verdicts(report, "aws.kms.cmk_rotation_enabled") == {
        (rotating, "PASS"),
        (disabled_rotating, "PASS"),
        (not_rotating, "FAIL"),
        (disabled_not_rotating, "FAIL"),
    }
    assert finding(report, "aws.kms.cmk_rotation_enabled", disabled_rotating).evidence["key_state"] == "Disabled"
    assert finding(report, "aws.kms.cmk_rotation_enabled", not_rotating).message == "KeyRotationEnabled is false"


def test_only_out_of_scope_keys_is_not_applicable(aws):
    _key(aws.client("kms"), "skip-asymmetric", KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    report = aws.scan("aws.kms.cmk_rotation_enabled")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_rotation_is_regional(aws):
    kms_us = aws.client("kms", "us-east-1")
    kms_eu = aws.client("kms", "eu-west-1")
    us_key = _key(kms_us, "pass-us")
    kms_us.enable_key_rotation(KeyId=us_key)
    eu_key = _key(kms_eu, "fail-eu")
    report = aws.scan("aws.kms.cmk_rotation_enabled", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.kms.cmk_rotation_enabled") == {(us_key, "PASS"), (eu_key, "FAIL")}
    assert finding(report, "aws.kms.cmk_rotation_enabled", eu_key).region == "eu-west-1"


def test_denied_rotation_status_is_error_per_key(aws, denied_session):
    kms = aws.client("kms")
    rotating = _key(kms, "pass-rotating")
    kms.enable_key_rotation(KeyId=rotating)
    asymmetric = _key(kms, "skip-asymmetric", KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
    report = aws.scan("aws.kms.cmk_rotation_enabled", session=denied_session("kms:GetKeyRotationStatus"))
    assert verdicts(report, "aws.kms.cmk_rotation_enabled") == {(rotating, "ERROR")}
    error = finding(report, "aws.kms.cmk_rotation_enabled", rotating)
    assert "access denied to kms:GetKeyRotationStatus in us-east-1" in error.message
    assert asymmetric not in {f.resource_name for f in report.findings}
    assert not report.collection_errors  # the key list itself was read


def test_denied_describe_key_fails_the_region(aws, denied_session):
    kms = aws.client("kms")
    kms.enable_key_rotation(KeyId=_key(kms, "pass-rotating"))
    report = aws.scan("aws.kms.cmk_rotation_enabled", session=denied_session("kms:DescribeKey"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.kms.cmk_rotation_enabled") == {(region, "ERROR")}
    assert "access denied to kms:DescribeKey" in finding(report, "aws.kms.cmk_rotation_enabled", region).message
