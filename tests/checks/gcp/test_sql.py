"""Cloud SQL checks through sqladmin v1 (google-api-python-client discovery) on the fake server."""

from __future__ import annotations

from tests.conftest import finding, verdicts

SANDBOX = ("gcp acme-sandbox", "NOT_APPLICABLE")  # sqladmin.googleapis.com is not enabled there


def test_tls_network_exposure_and_cmek(gcp):
    report = gcp.scan("gcp.sql.instance_requires_ssl", "gcp.sql.no_open_authorized_networks", "gcp.sql.instance_cmek")
    assert verdicts(report, "gcp.sql.instance_requires_ssl") == {("orders-pg", "PASS"), ("reporting-pg", "PASS"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.no_open_authorized_networks") == {
        ("orders-pg", "PASS"), ("reporting-pg", "PASS"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.instance_cmek") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), ("analytics-mysql", "FAIL"), SANDBOX}
    sandbox = finding(report, "gcp.sql.instance_cmek", "gcp acme-sandbox")
    assert sandbox.message == "sqladmin.googleapis.com is not enabled in project acme-sandbox"
    assert finding(report, "gcp.sql.no_open_authorized_networks", "analytics-mysql").message == "public IP with authorized network 0.0.0.0/0"


def test_backups_pitr_ha_and_deletion_protection(gcp):
    ids = ("gcp.sql.automated_backups", "gcp.sql.point_in_time_recovery", "gcp.sql.high_availability", "gcp.sql.deletion_protection")
    report = gcp.scan(*ids)
    assert verdicts(report, "gcp.sql.automated_backups") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.point_in_time_recovery") == {
        ("orders-pg", "PASS"), ("reporting-pg", "FAIL"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.high_availability") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.deletion_protection") == {("orders-pg", "PASS"), ("reporting-pg", "PASS"), ("analytics-mysql", "FAIL"), SANDBOX}
    assert finding(report, "gcp.sql.automated_backups", "analytics-mysql").message == "retains 3 backups (minimum 7)"
    assert finding(report, "gcp.sql.point_in_time_recovery", "analytics-mysql").message == "binaryLogEnabled is false, backups on"
    relaxed = gcp.scan("gcp.sql.automated_backups", params={"gcp.sql.automated_backups": {"min_retained_backups": 3}})
    assert finding(relaxed, "gcp.sql.automated_backups", "analytics-mysql").status.value == "PASS"


def test_postgres_logging_flags(gcp):
    ids = ("gcp.sql.postgres_log_connections", "gcp.sql.postgres_log_disconnections", "gcp.sql.postgres_log_min_messages")
    report = gcp.scan(*ids)
    # analytics-mysql is MySQL: the PostgreSQL flags do not apply
    assert verdicts(report, "gcp.sql.postgres_log_connections") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.postgres_log_disconnections") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), SANDBOX}
    assert verdicts(report, "gcp.sql.postgres_log_min_messages") == {("orders-pg", "PASS"), ("reporting-pg", "FAIL"), SANDBOX}
    assert finding(report, "gcp.sql.postgres_log_disconnections", "reporting-pg").message == "database flag log_disconnections is not set (default off)"
    assert finding(report, "gcp.sql.postgres_log_min_messages", "reporting-pg").message == "log_min_messages is debug1 (expected warning to error)"
