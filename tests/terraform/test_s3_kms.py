"""S3 and KMS checks on Terraform: split resources, policy documents, for_each, provider defaults, unknowns."""

from __future__ import annotations

import pytest

from tests.terraform.conftest import FIXTURES, tf_scan
from tests.terraform.conftest import tf_verdicts as all_verdicts

S3 = FIXTURES / "aws" / "s3"
TEAM = {'aws_s3_bucket.team["analytics"]', 'aws_s3_bucket.team["billing"]'}


@pytest.fixture(scope="module")
def report():
    ids = ",".join(
        [
            "aws.s3.bucket_default_encryption",
            "aws.s3.bucket_sse_kms_cmk",
            "aws.s3.bucket_versioning",
            "aws.s3.bucket_tls_only",
            "aws.s3.bucket_public_access_block",
            "aws.s3.bucket_policy_not_public",
            "aws.s3.bucket_acl_not_public",
            "aws.s3.bucket_access_logging",
            "aws.s3.bucket_lifecycle_configured",
            "aws.s3.bucket_noncurrent_version_expiration",
            "aws.kms.cmk_rotation_enabled",
            "aws.kms.key_not_pending_deletion",
            "aws.iam.user_console_mfa",
        ]
    )
    return tf_scan(S3, ids)


def tf_verdicts(report, check_id):
    """Verdicts without the replication target bucket (judged in the replication test)."""
    return {v for v in all_verdicts(report, check_id) if v[0] != "aws_s3_bucket.replica"}


def test_replication_to_a_bucket_of_another_provider_configuration_is_cross_region():
    report = tf_scan(S3, "aws.s3.bucket_cross_region_replication,aws.s3.bucket_object_lock", params={
        "aws.s3.bucket_cross_region_replication": {"required_buckets": ["*-all"]},
        "aws.s3.bucket_object_lock": {"required_buckets": ["*-all"]},
    })
    assert all_verdicts(report, "aws.s3.bucket_cross_region_replication") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    }
    assert all_verdicts(report, "aws.s3.bucket_object_lock") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    }


def _team(status):
    return {(t, status) for t in TEAM}


def test_split_resources_decide_the_bucket(report):
    assert tf_verdicts(report, "aws.s3.bucket_tls_only") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("FAIL")
    assert tf_verdicts(report, "aws.s3.bucket_public_access_block") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("PASS")
    assert tf_verdicts(report, "aws.s3.bucket_policy_not_public") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("PASS")
    assert tf_verdicts(report, "aws.s3.bucket_acl_not_public") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("PASS")
    assert tf_verdicts(report, "aws.s3.bucket_access_logging") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("FAIL")
    assert tf_verdicts(report, "aws.s3.bucket_lifecycle_configured") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("FAIL")
    assert tf_verdicts(report, "aws.s3.bucket_noncurrent_version_expiration") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("UNKNOWN")


def test_kms_key_reference_resolves_to_a_customer_managed_key(report):
    assert tf_verdicts(report, "aws.s3.bucket_sse_kms_cmk") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("FAIL")
    assert tf_verdicts(report, "aws.kms.cmk_rotation_enabled") == {
        ("aws_kms_key.data", "PASS"),
        ("aws_kms_key.fail_rotation", "FAIL"),
    }


def test_provider_default_encryption_is_named_in_the_evidence(report):
    finding = next(f for f in report.findings if f.check_id == "aws.s3.bucket_default_encryption" and f.resource_name.endswith("fail-all"))
    assert finding.status.value == "PASS"
    assert "SSE-S3" in finding.evidence["provider_defaults"]["encryption_algorithm"]


def test_unset_variable_is_unknown_naming_attribute_and_variable(report):
    assert tf_verdicts(report, "aws.s3.bucket_versioning") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("UNKNOWN")
    finding = next(f for f in report.findings if f.check_id == "aws.s3.bucket_versioning" and f.status.value == "UNKNOWN")
    assert "versioning_configuration.status" in finding.message
    assert "team_versioning" in finding.message
    # located at the attribute that holds the unknown value, in the aws_s3_bucket_versioning block
    assert finding.location.address.startswith("aws_s3_bucket_versioning.team")
    assert finding.location.start_line == finding.location.end_line


def test_var_sets_the_missing_value():
    report = tf_scan(S3, "aws.s3.bucket_versioning", var_pairs=["team_versioning=Enabled"])
    assert tf_verdicts(report, "aws.s3.bucket_versioning") == {
        ("aws_s3_bucket.pass_all", "PASS"),
        ("aws_s3_bucket.fail_all", "FAIL"),
    } | _team("PASS")


def test_what_terraform_cannot_express_is_not_applicable_with_the_reason(report):
    mfa = [f for f in report.findings if f.check_id == "aws.iam.user_console_mfa"]
    assert [f.status.value for f in mfa] == ["NOT_APPLICABLE"]
    assert "credential report" in mfa[0].message
    pending = [f for f in report.findings if f.check_id == "aws.kms.key_not_pending_deletion"]
    assert [f.status.value for f in pending] == ["NOT_APPLICABLE"]


def test_a_file_that_does_not_parse_is_an_error_for_that_file_and_the_rest_is_scanned():
    report = tf_scan(FIXTURES / "errors", "aws.s3.bucket_versioning")
    statuses = {(f.resource_id, f.status.value) for f in report.findings}
    assert ("broken.tf", "ERROR") in statuses
    assert ("arn:aws:s3:::errors-fine", "FAIL") in statuses
    error = next(f for f in report.findings if f.status.value == "ERROR")
    assert error.message.startswith("broken.tf:")
    assert any(e.scope == "broken.tf" for e in report.collection_errors)
