"""KMS key rotation through moto's server.

Keys have no name in the API (aliases are separate), so findings are named by key id; the
pass-/fail- labels live in the key descriptions and the expected sets map ids back to them.
moto creates no AWS-managed keys, so the AWS-manager branch is not exercised here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from scanner.models.common import Status
from tests.checks.aws._stubbed_clients import scan_with_clients, stubbed
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


# -- keys pending deletion, deletion window, key policies ----------------------------------------
def test_keys_pending_deletion(aws):
    kms = aws.client("kms")
    enabled = _key(kms, "pass-enabled")
    disabled = _key(kms, "pass-disabled")
    kms.disable_key(KeyId=disabled)
    pending = _key(kms, "fail-pending")
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    retired = _key(kms, "pass-allowed-deletion")
    kms.schedule_key_deletion(KeyId=retired, PendingWindowInDays=30)
    params = {"aws.kms.key_not_pending_deletion": {"allowed_key_ids": [retired]}}
    report = aws.scan("aws.kms.key_not_pending_deletion", params=params)
    assert verdicts(report, "aws.kms.key_not_pending_deletion") == {
        (enabled, "PASS"),
        (disabled, "PASS"),
        (pending, "FAIL"),
        (retired, "PASS"),
    }
    failed = finding(report, "aws.kms.key_not_pending_deletion", pending)
    assert failed.message.startswith("KeyState is PendingDeletion: key material is deleted on ")
    assert failed.evidence["description"] == "fail-pending"


def _schedule_event(key_arn: str, window: int | None, when: datetime) -> dict:
    request = {"keyId": key_arn.rsplit("/", 1)[-1], **({"pendingWindowInDays": window} if window else {})}
    record = {
        "eventName": "ScheduleKeyDeletion",
        "eventSource": "kms.amazonaws.com",
        "requestParameters": request,
        "responseElements": {
            "keyId": key_arn,
            "keyState": "PendingDeletion",
            **({"pendingWindowInDays": window} if window else {}),
        },
    }
    return {
        "EventId": key_arn[-12:],
        "EventName": "ScheduleKeyDeletion",
        "EventTime": when,
        "EventSource": "kms.amazonaws.com",
        "Resources": [{"ResourceType": "AWS::KMS::Key", "ResourceName": key_arn}],
        "CloudTrailEvent": json.dumps(record),
    }


def test_deletion_window_from_cloudtrail_event_history(aws):
    """moto's server does not implement CloudTrail LookupEvents, so the CloudTrail client is a real
    boto3 client with botocore's Stubber (validated against the service model) in the AwsApi client
    cache, answering with the ScheduleKeyDeletion events; the keys themselves come from moto. The
    lookup is made once for the region however many keys are pending."""
    kms = aws.client("kms")
    arns = {}
    for label, window in (("pass-30-days", 30), ("fail-7-days", 7), ("pass-no-event", 30), ("skip-enabled", None)):
        meta = kms.create_key(Description=label)["KeyMetadata"]
        arns[label] = meta["Arn"]
        if window:
            kms.schedule_key_deletion(KeyId=meta["KeyId"], PendingWindowInDays=window)
    now = datetime.now(UTC)
    client, stubber = stubbed(aws, "cloudtrail")
    stubber.add_response(
        "lookup_events",
        {
            "Events": [
                _schedule_event(arns["pass-30-days"], None, now),  # no window in the request: the 30-day default
                _schedule_event(arns["fail-7-days"], 30, now - timedelta(days=2)),  # an earlier, cancelled schedule
                _schedule_event(arns["fail-7-days"], 7, now),
            ]
        },
        {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "ScheduleKeyDeletion"}]},
    )
    _, report = scan_with_clients(aws, ["aws.kms.key_deletion_window"], {("cloudtrail", "us-east-1"): client})
    stubber.assert_no_pending_responses()
    ids = {label: arn.rsplit("/", 1)[-1] for label, arn in arns.items()}
    assert verdicts(report, "aws.kms.key_deletion_window") == {
        (ids["pass-30-days"], "PASS"),
        (ids["fail-7-days"], "FAIL"),
        (ids["pass-no-event"], "PASS"),  # 30 days left (rounded up): the window was at least 30
    }
    assert finding(report, "aws.kms.key_deletion_window", ids["fail-7-days"]).message == "PendingWindowInDays is 7 (< 30)"
    assert finding(report, "aws.kms.key_deletion_window", ids["pass-no-event"]).message == (
        "deletion in 30 days, so the window is at least 30 days"
    )
    assert report.metadata.api_calls.get("cloudtrail:LookupEvents", 0) <= 1


def test_denied_event_history_is_error_for_pending_keys_only(aws, denied_session):
    kms = aws.client("kms")
    rotating = _key(kms, "pass-rotating")
    kms.enable_key_rotation(KeyId=rotating)
    pending = _key(kms, "pending")
    kms.schedule_key_deletion(KeyId=pending, PendingWindowInDays=7)
    session = denied_session("cloudtrail:LookupEvents")
    report = aws.scan("aws.kms.key_deletion_window", "aws.kms.cmk_rotation_enabled", session=session)
    assert verdicts(report, "aws.kms.key_deletion_window") == {(pending, "ERROR")}
    assert "access denied to cloudtrail:LookupEvents" in finding(report, "aws.kms.key_deletion_window", pending).message
    assert verdicts(report, "aws.kms.cmk_rotation_enabled") == {(rotating, "PASS")}


def _policy(*statements: dict) -> str:
    root = {
        "Sid": "Root",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [root, *statements]})


def test_key_policy_not_public(aws):
    kms = aws.client("kms")
    default = _key(kms, "pass-default-policy")
    scoped = _key(kms, "pass-caller-account")
    kms.put_key_policy(
        KeyId=scoped,
        PolicyName="default",
        Policy=_policy(
            {
                "Sid": "AccountUse",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": ACCOUNT}},
            }
        ),
    )
    public = _key(kms, "fail-public")
    kms.put_key_policy(
        KeyId=public,
        PolicyName="default",
        Policy=_policy({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}),
    )
    report = aws.scan("aws.kms.key_policy_not_public")
    assert verdicts(report, "aws.kms.key_policy_not_public") == {
        (default, "PASS"),
        (scoped, "PASS"),
        (public, "FAIL"),
    }
    assert finding(report, "aws.kms.key_policy_not_public", public).message == (
        "key policy grants access to everyone: Sid Everyone: Allow kms:* to Principal *"
    )


def test_denied_key_policy_is_error_per_key(aws, denied_session):
    key = _key(aws.client("kms"), "guarded")
    report = aws.scan(
        "aws.kms.key_policy_not_public", "aws.kms.key_not_pending_deletion", session=denied_session("kms:GetKeyPolicy")
    )
    assert verdicts(report, "aws.kms.key_policy_not_public") == {(key, "ERROR")}
    assert verdicts(report, "aws.kms.key_not_pending_deletion") == {(key, "PASS")}
