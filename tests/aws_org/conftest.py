"""One AWS Organization in a moto server of its own (a child process), seeded once per test session
and shared by the organization tests: 7 members under nested OUs (one SUSPENDED), each with an
estate of its own, the member role deployed with the policy `trustscan permissions aws --org`
prints, and moto enforcing IAM, so the caller's printed policy (plus a Deny of AssumeRole into
sandbox-bob) is what decides each request. The role in payments-api may not list the account's
regions (ec2:DescribeRegions denied): scanned with --regions, it is read as any other.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from scanner.demo.aws_org import (
    Organization,
    deny_in_member_role,
    enforce_iam,
    member_user,
    moto_process,
    seed_organization,
)
from scanner.providers import aws as aws_provider
from scanner.registry import load_checks, select_checks

# Fast checks (no credential report: moto makes its generation take a second per account) over
# global and regional collections, each of which passes in some accounts and fails in others.
ORG_CHECKS = (
    "aws.ec2.volume_encrypted",
    "aws.iam.password_policy_min_length",
    "aws.kms.cmk_rotation_enabled",
    "aws.logs.log_group_retention",
    "aws.s3.bucket_versioning",
)
REGIONS = ("eu-west-1", "us-east-1")
DENIED = "sandbox-bob"
NO_REGIONS = "payments-api"  # its role may not call ec2:DescribeRegions


def printed_policies() -> dict:
    checks = select_checks(load_checks(), provider="aws", ids=list(ORG_CHECKS))
    return json.loads(aws_provider.permissions(checks, org=True))


@pytest.fixture(scope="session")
def aws_org() -> Iterator[Organization]:
    policies = printed_policies()
    with moto_process() as url:
        built = seed_organization(url, regions=REGIONS, role_policy=policies["memberRole"]["permissionsPolicy"])
        member_user(built, "sandbox-alice")
        deny_in_member_role(built, NO_REGIONS, ["ec2:DescribeRegions"])
        enforce_iam(built, policies["callerPolicy"], deny_role_in=(DENIED,))
        yield built
