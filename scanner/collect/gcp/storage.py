"""Cloud Storage: buckets of each project with their settings, and each bucket's IAM policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._facets import read_facets, seconds
from scanner.collect.registry import collector, facet
from scanner.models.gcp.iam_policy import IamPolicy
from scanner.models.gcp.storage import Bucket

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector(
    "gcp.storage.buckets",
    regional=True,
    permissions=["storage.buckets.list"],
    facets={
        "iam_policy": facet(["storage.buckets.getIamPolicy"], ["iam_policy"]),
    },
)
def buckets(scope: GcpScope) -> list[Bucket]:
    listed = scope.pages("storage", "buckets.list", "items", project=scope.project, projection="full")
    return scope.map(lambda b: _bucket(scope, b), listed)


def _bucket(scope: GcpScope, b: dict) -> Bucket:
    name = b["name"]
    fields, errors = read_facets(
        scope, {"iam_policy": lambda: {"iam_policy": IamPolicy.from_api(scope.call("storage", "buckets.getIamPolicy", bucket=name))}}
    )
    iam = b.get("iamConfiguration") or {}
    retention = b.get("retentionPolicy") or {}
    return Bucket(
        id=f"projects/{scope.project}/buckets/{name}",
        name=name,
        region=str(b.get("location", "global")).lower(),
        account=scope.account,
        location_type=b.get("locationType"),
        default_kms_key_name=(b.get("encryption") or {}).get("defaultKmsKeyName"),
        uniform_bucket_level_access=bool((iam.get("uniformBucketLevelAccess") or {}).get("enabled", False)),
        public_access_prevention=iam.get("publicAccessPrevention"),
        versioning_enabled=bool((b.get("versioning") or {}).get("enabled", False)),
        soft_delete_retention_seconds=seconds((b.get("softDeletePolicy") or {}).get("retentionDurationSeconds")),
        retention_period_seconds=seconds(retention.get("retentionPeriod")),
        retention_policy_locked=bool(retention.get("isLocked", False)),
        logging_bucket=(b.get("logging") or {}).get("logBucket"),
        errors=errors,
        **fields,
    )
