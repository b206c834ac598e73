"""Every check Terraform expresses has a compliant and a non-compliant Terraform fixture, and at least 60 do."""

from __future__ import annotations

import collections

import pytest

from scanner.registry import load_checks
from scanner.sources.terraform.adapters import expressible
from tests.terraform.conftest import FIXTURES, tf_scan

# "exists" checks: in Terraform the non-compliant case is a tree that declares none, which is
# NOT_APPLICABLE (the account may have one managed elsewhere), never FAIL.
EXISTENCE_CHECKS = {"aws.backup.plan_exists", "aws.backup.vault_exists"}
# Checks judged only for resources named in a parameter (none by default), or failing only with a parameter.
PARAMETERISED = {
    "aws.s3.bucket_cross_region_replication": {"required_buckets": ["*"]},
    "aws.s3.bucket_object_lock": {"required_buckets": ["*"]},
    "aws.s3.bucket_default_encryption": {"require_kms": True},
    "azure.compute.disk_encryption": {"require_cmk": True},
}


@pytest.fixture(scope="module")
def supported():
    return [spec for spec in load_checks().values() if expressible(spec) is None]


@pytest.fixture(scope="module")
def statuses(supported):
    found = collections.defaultdict(set)
    for cloud in ("aws", "azure", "gcp"):
        report = tf_scan(FIXTURES / cloud, ",".join(s.id for s in supported if s.provider == cloud), params=PARAMETERISED)
        for finding in report.findings:
            found[finding.check_id].add(finding.status.value)
    return found


def test_at_least_sixty_checks_run_on_terraform(supported):
    assert len(supported) >= 60


def test_each_supported_check_has_a_passing_and_a_failing_fixture(supported, statuses):
    missing = {
        spec.id: sorted(statuses[spec.id])
        for spec in supported
        if not ({"PASS", "FAIL"} <= statuses[spec.id] or (spec.id in EXISTENCE_CHECKS and "PASS" in statuses[spec.id]))
    }
    assert missing == {}


def test_checks_list_says_which_sources_each_check_has():
    from scanner.catalogue import catalogue

    entries = {e["id"]: e for e in catalogue()}
    assert entries["aws.s3.bucket_versioning"]["sources"] == ["live", "terraform"]
    assert entries["aws.iam.user_console_mfa"]["sources"] == ["live"]
    assert sum(1 for e in entries.values() if "terraform" in e["sources"]) >= 60
