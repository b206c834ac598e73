"""The account-level S3 Block Public Access check, through moto's server.

S3 Control puts the account id in the host name (`123456789012.127.0.0.1:PORT` here), which does
not resolve; the collector sends requests for a custom endpoint to the endpoint's own host, and the
seeding client below does the same.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
SETTING = f"S3 Block Public Access (account {ACCOUNT})"
ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _s3control(aws) -> Any:
    client = aws.client("s3control")
    host = urlsplit(aws.endpoint_url).netloc

    def to_endpoint_host(request: Any, **_: Any) -> None:
        request.url = urlunsplit(urlsplit(request.url)._replace(netloc=host))

    client.meta.events.register("before-sign.s3-control", to_endpoint_host)
    return client


def test_all_four_on_passes(aws):
    _s3control(aws).put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=ALL_ON)
    report = aws.scan("aws.s3control.account_public_access_block")
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "PASS")}
    passed = finding(report, "aws.s3control.account_public_access_block", SETTING)
    assert passed.resource_id == f"arn:aws:s3::{ACCOUNT}:account-public-access-block"
    assert passed.region == "global"


def test_one_setting_off_fails(aws):
    _s3control(aws).put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration={**ALL_ON, "BlockPublicPolicy": False}
    )
    report = aws.scan("aws.s3control.account_public_access_block")
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "FAIL")}
    assert finding(report, "aws.s3control.account_public_access_block", SETTING).message == (
        "account-level Block Public Access settings off: block_public_policy"
    )


def test_not_configured_fails(aws):
    report = aws.scan("aws.s3control.account_public_access_block")
    assert verdicts(report, "aws.s3control.account_public_access_block") == {(SETTING, "FAIL")}
    assert "NoSuchPublicAccessBlockConfiguration" in finding(report, "aws.s3control.account_public_access_block", SETTING).message


def test_access_denied_is_error_never_pass(aws, denied_session):
    """A genuine AccessDenied from moto under IAM enforcement. moto authorises S3 Control's
    GetPublicAccessBlock as s3:GetPublicAccessBlock (AWS's name for the account-level action is
    s3:GetAccountPublicAccessBlock, which the collector declares), and wraps the error in an
    ErrorResponse/Errors envelope that botocore's rest-xml parser reads with an empty code, so the
    reason is the generic "failed" one: still ERROR, never a verdict."""
    _s3control(aws).put_public_access_block(AccountId=ACCOUNT, PublicAccessBlockConfiguration=ALL_ON)
    report = aws.scan("aws.s3control.account_public_access_block", session=denied_session("s3:GetPublicAccessBlock"))
    assert {f.status for f in report.findings} == {Status.ERROR}
    assert "s3:GetPublicAccessBlock failed in global" in report.findings[0].message
    assert report.collection_errors[0].key == "aws.s3control.public_access_block"
