"""S3 buckets from aws_s3_bucket and the separate resources that configure it (provider 4+), or the
inline blocks of provider 3.

Defaults are AWS's for a new bucket: SSE-S3 encryption (since January 2023), all four Block Public
Access settings on and ACLs disabled (since April 2023), versioning never enabled, no policy, no
logging, no lifecycle or replication rules, no Object Lock.
"""

from __future__ import annotations

from typing import Any

from scanner.models.aws.s3 import Bucket, LifecycleRule, PublicAccessBlock, ReplicationRule
from scanner.models.aws.s3control import AccountPublicAccessBlock
from scanner.sources.terraform.adapters import MISSING, Context, Fields, adapter, as_bool, identity, json_document, path_value
from scanner.sources.terraform.modules import TfResource
from scanner.sources.terraform.values import Unknown

SSE_S3_DEFAULT = "AWS encrypts every new object with SSE-S3 (AES256) when a bucket declares no encryption (since January 2023)"
PAB_DEFAULT = "AWS turns on all four Block Public Access settings for new buckets (since April 2023)"
ACL_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}
CANNED_ACL_GRANTS = {
    "public-read": ["AllUsers:READ"],
    "public-read-write": ["AllUsers:READ", "AllUsers:WRITE"],
    "authenticated-read": ["AuthenticatedUsers:READ"],
}
SPLIT_TYPES = (
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_replication_configuration",
    "aws_s3_bucket_object_lock_configuration",
)


def bucket_name(tf: TfResource) -> str | None:
    value = tf.values.get("bucket")
    return value if isinstance(value, str) and value else None


@identity("aws_s3_bucket")
def _bucket_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = bucket_name(tf) or tf.address
    return {"id": name, "bucket": name, "arn": f"arn:aws:s3:::{name}"}


def _attached(ctx: Context, bucket: TfResource) -> tuple[dict[str, TfResource], dict[str, str]]:
    """The split resources that configure this bucket (the last one declared wins, as in AWS), and
    per type the reason it cannot be told (a split resource whose `bucket` is unknown may be this one's)."""
    found: dict[str, TfResource] = {}
    for tf in ctx.referrers(bucket, SPLIT_TYPES, "bucket", "id", "bucket"):
        found[tf.type] = tf
    unsure: dict[str, str] = {}
    for tf in ctx.unresolved_referrers(SPLIT_TYPES, "bucket", bucket.root):
        unsure.setdefault(tf.type, f"{tf.address}.bucket is not known ({tf.values.get('bucket')}), so it may configure this bucket")
    return found, {k: v for k, v in unsure.items() if k not in found}


# model fields each split resource type sets
SPLIT_FIELDS = {
    "aws_s3_bucket_server_side_encryption_configuration": ("encryption_algorithm", "kms_key_id", "bucket_key_enabled"),
    "aws_s3_bucket_versioning": ("versioning_status", "mfa_delete"),
    "aws_s3_bucket_public_access_block": ("public_access_block",),
    "aws_s3_bucket_logging": ("logging_target_bucket",),
    "aws_s3_bucket_policy": ("policy",),
    "aws_s3_bucket_acl": ("public_acl_grants",),
    "aws_s3_bucket_lifecycle_configuration": ("lifecycle_rules",),
    "aws_s3_bucket_replication_configuration": ("replication_rules",),
    "aws_s3_bucket_object_lock_configuration": ("object_lock_mode", "object_lock_retention_days"),
}


@adapter(
    "aws.s3.buckets",
    ["aws_s3_bucket", *SPLIT_TYPES],
)
def buckets(ctx: Context) -> list[Bucket]:
    out = []
    for tf in ctx.of_type("aws_s3_bucket"):
        split, unsure = _attached(ctx, tf)
        f = Fields(ctx, tf)
        _encryption(f, tf, split.get("aws_s3_bucket_server_side_encryption_configuration"))
        _versioning(f, tf, split.get("aws_s3_bucket_versioning"))
        _public_access_block(f, split.get("aws_s3_bucket_public_access_block"))
        _logging(f, tf, split.get("aws_s3_bucket_logging"))
        _policy(f, tf, split.get("aws_s3_bucket_policy"))
        _acl(f, tf, split.get("aws_s3_bucket_acl"))
        _lifecycle(f, tf, split.get("aws_s3_bucket_lifecycle_configuration"))
        _replication(f, tf, split.get("aws_s3_bucket_replication_configuration"))
        _object_lock(f, tf, split.get("aws_s3_bucket_object_lock_configuration"))
        for split_type, reason in unsure.items():
            for name in SPLIT_FIELDS[split_type]:
                f.unresolved.setdefault(name, reason)
        ident = ctx.identity_of(tf)
        out.append(f.build(Bucket, id=ident["arn"], name=ident["bucket"]))
    return out


def _encryption(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    source, prefix = (split, "rule") if split else (bucket, "server_side_encryption_configuration.rule")
    if split is None and path_value(bucket.values, "server_side_encryption_configuration") is MISSING:
        f.set("encryption_algorithm", "AES256", note=SSE_S3_DEFAULT)
        return
    algorithm = f.get(
        "encryption_algorithm",
        f"{prefix}.apply_server_side_encryption_by_default.sse_algorithm",
        tf=source,
        default="AES256",
        note=SSE_S3_DEFAULT,
    )
    if isinstance(algorithm, str) and algorithm.startswith("aws:kms"):
        f.get("kms_key_id", f"{prefix}.apply_server_side_encryption_by_default.kms_master_key_id", tf=source, ref=True)
    f.get("bucket_key_enabled", f"{prefix}.bucket_key_enabled", tf=source, default=False, convert=as_bool)


def _versioning(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    if split is not None:
        f.get("versioning_status", "versioning_configuration.status", tf=split, placeholder="Enabled")
        f.get("mfa_delete", "versioning_configuration.mfa_delete", tf=split, default=False, convert=lambda v: v == "Enabled")
        return
    if path_value(bucket.values, "versioning") is MISSING:
        f.set("versioning_status", None)
        return
    enabled = f.get("versioning_status", "versioning.enabled", convert=as_bool, placeholder="Enabled")
    if enabled is True:
        f.values["versioning_status"] = "Enabled"
    elif enabled is False:
        f.values["versioning_status"] = None
    f.get("mfa_delete", "versioning.mfa_delete", default=False, convert=as_bool)


def _public_access_block(f: Fields, split: TfResource | None) -> None:
    if split is None:
        f.set("public_access_block", PublicAccessBlock(**dict.fromkeys(PublicAccessBlock.model_fields, True)), note=PAB_DEFAULT)
        return
    settings: dict[str, Any] = {}
    reasons = []
    for name in PublicAccessBlock.model_fields:
        value = split.values.get(name)
        if isinstance(value, Unknown):
            reasons.append(f"{name}: {value}")
        elif value is not None:
            settings[name] = as_bool(value)
    if reasons:
        f.unresolved["public_access_block"] = f"{split.address}: " + "; ".join(reasons)
    f.set("public_access_block", PublicAccessBlock(**settings), tf=split)


def _logging(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    if split is not None:
        f.get("logging_target_bucket", "target_bucket", tf=split, ref=True, placeholder="(known after apply)")
    elif path_value(bucket.values, "logging") is not MISSING:
        f.get("logging_target_bucket", "logging.target_bucket", ref=True, placeholder="(known after apply)")


def _policy(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    if split is not None:
        f.get("policy", "policy", tf=split, convert=json_document)
    elif "policy" in bucket.values:
        f.get("policy", "policy", convert=json_document)


def _acl(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    source = split or bucket
    canned = source.values.get("acl")
    if isinstance(canned, Unknown):
        f.get("public_acl_grants", "acl", tf=source, default=[])
        return
    grants: list[str] = list(CANNED_ACL_GRANTS.get(canned, [])) if isinstance(canned, str) else []
    policy = path_value(source.values, "access_control_policy")
    if isinstance(policy, Unknown):
        f.get("public_acl_grants", "access_control_policy", tf=source, default=[])
        return
    for grant in (path_value(source.values, "access_control_policy.grant") or []) if policy is not MISSING else []:
        grantee = (grant.get("grantee") or [{}])[0] if isinstance(grant, dict) else {}
        group = ACL_GROUPS.get(grantee.get("uri")) if isinstance(grantee, dict) else None
        if group and isinstance(grant.get("permission"), str):
            grants.append(f"{group}:{grant['permission']}")
    if canned is not None or policy is not MISSING:
        f.set("public_acl_grants", sorted(set(grants)), tf=source, path="acl" if canned is not None else "access_control_policy")
    else:
        f.set("public_acl_grants", [])


def _days(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _lifecycle(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    source = split or bucket
    path = "rule" if split else "lifecycle_rule"
    rules = source.values.get(path)
    if rules is None:
        return
    if isinstance(rules, Unknown) or _has_unknown(rules):
        f.get("lifecycle_rules", path, tf=source, default=[])
        return
    parsed = []
    for rule in rules:
        if split:
            enabled = rule.get("status") == "Enabled"
        else:
            enabled = rule.get("enabled") is True
        expiration = (rule.get("expiration") or [{}])[0]
        noncurrent = (rule.get("noncurrent_version_expiration") or [{}])[0]
        parsed.append(
            LifecycleRule(
                id=rule.get("id") if isinstance(rule.get("id"), str) else None,
                enabled=enabled,
                expiration_days=_days(expiration.get("days")) or None,
                expiration_date=expiration.get("date") or None,
                transitions=[t.get("storage_class") for t in rule.get("transition") or [] if isinstance(t.get("storage_class"), str)],
                noncurrent_expiration_days=_days(noncurrent.get("noncurrent_days" if split else "days")),
                noncurrent_transitions=[
                    t.get("storage_class") for t in rule.get("noncurrent_version_transition") or [] if isinstance(t.get("storage_class"), str)
                ],
            )
        )
    f.set("lifecycle_rules", parsed, tf=source, path=path)


def _replication(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    source = split or bucket
    path = "rule" if split else "replication_configuration.rules"
    rules = path_value(source.values, path)
    if rules is MISSING or rules is None:
        return
    if isinstance(rules, Unknown) or _has_unknown(rules, ignore=("id", "priority", "filter")):
        f.get("replication_rules", path, tf=source, default=[])
        return
    parsed = []
    for rule in rules:
        destination = (rule.get("destination") or [{}])[0]
        target = f.ctx.ref(source, destination.get("bucket"))
        if isinstance(target, Unknown) or not isinstance(target, str):
            f.get("replication_rules", path, tf=source, default=[])
            return
        parsed.append(
            ReplicationRule(
                id=rule.get("id") if isinstance(rule.get("id"), str) else None,
                enabled=rule.get("status") == "Enabled",
                destination_bucket=target.split(":::", 1)[-1],
                destination_account=destination.get("account") if isinstance(destination.get("account"), str) else None,
            )
        )
    f.set("replication_rules", parsed, tf=source, path=path)


def _object_lock(f: Fields, bucket: TfResource, split: TfResource | None) -> None:
    enabled = bucket.values.get("object_lock_enabled")
    inline = path_value(bucket.values, "object_lock_configuration")
    if enabled is None and inline is not MISSING and isinstance(inline, dict):
        f.get("object_lock_enabled", "object_lock_configuration.object_lock_enabled", convert=lambda v: v == "Enabled", default=False)
    else:
        f.get("object_lock_enabled", "object_lock_enabled", default=False, convert=as_bool)
    source, prefix = (split, "rule.default_retention") if split else (bucket, "object_lock_configuration.rule.default_retention")
    if split is None and inline is MISSING:
        return
    mode = f.get("object_lock_mode", f"{prefix}.mode", tf=source)
    days = path_value(source.values, f"{prefix}.days")
    years = path_value(source.values, f"{prefix}.years")
    if isinstance(days, (int, float)) and not isinstance(days, bool):
        f.set("object_lock_retention_days", int(days), tf=source, path=f"{prefix}.days")
    elif isinstance(years, (int, float)) and not isinstance(years, bool):
        f.set("object_lock_retention_days", int(years) * 365, tf=source, path=f"{prefix}.years")
    elif isinstance(days, Unknown) or isinstance(years, Unknown):
        f.get("object_lock_retention_days", f"{prefix}.days", tf=source)
    if mode is None and split is not None:
        f.values["object_lock_mode"] = None


def _has_unknown(value: Any, ignore: tuple[str, ...] = ("id",)) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v, ignore) for k, v in value.items() if k not in ignore)
    if isinstance(value, list):
        return any(_has_unknown(v, ignore) for v in value)
    return False


@adapter(
    "aws.s3control.public_access_block",
    ["aws_s3_account_public_access_block"],
    singleton=True,
    absent="no aws_s3_account_public_access_block in the configuration: the account-wide setting is managed elsewhere, or not at all",
)
def account_public_access_block(ctx: Context) -> AccountPublicAccessBlock | None:
    found = ctx.of_type("aws_s3_account_public_access_block")
    if not found:
        return None
    tf = found[-1]
    f = Fields(ctx, tf)
    settings: dict[str, Any] = {}
    for name in PublicAccessBlock.model_fields:
        value = tf.values.get(name)
        if isinstance(value, Unknown):
            f.unresolved["configuration"] = f"{tf.address}.{name}: {value}"
        elif value is not None:
            settings[name] = as_bool(value)
    f.set("configuration", PublicAccessBlock(**settings), tf=tf)
    return f.build(AccountPublicAccessBlock, id=tf.address, name="account public access block", region="global")
