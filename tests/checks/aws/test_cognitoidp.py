"""Cognito user pool MFA through moto's server: ON passes, OPTIONAL and OFF fail, denied reads."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CHECK = "aws.cognitoidp.user_pool_mfa_required"


def test_user_pool_mfa_required(aws):
    cognito = aws.client("cognito-idp")
    required = cognito.create_user_pool(PoolName="pass-mfa-on")["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=required, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON")
    cognito.create_user_pool(PoolName="fail-mfa-optional", MfaConfiguration="OPTIONAL")
    cognito.create_user_pool(PoolName="fail-mfa-off")
    cognito.create_user_pool(PoolName="pass-eu-mfa-on", MfaConfiguration="ON")  # us-east-1 too; eu pool below
    eu = aws.client("cognito-idp", "eu-west-1")
    eu.create_user_pool(PoolName="fail-eu-optional", MfaConfiguration="OPTIONAL")
    report = aws.scan(CHECK, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.cognitoidp.user_pool_mfa_required") == {
        ("pass-mfa-on", "PASS"),
        ("pass-eu-mfa-on", "PASS"),
        ("fail-mfa-optional", "FAIL"),
        ("fail-mfa-off", "FAIL"),
        ("fail-eu-optional", "FAIL"),
    }
    assert finding(report, CHECK, "fail-mfa-optional").message == (
        "MfaConfiguration is OPTIONAL: users who have not enrolled sign in with a password only"
    )
    assert finding(report, CHECK, "fail-eu-optional").region == "eu-west-1"
    assert finding(report, CHECK, "pass-mfa-on").evidence["software_token_mfa"] is True


def test_denied_list_is_error(aws, denied_session):
    aws.client("cognito-idp").create_user_pool(PoolName="pass-mfa-on", MfaConfiguration="ON")
    report = aws.scan(CHECK, session=denied_session("cognito-idp:ListUserPools"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.cognitoidp.user_pool_mfa_required") == {(region, "ERROR")}
    assert "access denied to cognito-idp:ListUserPools" in finding(report, CHECK, region).message


def test_denied_mfa_config_is_error_for_each_pool(aws, denied_session):
    """GetUserPoolMfaConfig is the per-pool "mfa" facet: the pools are listed, their verdicts ERROR."""
    aws.client("cognito-idp").create_user_pool(PoolName="pass-mfa-on", MfaConfiguration="ON")
    report = aws.scan(CHECK, session=denied_session("cognito-idp:GetUserPoolMfaConfig"))
    assert verdicts(report, "aws.cognitoidp.user_pool_mfa_required") == {("pass-mfa-on", "ERROR")}
    assert "access denied to cognito-idp:GetUserPoolMfaConfig" in finding(report, CHECK, "pass-mfa-on").message
