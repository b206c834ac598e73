"""Every API call feeds a verdict: a scan reads only the per-resource facets its checks declare.

Requests are counted where they arrive (a loopback proxy in front of moto's server), not only by
the scanner's own call counter."""

from __future__ import annotations

import json

import pytest

from scanner.demo.latency_proxy import latency_proxy
from scanner.models.common import CoverageState
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot
from tests.checks.aws._serial_stubs import SharedSessionAccount
from tests.conftest import MotoAccount, finding, verdicts

ENCRYPTION = "aws.s3.bucket_default_encryption"
BUCKETS = [f"bucket-{i}" for i in range(9)]


@pytest.fixture
def nine_buckets(aws):
    s3 = aws.client("s3")
    for i, name in enumerate(BUCKETS):
        s3.create_bucket(Bucket=name)
        if i % 3 == 0:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            )
    return aws


def _through_proxy(aws: MotoAccount, *check_ids: str):
    with latency_proxy(aws.endpoint_url, 0.0) as proxy:
        inventory, report = SharedSessionAccount(proxy.url).collect(list(check_ids))
        return inventory, report, proxy.requests


def test_one_check_over_nine_buckets_makes_only_its_calls(nine_buckets):
    inventory, report, requests = _through_proxy(nine_buckets, ENCRYPTION)
    # who is calling and which regions exist, ListBuckets, then per bucket its region and its
    # encryption: nothing the verdicts do not read (every S3 getter for every bucket before: 93)
    assert report.metadata.api_calls == {"ec2:DescribeRegions": 1, "sts:GetCallerIdentity": 1,
                                         "s3:GetBucketEncryption": 9, "s3:GetBucketLocation": 9, "s3:ListBuckets": 1}
    assert requests == 21
    assert verdicts(report, ENCRYPTION) == {(name, "PASS" if i % 3 == 0 else "FAIL") for i, name in enumerate(BUCKETS)}
    (coverage,) = inventory.coverage_for("aws.s3.buckets")
    assert (coverage.state, coverage.facets) == (CoverageState.COLLECTED, ["encryption"])


def test_the_full_s3_catalogue_reads_every_facet_once(nine_buckets):
    s3_checks = [s.id for s in select_checks(load_checks(provider="aws"), provider="aws") if s.collection_keys == ("aws.s3.buckets",)]
    inventory, report, requests = _through_proxy(nine_buckets, *s3_checks)
    calls = report.metadata.api_calls
    assert calls.pop("sts:GetCallerIdentity") == calls.pop("ec2:DescribeRegions") == calls.pop("s3:ListBuckets") == 1
    assert len(calls) == 10 and set(calls.values()) == {9}  # the nine getters and the location, once per bucket
    assert requests == 93
    (coverage,) = inventory.coverage_for("aws.s3.buckets")
    assert coverage.facets is None  # every facet: the snapshot reads as it always did
    assert '"facets"' not in dump_snapshot(inventory)


# One category, as a pull-request gate would select it: the encryption checks that read buckets only.
ENCRYPTION_BUCKET_CHECKS = {
    "aws.s3.bucket_acl_not_public", "aws.s3.bucket_default_encryption", "aws.s3.bucket_policy_not_public",
    "aws.s3.bucket_public_access_block", "aws.s3.bucket_tls_only",
}  # fmt: skip


def test_one_category_makes_only_the_calls_of_its_facets(nine_buckets):
    from click.testing import CliRunner

    from scanner.cli.main import cli
    from scanner.models.common import Category

    selected = {s.id for s in select_checks(load_checks(provider="aws"), provider="aws")
                if s.category == Category.ENCRYPTION and {k.split(":")[0] for k in s.collection_keys} == {"aws.s3.buckets"}}
    assert selected == ENCRYPTION_BUCKET_CHECKS
    inventory, report, requests = _through_proxy(nine_buckets, *sorted(selected))
    # four facets (acl, encryption, policy, public access block) and the location per bucket: not the ten getters
    assert report.metadata.api_calls == {
        "ec2:DescribeRegions": 1, "sts:GetCallerIdentity": 1, "s3:ListBuckets": 1, "s3:GetBucketLocation": 9,
        "s3:GetBucketAcl": 9, "s3:GetBucketEncryption": 9, "s3:GetBucketPolicy": 9, "s3:GetPublicAccessBlock": 9,
    }  # fmt: skip
    assert requests == 48  # of 93 for the whole S3 catalogue
    (coverage,) = inventory.coverage_for("aws.s3.buckets")
    assert coverage.facets == ["acl", "encryption", "policy", "public_access_block"]
    policy = json.loads(CliRunner().invoke(cli, ["permissions", "aws", "--checks", ",".join(sorted(selected))]).output)
    assert policy["Statement"][0]["Action"] == [
        "ec2:DescribeRegions", "s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock",
        "s3:GetEncryptionConfiguration", "s3:ListAllMyBuckets", "sts:GetCallerIdentity",
    ]  # fmt: skip


def test_a_check_whose_facet_was_not_read_is_error_never_a_value(nine_buckets, tmp_path):
    """A snapshot collected for the encryption check, evaluated offline with the versioning check:
    versioning was never read, so the verdict is ERROR (a bucket without versioning data must not
    read as 'versioning off', and never as PASS). The facets read survive the snapshot file."""
    from scanner.engine.scan import ScanOptions, load_snapshot, report_for

    inventory, _, _ = _through_proxy(nine_buckets, ENCRYPTION)
    path = tmp_path / "snapshot.json"
    path.write_text(dump_snapshot(inventory))
    assert json.loads(path.read_text())["coverage"][0]["facets"] == ["encryption"]
    checks = select_checks(load_checks(), ids=["aws.s3.bucket_versioning", ENCRYPTION])
    report = report_for(load_snapshot(str(path)), ScanOptions(checks=checks), source="snapshot")
    account = f"account {inventory.scope_id}"
    assert verdicts(report, "aws.s3.bucket_versioning") == {(account, "ERROR")}
    assert "aws.s3.buckets:versioning was not read when this was collected" in finding(report, "aws.s3.bucket_versioning", account).message
    assert {status for _, status in verdicts(report, ENCRYPTION)} == {"PASS", "FAIL"}  # what was read still decides


def test_a_read_of_an_undeclared_facet_is_error(nine_buckets):
    """A check that reads a facet's field without declaring the facet (a declaration gap) does not
    get the field's default as a value: the verdict resting on it is ERROR, naming the facet."""
    from dataclasses import replace

    from scanner.engine.evaluate import evaluate
    from scanner.registry import Result

    inventory, _, _ = _through_proxy(nine_buckets, ENCRYPTION)

    def versioning_without_declaring_it(inv, ctx):
        for bucket in inv.s3.buckets:
            if bucket.versioning_status == "Enabled":  # an unread facet: must not decide anything
                yield Result.passed(bucket, "versioning on")
            else:
                yield Result.failed(bucket, "versioning off")

    spec = replace(select_checks(load_checks(), ids=["aws.s3.bucket_versioning"])[0], reads=("aws.s3.buckets",),
                   func=versioning_without_declaring_it)
    findings = evaluate(inventory, [spec], {})
    assert {(f.resource_name, f.status.value) for f in findings} == {(name, "ERROR") for name in BUCKETS}
    assert "aws.s3.buckets:versioning was not read in this scan" in findings[0].message
    assert findings[0].evidence["unread_fields"] == ["versioning_status"]


def test_permissions_and_checks_show_list_only_the_facets_read():
    from click.testing import CliRunner

    from scanner.cli.main import cli

    policy = json.loads(CliRunner().invoke(cli, ["permissions", "aws", "--checks", ENCRYPTION]).output)
    assert policy["Statement"][0]["Action"] == [
        "ec2:DescribeRegions", "s3:GetBucketLocation", "s3:GetEncryptionConfiguration", "s3:ListAllMyBuckets", "sts:GetCallerIdentity",
    ]
    shown = CliRunner().invoke(cli, ["checks", "show", "aws.s3.bucket_versioning"]).output
    assert "  permissions:   s3:GetBucketLocation, s3:GetBucketVersioning, s3:ListAllMyBuckets\n" in shown
