"""aws.dlm.ebs_snapshot_policy_exists: moto has no Data Lifecycle Manager and no AWS Backup
ListProtectedResources, so those clients are botocore Stubbers on real boto3 clients (responses
validated against the service models, see tests/checks/aws/_serial_stubs.py); the EBS volumes come
from moto's server."""

from __future__ import annotations

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount, stubbed_collect
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
ACCOUNT_NAME = f"account {ACCOUNT}"
CHECK = "aws.dlm.ebs_snapshot_policy_exists"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


@pytest.fixture(autouse=True)
def _no_builtin_amis(monkeypatch):
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # seconds per fresh EC2 backend otherwise


def _volume(aws, region: str = "us-east-1") -> None:
    aws.client("ec2", region).create_volume(AvailabilityZone=f"{region}a", Size=1)


def _dlm(region: str, *policies: tuple[str, str, dict]) -> list:
    """GetLifecyclePolicies, then one GetLifecyclePolicy per policy, in order."""
    replies = [("GetLifecyclePolicies", {"Policies": [{"PolicyId": p, "State": s} for p, s, _ in policies]}, {})]
    for policy_id, state, details in policies:
        policy = {
            "PolicyId": policy_id,
            "Description": f"{policy_id} policy",
            "State": state,
            "PolicyArn": f"arn:aws:dlm:{region}:{ACCOUNT}:policy/{policy_id}",
            "PolicyDetails": details,
        }
        if details.get("PolicyLanguage") == "SIMPLIFIED":
            policy["DefaultPolicy"] = True
        replies.append(("GetLifecyclePolicy", {"Policy": policy}, {"PolicyId": policy_id}))
    return replies


def _protected(*resources: tuple[str, str]) -> list:
    return [("ListProtectedResources", {"Results": [{"ResourceArn": a, "ResourceType": t} for a, t in resources]}, {})]


VOLUME_POLICY = {
    "PolicyType": "EBS_SNAPSHOT_MANAGEMENT",
    "ResourceTypes": ["VOLUME"],
    "TargetTags": [{"Key": "backup", "Value": "daily"}],
}
DEFAULT_POLICY = {"PolicyLanguage": "SIMPLIFIED", "ResourceType": "VOLUME", "PolicyType": "EBS_SNAPSHOT_MANAGEMENT"}


def test_enabled_dlm_policy_passes(aws):
    _volume(aws)
    replies = {
        ("dlm", "us-east-1"): _dlm("us-east-1", ("policy-daily", "ENABLED", VOLUME_POLICY)),
        ("backup", "us-east-1"): _protected(),
    }
    _, report = stubbed_collect(aws, [CHECK], replies)
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, CHECK, ACCOUNT_NAME).evidence["dlm_policies"] == ["policy-daily policy (us-east-1)"]


def test_default_policy_in_another_region_passes(aws):
    _volume(aws)
    replies = {
        ("dlm", "us-east-1"): _dlm("us-east-1"),
        ("dlm", "eu-west-1"): _dlm("eu-west-1", ("policy-default", "ENABLED", DEFAULT_POLICY)),
        ("backup", "us-east-1"): _protected(),
        ("backup", "eu-west-1"): _protected(),
    }
    _, report = stubbed_collect(aws, [CHECK], replies, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "PASS")}


def test_aws_backup_of_ebs_passes(aws):
    _volume(aws)
    volume = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0123456789abcdef0"
    replies = {("dlm", "us-east-1"): _dlm("us-east-1"), ("backup", "us-east-1"): _protected((volume, "EBS"))}
    _, report = stubbed_collect(aws, [CHECK], replies)
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "PASS")}
    assert finding(report, CHECK, ACCOUNT_NAME).evidence["backup_protected_types"] == ["EBS (us-east-1)"]


def test_only_disabled_policy_fails(aws):
    _volume(aws)
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    replies = {
        ("dlm", "us-east-1"): _dlm("us-east-1", ("policy-off", "DISABLED", VOLUME_POLICY)),
        ("backup", "us-east-1"): _protected((table, "DynamoDB")),  # backups, but not of EBS
    }
    _, report = stubbed_collect(aws, [CHECK], replies)
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "FAIL")}
    assert finding(report, CHECK, ACCOUNT_NAME).evidence["disabled_dlm_policies"] == ["policy-off policy"]


def test_no_volumes_is_not_applicable(aws):
    replies = {("dlm", "us-east-1"): _dlm("us-east-1"), ("backup", "us-east-1"): _protected()}
    _, report = stubbed_collect(aws, [CHECK], replies)
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "NOT_APPLICABLE")}


def test_denied_in_one_region_is_error(aws):
    """GetLifecyclePolicies denied in eu-west-1 (a stubbed AccessDeniedException) and nothing found
    elsewhere: the account-level verdict cannot be FAIL (a policy may exist there), so it is ERROR
    naming the denial (DLM and AWS Backup are optional inputs: one verdict, not one per region)."""
    _volume(aws)
    replies = {
        ("dlm", "us-east-1"): _dlm("us-east-1"),
        ("dlm", "eu-west-1"): [("GetLifecyclePolicies", "AccessDeniedException", {})],
        ("backup", "us-east-1"): _protected(),
        ("backup", "eu-west-1"): _protected(),
    }
    _, report = stubbed_collect(aws, [CHECK], replies, regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "ERROR")}
    error = finding(report, CHECK, ACCOUNT_NAME)
    assert "access denied to dlm:GetLifecyclePolicies in eu-west-1" in error.message
    assert [(e.key, e.scope, e.error_code) for e in report.collection_errors] == [
        ("aws.dlm.policies", "eu-west-1", "AccessDeniedException")
    ]


def test_denied_dlm_does_not_withhold_what_aws_backup_shows(aws):
    """DLM denied everywhere, AWS Backup holds a recovery point of an EBS volume: PASS (either
    source is evidence on its own)."""
    _volume(aws)
    volume = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0123456789abcdef0"
    replies = {
        ("dlm", "us-east-1"): [("GetLifecyclePolicies", "AccessDeniedException", {})],
        ("backup", "us-east-1"): _protected((volume, "EBS")),
    }
    _, report = stubbed_collect(aws, [CHECK], replies)
    assert verdicts(report, "aws.dlm.ebs_snapshot_policy_exists") == {(ACCOUNT_NAME, "PASS")}
