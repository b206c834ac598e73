"""Debug output carries no secret values: botocore's wire log (request headers, response bodies) stays
off at -vv unless asked for by name (TRUSTSCAN_DEBUG_HTTP=1), and whatever is logged, at any verbosity,
has tokens, authorization headers and secret-bearing fields redacted.

The scan runs as a real process against moto with a session token and a Lambda function whose
environment holds a secret (ListFunctions returns environment variables in its response body)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scanner.evidence.redact import MARKER, redact_text

SECRET = "hunter2-lambda-env-secret-value"
TOKEN = "FwoGZXIvYXdzEXAMPLEsessionTOKENvalue0123456789abcdef"


@pytest.fixture
def lambda_with_secret(aws):
    iam = aws.client("iam")
    role = iam.create_role(
        RoleName="fn-role",
        AssumeRolePolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}',
    )["Role"]["Arn"]
    aws.client("lambda").create_function(
        FunctionName="payments",
        Runtime="python3.12",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={"Variables": {"DB_PASSWORD": SECRET, "STRIPE_KEY": SECRET + "-2", "PLAIN": "visible-value"}},
    )
    return aws


def scan(aws, *flags: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AWS_SESSION_TOKEN": TOKEN, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1",
         "--checks", "aws.lambda.function_log_retention", "--format", "json", *flags],
        capture_output=True, text=True, timeout=180, env=env,
    )  # fmt: skip


def test_vv_keeps_the_wire_log_off_and_secrets_out(lambda_with_secret):
    result = scan(lambda_with_secret, "-vv")
    assert result.returncode in (0, 1, 3), result.stderr[-3000:]
    assert "Response body" not in result.stderr and "X-Amz-Security-Token" not in result.stderr, "botocore's wire log is off"
    assert SECRET not in result.stderr + result.stdout and TOKEN not in result.stderr + result.stdout


def test_the_wire_log_asked_for_by_name_is_redacted(lambda_with_secret):
    result = scan(lambda_with_secret, "-vv", TRUSTSCAN_DEBUG_HTTP="1")
    assert result.returncode in (0, 1, 3), result.stderr[-3000:]
    log = result.stderr
    assert "Response body" in log and "ListFunctions" in log, "the wire log is on when asked for"
    assert "X-Amz-Security-Token" in log and MARKER in log
    assert SECRET not in log and TOKEN not in log
    assert "Signature=" not in log or "Signature=" + MARKER in log
    assert "visible-value" not in log, "every Lambda environment value is redacted, whatever its name"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("headers={'X-Amz-Security-Token': b'" + TOKEN + "', 'Authorization': b'AWS4-HMAC-SHA256 Credential=AKID/x'}", TOKEN),
        ("headers={'Authorization': b'AWS4-HMAC-SHA256 Credential=AKID/20260101, Signature=deadbeef0123'}", "deadbeef0123"),
        ("Authorization: Bearer eyJhbGciOi.abc.def-token-value", "eyJhbGciOi.abc.def-token-value"),
        ('b\'{"Environment":{"Variables":{"ANY_NAME":"' + SECRET + '"}}}\'', SECRET),
        ("<Credentials><SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey><SessionToken>" + TOKEN + "</SessionToken>", TOKEN),
        ("<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey>", "wJalrXUtnFEMI/K7MDENG"),
        ("url=https://x/?X-Amz-Security-Token=" + TOKEN + "&X-Amz-Signature=abc123", TOKEN),
        ('{"client_secret": "s3cr3t-value", "grant_type": "client_credentials"}', "s3cr3t-value"),
        ("body=grant_type=client_credentials&client_secret=s3cr3t-value&scope=x", "s3cr3t-value"),
        ('{"accessToken": "ya29.tokenvalue", "expiresIn": 3599}', "ya29.tokenvalue"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "MIIEvQIBADANBg"),
    ],
)
def test_redact_text_rules(text, secret):
    redacted = redact_text(text)
    assert secret not in redacted and MARKER in redacted, redacted


def test_redact_text_keeps_what_is_not_secret():
    text = '{"FunctionName": "payments", "Runtime": "python3.12", "KmsKeyArn": "arn:aws:kms:us-east-1:1:key/k", "password_enabled": "true"}'
    assert redact_text(text) == text
