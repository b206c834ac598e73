"""The account-level S3 Block Public Access check.

moto's server cannot be reached for S3 Control: every S3 Control request carries the account id as
a host prefix (`123456789012.127.0.0.1:PORT`), which does not resolve. These tests therefore run
the real collector and check against a real boto3 s3control client with botocore's Stubber
(responses and expected parameters validated against the service model), placed in the AwsApi
client cache by `scan_with_clients`; identity still comes from moto's STS.
"""

from __future__ import annotations

from scanner.models.common import Status
from tests.checks.aws._stubbed_clients import scan_with_clients, stubbed
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CHECK = "aws.s3control.account_public_access_block"
SETTING = f"S3 Block Public Access (account {ACCOUNT})"
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _scan(aws, respond) -> tuple:
    client, stubber = stubbed(aws, "s3control")
    respond(stubber)
    _, report = scan_with_clients(aws, [CHECK], {("s3control", "us-east-1"): client})
    stubber.assert_no_pending_responses()
    return report


def test_all_four_on_passes(aws):
    report = _scan(
        aws,
        lambda s: s.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": ALL_ON}, {"AccountId": ACCOUNT}),
    )
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "PASS")}
    assert finding(report, CHECK, SETTING).resource_id == f"arn:aws:s3::{ACCOUNT}:account-public-access-block"


def test_one_setting_off_fails(aws):
    partial = {**ALL_ON, "BlockPublicPolicy": False}
    report = _scan(
        aws,
        lambda s: s.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": partial}, {"AccountId": ACCOUNT}),
    )
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "FAIL")}
    assert finding(report, CHECK, SETTING).message == "account-level Block Public Access settings off: block_public_policy"


def test_not_configured_fails(aws):
    report = _scan(
        aws,
        lambda s: s.add_client_error(
            "get_public_access_block", service_error_code="NoSuchPublicAccessBlockConfiguration", http_status_code=404
        ),
    )
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "FAIL")}
    assert "NoSuchPublicAccessBlockConfiguration" in finding(report, CHECK, SETTING).message


def test_access_denied_is_error_never_pass(aws):
    report = _scan(
        aws,
        lambda s: s.add_client_error("get_public_access_block", service_error_code="AccessDenied", http_status_code=403),
    )
    statuses = {f.status for f in report.findings}
    assert statuses == {Status.ERROR}
    assert "access denied to s3control:GetPublicAccessBlock" in report.findings[0].message
