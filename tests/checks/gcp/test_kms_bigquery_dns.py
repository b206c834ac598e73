"""KMS (locations -> key rings -> keys, key IAM), BigQuery datasets, Cloud DNS zones and policies."""

from __future__ import annotations

from tests.conftest import finding, verdicts


def test_kms_rotation_and_public_keys(gcp):
    report = gcp.scan("gcp.kms.key_rotation_period", "gcp.kms.key_not_public")
    assert verdicts(report, "gcp.kms.key_rotation_period") == {("storage-key", "PASS"), ("sql-key", "FAIL"), ("exports-key", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    assert verdicts(report, "gcp.kms.key_not_public") == {("storage-key", "PASS"), ("sql-key", "PASS"), ("exports-key", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    assert finding(report, "gcp.kms.key_rotation_period", "sql-key").message == "rotationPeriod is 365 days (limit 90)"
    assert finding(report, "gcp.kms.key_rotation_period", "exports-key").message == "no rotationPeriod: the key never rotates automatically"
    yearly = gcp.scan("gcp.kms.key_rotation_period", params={"gcp.kms.key_rotation_period": {"max_days": 365}})
    assert finding(yearly, "gcp.kms.key_rotation_period", "sql-key").status.value == "PASS"


def test_bigquery_dataset_cmek(gcp):
    report = gcp.scan("gcp.bigquery.dataset_cmek")
    assert verdicts(report, "gcp.bigquery.dataset_cmek") == {
        ("analytics", "PASS"), ("partner_share", "PASS"), ("raw_events", "FAIL"), ("scratch", "FAIL")}
    assert report.metadata.api_calls["bigquery:datasets.get"] == 4  # the list omits encryption: one get per dataset


def test_denied_dataset_get_is_error_for_that_dataset(gcp):
    gcp.fail("/bigquery/v2/projects/acme-data/datasets/raw_events", "permission_denied", service="bigquery.googleapis.com")
    report = gcp.scan("gcp.bigquery.dataset_cmek")
    assert finding(report, "gcp.bigquery.dataset_cmek", "raw_events").status.value == "ERROR"
    assert finding(report, "gcp.bigquery.dataset_cmek", "partner_share").status.value == "PASS"


def test_dnssec_and_query_logging(gcp):
    report = gcp.scan("gcp.dns.dnssec_enabled", "gcp.dns.dnssec_no_rsasha1", "gcp.dns.network_query_logging")
    # "internal" is a private zone: DNSSEC does not apply
    assert verdicts(report, "gcp.dns.dnssec_enabled") == {("acme-example", "PASS"), ("legacy-acme-net", "PASS"), ("sandbox-acme-dev", "FAIL")}
    assert verdicts(report, "gcp.dns.dnssec_no_rsasha1") == {("acme-example", "PASS"), ("legacy-acme-net", "FAIL"), ("gcp acme-sandbox", "NOT_APPLICABLE")}
    assert verdicts(report, "gcp.dns.network_query_logging") == {("prod-vpc", "PASS"), ("default", "FAIL")}
    assert finding(report, "gcp.dns.dnssec_no_rsasha1", "legacy-acme-net").message == "keySigning key uses rsasha1"
