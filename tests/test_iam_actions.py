"""A denial names the IAM action to grant, not the API call: S3's GetBucketEncryption is authorised by
s3:GetEncryptionConfiguration, API Gateway's reads by apigateway:GET. The table that maps one to the
other is checked against the permissions the collectors declare, for every call the collectors make."""

from __future__ import annotations

import json
import re
from pathlib import Path

from scanner.collect.aws._iam_actions import iam_action
from scanner.collect.registry import load_collectors
from tests.conftest import finding

ROOT = Path(__file__).resolve().parents[1]
COLLECTORS = ROOT / "scanner" / "collect" / "aws"
CALL = re.compile(r'(?:call|pages)\(\s*"([a-z0-9-]+)",\s*"([A-Z][A-Za-z0-9]+)"')
S3_GETTER = re.compile(r'(?:get|absent_is_none)\("((?:Get|List)[A-Za-z]+)"\)')


def calls_the_collectors_make() -> set[tuple[str, str]]:
    """(boto3 service, operation): every literal call in the collectors' source, S3's per-bucket getters,
    and every call the demo scan made (tests/golden/demo-report.json)."""
    calls = set()
    for path in COLLECTORS.glob("*.py"):
        text = path.read_text()
        calls.update(CALL.findall(text))
        if path.name == "s3.py":
            calls.update(("s3", op) for op in S3_GETTER.findall(text))
    demo = json.loads((ROOT / "tests" / "golden" / "demo-report.json").read_text())["metadata"]["api_calls"]
    calls.update(tuple(name.split(":", 1)) for name in demo)
    return calls


def test_every_call_maps_to_a_declared_permission():
    declared = {p for spec in load_collectors("aws").values() for p in spec.permissions}
    declared |= {"sts:GetCallerIdentity", "ec2:DescribeRegions"}  # what the provider itself calls (permissions aws adds them)
    calls = calls_the_collectors_make()
    assert len(calls) > 80
    missing = sorted(f"{service}:{operation} -> {iam_action(service, operation)}" for service, operation in calls
                     if iam_action(service, operation) not in declared)  # fmt: skip
    assert not missing, "calls whose IAM action no collector declares (add it to the table or the permissions):\n" + "\n".join(missing)


def test_the_actions_that_differ_from_their_operations():
    assert iam_action("s3", "GetBucketEncryption") == "s3:GetEncryptionConfiguration"
    assert iam_action("s3", "ListBuckets") == "s3:ListAllMyBuckets"
    assert iam_action("s3control", "GetPublicAccessBlock") == "s3:GetAccountPublicAccessBlock"
    assert iam_action("apigatewayv2", "GetApis") == "apigateway:GET"
    assert iam_action("elbv2", "DescribeLoadBalancers") == "elasticloadbalancing:DescribeLoadBalancers"
    assert iam_action("lambda", "ListFunctions") == "lambda:ListFunctions"


def test_an_s3_denial_names_the_action_to_grant(aws, denied_session):
    """moto authorises GetBucketLifecycleConfiguration as s3:GetLifecycleConfiguration, as AWS does (its map
    sends ?encryption to ListBucket, so the lifecycle getter is the one a real denial can be made for)."""
    aws.client("s3").create_bucket(Bucket="locked-down")
    report = aws.scan("aws.s3.bucket_lifecycle_configured", session=denied_session("s3:GetLifecycleConfiguration"))
    message = finding(report, "aws.s3.bucket_lifecycle_configured", "locked-down").message
    assert "access denied to s3:GetLifecycleConfiguration" in message, message
    assert "GetBucketLifecycleConfiguration" not in message
