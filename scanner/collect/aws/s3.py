"""S3: buckets and their settings. ListBuckets once, then the per-bucket getters concurrently."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import error_code, read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.s3 import Bucket, LifecycleRule, PublicAccessBlock, ReplicationRule

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

# Getter errors that mean "not configured", not "could not read".
ABSENT = {
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchBucketPolicy",
    "NoSuchPublicAccessBlockConfiguration",
    "ObjectLockConfigurationNotFoundError",
    "ReplicationConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration",
}

PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


@collector(
    "aws.s3.buckets",
    regional=False,
    permissions=["s3:ListAllMyBuckets", "s3:GetBucketLocation"],
    facets={
        "encryption": facet(["s3:GetEncryptionConfiguration"], ["encryption_algorithm", "kms_key_id", "bucket_key_enabled"]),
        "policy": facet(["s3:GetBucketPolicy"], ["policy"]),
        "logging": facet(["s3:GetBucketLogging"], ["logging_target_bucket"]),
        "versioning": facet(["s3:GetBucketVersioning"], ["versioning_status", "mfa_delete"]),
        "public_access_block": facet(["s3:GetBucketPublicAccessBlock"], ["public_access_block"]),
        "acl": facet(["s3:GetBucketAcl"], ["public_acl_grants"]),
        "object_lock": facet(["s3:GetBucketObjectLockConfiguration"], ["object_lock_enabled", "object_lock_mode", "object_lock_retention_days"]),
        "replication": facet(["s3:GetReplicationConfiguration"], ["replication_rules"]),
        "lifecycle": facet(["s3:GetLifecycleConfiguration"], ["lifecycle_rules"]),
    },
)
def buckets(scope: AwsScope) -> list[Bucket]:
    listed = scope.pages("s3", "ListBuckets", "Buckets")
    return scope.map(lambda b: _bucket(scope, b["Name"]), listed)


def _bucket(scope: AwsScope, name: str) -> Bucket:
    location, location_errors = read_facets(scope, "s3", scope.region, {"location": lambda: _location(scope, name)})
    region = location.get("region", scope.region)

    def get(operation: str) -> dict[str, Any]:
        return scope.call("s3", operation, region=region, Bucket=name)

    def absent_is_none(operation: str) -> dict[str, Any] | None:
        try:
            return get(operation)
        except Exception as exc:
            if error_code(exc) in ABSENT:
                return None
            raise

    fields, errors = read_facets(
        scope,
        "s3",
        region,
        {
            "encryption": lambda: _encryption(absent_is_none("GetBucketEncryption")),
            "policy": lambda: _policy(absent_is_none("GetBucketPolicy")),
            "logging": lambda: {
                "logging_target_bucket": (get("GetBucketLogging").get("LoggingEnabled") or {}).get("TargetBucket")
            },
            "versioning": lambda: _versioning(get("GetBucketVersioning")),
            "public_access_block": lambda: _public_access_block(absent_is_none("GetPublicAccessBlock")),
            "acl": lambda: _acl(get("GetBucketAcl")),
            "object_lock": lambda: _object_lock(absent_is_none("GetObjectLockConfiguration")),
            "replication": lambda: _replication(absent_is_none("GetBucketReplication")),
            "lifecycle": lambda: _lifecycle(absent_is_none("GetBucketLifecycleConfiguration")),
        },
    )
    return Bucket(
        id=f"arn:{scope.partition}:s3:::{name}",
        name=name,
        region=region,
        account=scope.account,
        errors={**location_errors, **errors},
        **fields,
    )


def _location(scope: AwsScope, name: str) -> dict[str, Any]:
    constraint = scope.call("s3", "GetBucketLocation", Bucket=name).get("LocationConstraint")
    # Buckets in us-east-1 report no constraint; "EU" is the legacy name of eu-west-1.
    return {"region": {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)}


def _encryption(response: dict[str, Any] | None) -> dict[str, Any]:
    if not response:
        return {}
    rules = response.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm"):
            return {
                "encryption_algorithm": default["SSEAlgorithm"],
                "kms_key_id": default.get("KMSMasterKeyID"),
                "bucket_key_enabled": bool(rule.get("BucketKeyEnabled", False)),
            }
    return {}


def _policy(response: dict[str, Any] | None) -> dict[str, Any]:
    if not response or not response.get("Policy"):
        return {"policy": None}
    return {"policy": json.loads(response["Policy"])}


def _versioning(response: dict[str, Any]) -> dict[str, Any]:
    return {"versioning_status": response.get("Status"), "mfa_delete": response.get("MFADelete") == "Enabled"}


def _public_access_block(response: dict[str, Any] | None) -> dict[str, Any]:
    if not response:
        return {"public_access_block": None}
    config = response.get("PublicAccessBlockConfiguration", {})
    return {
        "public_access_block": PublicAccessBlock(
            block_public_acls=config.get("BlockPublicAcls", False),
            ignore_public_acls=config.get("IgnorePublicAcls", False),
            block_public_policy=config.get("BlockPublicPolicy", False),
            restrict_public_buckets=config.get("RestrictPublicBuckets", False),
        )
    }


def _acl(response: dict[str, Any]) -> dict[str, Any]:
    grants = []
    for grant in response.get("Grants", []):
        group = PUBLIC_GROUPS.get((grant.get("Grantee") or {}).get("URI", ""))
        if group:
            grants.append(f"{group}:{grant.get('Permission', 'UNKNOWN')}")
    return {"public_acl_grants": sorted(set(grants))}


def _object_lock(response: dict[str, Any] | None) -> dict[str, Any]:
    config = (response or {}).get("ObjectLockConfiguration") or {}
    retention = (config.get("Rule") or {}).get("DefaultRetention") or {}
    # Days or Years, never both (an emulator may answer the other one as 0).
    days = retention.get("Days") or (int(retention["Years"]) * 365 if retention.get("Years") else None)
    return {
        "object_lock_enabled": config.get("ObjectLockEnabled") == "Enabled",
        "object_lock_mode": retention.get("Mode"),
        "object_lock_retention_days": days,
    }


def _replication(response: dict[str, Any] | None) -> dict[str, Any]:
    rules = []
    for rule in ((response or {}).get("ReplicationConfiguration") or {}).get("Rules", []):
        destination = rule.get("Destination") or {}
        rules.append(
            ReplicationRule(
                id=rule.get("ID"),
                enabled=rule.get("Status") == "Enabled",
                destination_bucket=str(destination.get("Bucket", "")).rsplit(":", 1)[-1],
                destination_account=destination.get("Account"),
            )
        )
    return {"replication_rules": rules}


def _lifecycle(response: dict[str, Any] | None) -> dict[str, Any]:
    rules = []
    for rule in (response or {}).get("Rules", []):
        expiration = rule.get("Expiration") or {}
        noncurrent = rule.get("NoncurrentVersionExpiration") or {}
        rules.append(
            LifecycleRule(
                id=rule.get("ID"),
                enabled=rule.get("Status") == "Enabled",
                expiration_days=expiration.get("Days"),
                expiration_date=expiration.get("Date"),
                transitions=[t.get("StorageClass", "") for t in rule.get("Transitions") or []],
                noncurrent_expiration_days=noncurrent.get("NoncurrentDays"),
                noncurrent_transitions=[t.get("StorageClass", "") for t in rule.get("NoncurrentVersionTransitions") or []],
            )
        )
    return {"lifecycle_rules": rules}
