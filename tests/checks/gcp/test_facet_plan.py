"""A scan reads only the per-resource facets its checks declare: requests counted by the fake
cloud (the real Google clients over HTTP to 127.0.0.1)."""

from __future__ import annotations

from tests.conftest import verdicts

BUCKETS = 5


def test_bucket_settings_need_no_iam_policy(gcp):
    report = gcp.scan("gcp.storage.bucket_uniform_access")
    assert len(verdicts(report, "gcp.storage.bucket_uniform_access")) == BUCKETS
    assert gcp.cloud.calls("GET", "/iam") == 0  # buckets.getIamPolicy: no verdict reads it


def test_public_bindings_read_each_bucket_policy_once(gcp):
    report = gcp.scan("gcp.storage.bucket_uniform_access", "gcp.storage.bucket_not_public")
    assert len(verdicts(report, "gcp.storage.bucket_not_public")) == BUCKETS
    assert gcp.cloud.calls("GET", "/iam") == BUCKETS
