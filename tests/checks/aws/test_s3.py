"""S3 checks through moto's server: PASS, FAIL and denied getters."""

from __future__ import annotations

import json

from scanner.models.common import Status
from tests.conftest import finding, verdicts


def _tls_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{bucket}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
    )


def test_default_encryption_pass_fail_and_kms_parameter(aws):
    s3 = aws.client("s3")
    for name in ("pass-sse-kms", "pass-sse-s3", "fail-none"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_encryption(
        Bucket="pass-sse-kms",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]},
    )
    s3.put_bucket_encryption(
        Bucket="pass-sse-s3",
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    )
    report = aws.scan("aws.s3.bucket_default_encryption")
    assert verdicts(report, "aws.s3.bucket_default_encryption") == {
        ("pass-sse-kms", "PASS"),
        ("pass-sse-s3", "PASS"),
        ("fail-none", "FAIL"),
    }
    strict = aws.scan("aws.s3.bucket_default_encryption", params={"aws.s3.bucket_default_encryption": {"require_kms": True}})
    assert verdicts(strict, "aws.s3.bucket_default_encryption") == {
        ("pass-sse-kms", "PASS"),
        ("pass-sse-s3", "FAIL"),
        ("fail-none", "FAIL"),
    }
    assert "AES256" in finding(strict, "aws.s3.bucket_default_encryption", "pass-sse-s3").message


def test_tls_only_policy(aws):
    s3 = aws.client("s3")
    for name in ("pass-tls", "fail-no-policy", "fail-other-policy"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket="pass-tls", Policy=_tls_policy("pass-tls"))
    s3.put_bucket_policy(
        Bucket="fail-other-policy",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::fail-other-policy/*",
                    }
                ],
            }
        ),
    )
    report = aws.scan("aws.s3.bucket_tls_only")
    assert verdicts(report, "aws.s3.bucket_tls_only") == {
        ("pass-tls", "PASS"),
        ("fail-no-policy", "FAIL"),
        ("fail-other-policy", "FAIL"),
    }


def test_access_logging_and_versioning(aws):
    s3 = aws.client("s3")
    for name in ("logs-target", "pass-logged", "fail-suspended"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(
        Bucket="logs-target",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": "arn:aws:s3:::logs-target/*",
                    }
                ],
            }
        ),
    )
    s3.put_bucket_logging(
        Bucket="pass-logged", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "logs-target", "TargetPrefix": "x/"}}
    )
    s3.put_bucket_versioning(Bucket="pass-logged", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="fail-suspended", VersioningConfiguration={"Status": "Suspended"})
    report = aws.scan("aws.s3.bucket_access_logging", "aws.s3.bucket_versioning")
    assert verdicts(report, "aws.s3.bucket_access_logging") == {
        ("logs-target", "FAIL"),
        ("pass-logged", "PASS"),
        ("fail-suspended", "FAIL"),
    }
    assert verdicts(report, "aws.s3.bucket_versioning") == {
        ("logs-target", "FAIL"),
        ("pass-logged", "PASS"),
        ("fail-suspended", "FAIL"),
    }
    assert finding(report, "aws.s3.bucket_versioning", "fail-suspended").message == "versioning is Suspended"


def test_no_buckets_is_not_applicable(aws):
    report = aws.scan("aws.s3.bucket_versioning")
    assert {f.status for f in report.findings} == {Status.NOT_APPLICABLE}


def test_denied_getter_is_error_for_that_check_only(aws, denied_session):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="guarded")
    s3.put_bucket_versioning(Bucket="guarded", VersioningConfiguration={"Status": "Enabled"})
    # (moto authorises GetBucketEncryption as s3:ListBucket, so the policy getter is the one denied)
    session = denied_session("s3:GetBucketPolicy")
    report = aws.scan("aws.s3.bucket_tls_only", "aws.s3.bucket_versioning", session=session)
    tls = finding(report, "aws.s3.bucket_tls_only", "guarded")
    assert tls.status == Status.ERROR
    assert "access denied to s3:GetBucketPolicy" in tls.message
    assert verdicts(report, "aws.s3.bucket_versioning") == {("guarded", "PASS")}


def test_denied_listing_is_error_never_pass(aws, denied_session):
    aws.client("s3").create_bucket(Bucket="hidden")
    report = aws.scan("aws.s3.bucket_versioning", session=denied_session("s3:ListAllMyBuckets"))
    statuses = {f.status for f in report.findings}
    assert statuses == {Status.ERROR}
    assert report.collection_errors and report.collection_errors[0].key == "aws.s3.buckets"


# -- public access (confidentiality) ----------------------------------------------------------
ALL_BLOCKED = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def _public_read_policy(bucket: str, **condition) -> str:
    statement = {
        "Sid": "Anyone",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_bucket_public_access_block(aws):
    s3 = aws.client("s3")
    for name in ("pass-blocked", "fail-partial", "fail-none"):
        s3.create_bucket(Bucket=name)
    s3.put_public_access_block(Bucket="pass-blocked", PublicAccessBlockConfiguration=ALL_BLOCKED)
    s3.put_public_access_block(
        Bucket="fail-partial", PublicAccessBlockConfiguration={**ALL_BLOCKED, "RestrictPublicBuckets": False}
    )
    report = aws.scan("aws.s3.bucket_public_access_block")
    assert verdicts(report, "aws.s3.bucket_public_access_block") == {
        ("pass-blocked", "PASS"),
        ("fail-partial", "FAIL"),
        ("fail-none", "FAIL"),
    }
    assert finding(report, "aws.s3.bucket_public_access_block", "fail-partial").message == (
        "Block Public Access settings off: restrict_public_buckets"
    )


def test_bucket_policy_not_public(aws):
    s3 = aws.client("s3")
    for name in ("pass-no-policy", "pass-org-only", "pass-restricted", "fail-public", "fail-tls-condition"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(
        Bucket="pass-org-only", Policy=_public_read_policy("pass-org-only", StringEquals={"aws:PrincipalOrgID": "o-abc123"})
    )
    s3.put_bucket_policy(Bucket="pass-restricted", Policy=_public_read_policy("pass-restricted"))
    s3.put_public_access_block(
        Bucket="pass-restricted",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": False,
            "IgnorePublicAcls": False,
            "BlockPublicPolicy": False,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_policy(Bucket="fail-public", Policy=_public_read_policy("fail-public"))
    # A condition on TLS does not say who the caller is: still public.
    s3.put_bucket_policy(
        Bucket="fail-tls-condition", Policy=_public_read_policy("fail-tls-condition", Bool={"aws:SecureTransport": "true"})
    )
    report = aws.scan("aws.s3.bucket_policy_not_public")
    assert verdicts(report, "aws.s3.bucket_policy_not_public") == {
        ("pass-no-policy", "PASS"),
        ("pass-org-only", "PASS"),
        ("pass-restricted", "PASS"),
        ("fail-public", "FAIL"),
        ("fail-tls-condition", "FAIL"),
    }
    failed = finding(report, "aws.s3.bucket_policy_not_public", "fail-public")
    assert failed.message == "bucket policy grants public access: Sid Anyone: Allow s3:GetObject to Principal *"


def test_bucket_acl_not_public(aws):
    s3 = aws.client("s3")
    for name in ("pass-private", "pass-ignored", "fail-public-read", "fail-authenticated"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_acl(Bucket="pass-ignored", ACL="public-read")
    s3.put_public_access_block(Bucket="pass-ignored", PublicAccessBlockConfiguration={**ALL_BLOCKED, "BlockPublicAcls": False})
    s3.put_bucket_acl(Bucket="fail-public-read", ACL="public-read")
    s3.put_bucket_acl(Bucket="fail-authenticated", ACL="authenticated-read")
    report = aws.scan("aws.s3.bucket_acl_not_public")
    assert verdicts(report, "aws.s3.bucket_acl_not_public") == {
        ("pass-private", "PASS"),
        ("pass-ignored", "PASS"),
        ("fail-public-read", "FAIL"),
        ("fail-authenticated", "FAIL"),
    }
    assert finding(report, "aws.s3.bucket_acl_not_public", "fail-public-read").evidence["public_acl_grants"] == ["AllUsers:READ"]
    assert finding(report, "aws.s3.bucket_acl_not_public", "fail-authenticated").evidence["public_acl_grants"] == [
        "AuthenticatedUsers:READ"
    ]


def test_denied_acl_getter_is_error_for_acl_checks_only(aws, denied_session):
    """moto authorises GetBucketAcl under its real IAM action name, s3:GetBucketAcl."""
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="guarded")
    report = aws.scan(
        "aws.s3.bucket_acl_not_public", "aws.s3.bucket_policy_not_public", session=denied_session("s3:GetBucketAcl")
    )
    assert verdicts(report, "aws.s3.bucket_acl_not_public") == {("guarded", "ERROR")}
    assert "access denied to s3:GetBucketAcl" in finding(report, "aws.s3.bucket_acl_not_public", "guarded").message
    assert verdicts(report, "aws.s3.bucket_policy_not_public") == {("guarded", "PASS")}


# -- customer-managed KMS keys --------------------------------------------------------------------
def _sse(s3, bucket: str, algorithm: str, key: str | None = None) -> None:
    default = {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default}]}
    )


def test_bucket_sse_kms_cmk(aws):
    s3 = aws.client("s3")
    kms = aws.client("kms")
    key = kms.create_key()["KeyMetadata"]
    kms.create_alias(AliasName="alias/data", TargetKeyId=key["KeyId"])
    unscanned = aws.client("kms", "eu-west-1").create_key()["KeyMetadata"]["Arn"]
    buckets = {
        "pass-cmk-arn": ("aws:kms", key["Arn"]),
        "pass-cmk-id": ("aws:kms", key["KeyId"]),
        "pass-cmk-alias": ("aws:kms", "alias/data"),
        "pass-other-account": ("aws:kms", "arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        "fail-aws-managed": ("aws:kms", None),
        "fail-aws-alias": ("aws:kms", "alias/aws/s3"),
        "fail-sse-s3": ("AES256", None),
        "unknown-unscanned-region": ("aws:kms", unscanned),
    }
    for name, (algorithm, key_ref) in buckets.items():
        s3.create_bucket(Bucket=name)
        _sse(s3, name, algorithm, key_ref)
    s3.create_bucket(Bucket="fail-unencrypted")
    s3.delete_bucket_encryption(Bucket="fail-unencrypted")
    report = aws.scan("aws.s3.bucket_sse_kms_cmk")
    assert verdicts(report, "aws.s3.bucket_sse_kms_cmk") == {
        ("pass-cmk-arn", "PASS"),
        ("pass-cmk-id", "PASS"),
        ("pass-cmk-alias", "PASS"),
        ("pass-other-account", "PASS"),
        ("fail-aws-managed", "FAIL"),
        ("fail-aws-alias", "FAIL"),
        ("fail-sse-s3", "FAIL"),
        ("fail-unencrypted", "FAIL"),
        ("unknown-unscanned-region", "UNKNOWN"),
    }
    assert finding(report, "aws.s3.bucket_sse_kms_cmk", "fail-aws-managed").message == (
        "SSE-KMS with no KMSMasterKeyID: the AWS-managed key aws/s3 is used"
    )
    scoped = aws.scan("aws.s3.bucket_sse_kms_cmk", params={"aws.s3.bucket_sse_kms_cmk": {"buckets": ["pass-*"]}})
    assert {name for name, _ in verdicts(scoped, "aws.s3.bucket_sse_kms_cmk")} == {
        "pass-cmk-arn",
        "pass-cmk-id",
        "pass-cmk-alias",
        "pass-other-account",
    }


# -- object lock, replication, lifecycle ------------------------------------------------------
def test_object_lock_where_required(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="pass-locked", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(
        Bucket="pass-locked",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}},
        },
    )
    s3.create_bucket(Bucket="fail-unlocked")
    s3.create_bucket(Bucket="not-required")
    params = {"aws.s3.bucket_object_lock": {"required_buckets": ["pass-*", "fail-*"]}}
    report = aws.scan("aws.s3.bucket_object_lock", params=params)
    assert verdicts(report, "aws.s3.bucket_object_lock") == {("pass-locked", "PASS"), ("fail-unlocked", "FAIL")}
    assert finding(report, "aws.s3.bucket_object_lock", "pass-locked").evidence == {"mode": "COMPLIANCE", "retention_days": 365}
    # Nothing required (the default): not applicable, never a PASS for nothing.
    default = aws.scan("aws.s3.bucket_object_lock")
    assert {f.status for f in default.findings} == {Status.NOT_APPLICABLE}


def _replicate(s3, source: str, destination: str, status: str = "Enabled") -> None:
    s3.put_bucket_versioning(Bucket=source, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [
                {
                    "ID": "all",
                    "Priority": 1,
                    "Status": status,
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )


def test_cross_region_replication_where_required(aws):
    s3 = aws.client("s3")
    aws.client("s3", "eu-west-1").create_bucket(
        Bucket="dr-replica", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    for name in ("pass-crr", "fail-same-region", "fail-disabled", "fail-none", "unknown-foreign", "same-region-copy"):
        s3.create_bucket(Bucket=name)
    _replicate(s3, "pass-crr", "dr-replica")
    _replicate(s3, "fail-same-region", "same-region-copy")
    _replicate(s3, "fail-disabled", "dr-replica", status="Disabled")
    _replicate(s3, "unknown-foreign", "bucket-in-another-account")
    params = {"aws.s3.bucket_cross_region_replication": {"required_buckets": ["pass-*", "fail-*", "unknown-*"]}}
    report = aws.scan("aws.s3.bucket_cross_region_replication", params=params)
    assert verdicts(report, "aws.s3.bucket_cross_region_replication") == {
        ("pass-crr", "PASS"),
        ("fail-same-region", "FAIL"),
        ("fail-disabled", "FAIL"),
        ("fail-none", "FAIL"),
        ("unknown-foreign", "UNKNOWN"),
    }
    assert (
        finding(report, "aws.s3.bucket_cross_region_replication", "pass-crr").message == "replicates to dr-replica in eu-west-1"
    )
    assert finding(report, "aws.s3.bucket_cross_region_replication", "fail-same-region").message == (
        "replicates only within us-east-1 (to same-region-copy)"
    )


def _lifecycle(s3, bucket: str, **rule) -> None:
    rule = {"ID": "rule", "Status": "Enabled", "Filter": {"Prefix": ""}, **rule}
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})


def test_lifecycle_rules_for_disposal(aws):
    s3 = aws.client("s3")
    for name in ("pass-expire", "pass-archive", "fail-none", "fail-disabled", "fail-multipart-only", "exempt-archive"):
        s3.create_bucket(Bucket=name)
    _lifecycle(s3, "pass-expire", Expiration={"Days": 365})
    _lifecycle(s3, "pass-archive", Transitions=[{"Days": 90, "StorageClass": "GLACIER"}])
    _lifecycle(s3, "fail-disabled", Status="Disabled", Expiration={"Days": 30})
    _lifecycle(s3, "fail-multipart-only", AbortIncompleteMultipartUpload={"DaysAfterInitiation": 7})
    params = {"aws.s3.bucket_lifecycle_configured": {"exempt_buckets": ["exempt-*"]}}
    report = aws.scan("aws.s3.bucket_lifecycle_configured", params=params)
    assert verdicts(report, "aws.s3.bucket_lifecycle_configured") == {
        ("pass-expire", "PASS"),
        ("pass-archive", "PASS"),
        ("fail-none", "FAIL"),
        ("fail-disabled", "FAIL"),
        ("fail-multipart-only", "FAIL"),
    }
    assert finding(report, "aws.s3.bucket_lifecycle_configured", "fail-none").message == (
        "no lifecycle configuration: objects are kept indefinitely"
    )
    assert finding(report, "aws.s3.bucket_lifecycle_configured", "pass-expire").evidence["expiration_days"] == [365]


def test_noncurrent_versions_expire(aws):
    s3 = aws.client("s3")
    for name in ("pass-versioned", "fail-versioned", "fail-suspended", "unversioned"):
        s3.create_bucket(Bucket=name)
    for name in ("pass-versioned", "fail-versioned"):
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_versioning(Bucket="fail-suspended", VersioningConfiguration={"Status": "Suspended"})
    _lifecycle(s3, "pass-versioned", NoncurrentVersionExpiration={"NoncurrentDays": 30})
    _lifecycle(s3, "fail-versioned", Expiration={"Days": 365})
    report = aws.scan("aws.s3.bucket_noncurrent_version_expiration")
    assert verdicts(report, "aws.s3.bucket_noncurrent_version_expiration") == {
        ("pass-versioned", "PASS"),
        ("fail-versioned", "FAIL"),
        ("fail-suspended", "FAIL"),
    }


def test_denied_lifecycle_getter_is_error(aws, denied_session):
    """moto authorises GetBucketLifecycleConfiguration as s3:GetLifecycleConfiguration, the real IAM name."""
    aws.client("s3").create_bucket(Bucket="guarded")
    report = aws.scan("aws.s3.bucket_lifecycle_configured", session=denied_session("s3:GetLifecycleConfiguration"))
    assert verdicts(report, "aws.s3.bucket_lifecycle_configured") == {("guarded", "ERROR")}
