"""Azure SQL checks: servers (TLS, TDE protector, auditing) and databases (TDE, LTR, backup redundancy)."""

from __future__ import annotations

from scanner.models.common import Status
from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts

PROD_SERVER = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.Sql/servers/sql-contoso-prod"


def test_server_checks(azure):
    report = azure.scan("azure.sql.min_tls_1_2", "azure.sql.tde_protector_cmk", "azure.sql.auditing_enabled", "azure.sql.audit_retention")
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.tde_protector_cmk") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.auditing_enabled") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}  # dev has auditing off
    strict = azure.scan("azure.sql.audit_retention", params={"azure.sql.audit_retention": {"min_days": 365}})
    assert verdicts(strict, "azure.sql.audit_retention") == {("sql-contoso-prod", "FAIL"), (f"azure {DEV}", "NOT_APPLICABLE")}
    lenient = azure.scan("azure.sql.tde_protector_cmk", params={"azure.sql.tde_protector_cmk": {"require_cmk": False}})
    assert verdicts(lenient, "azure.sql.tde_protector_cmk") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "PASS")}


def test_database_checks_skip_master(azure):
    report = azure.scan("azure.sql.tde_enabled", "azure.sql.database_ltr", "azure.sql.database_geo_backup")
    assert verdicts(report, "azure.sql.tde_enabled") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "PASS")}
    assert verdicts(report, "azure.sql.database_ltr") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "FAIL")}
    assert verdicts(report, "azure.sql.database_geo_backup") == {("appdb", "PASS"), ("reportingdb", "FAIL"), ("devdb", "PASS")}
    assert finding(report, "azure.sql.database_ltr", "appdb").evidence == {"monthly": "P12M", "weekly": "P12W", "yearly": "P5Y"}
    assert azure.calls("/databases/master/") == 0


def test_denied_auditing_getter_is_error_for_that_server_only(azure):
    azure.error(f"{PROD_SERVER}/auditingSettings/default", "denied", action="Microsoft.Sql/servers/auditingSettings/read")
    report = azure.scan("azure.sql.auditing_enabled", "azure.sql.audit_retention", "azure.sql.min_tls_1_2")
    assert verdicts(report, "azure.sql.auditing_enabled") == {("sql-contoso-prod", "ERROR"), ("sql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "ERROR"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert "access denied to sql:serverBlobAuditingPolicies.get" in finding(report, "azure.sql.auditing_enabled", "sql-contoso-prod").message


def test_sql_not_registered_is_not_applicable(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Sql/servers", "not_registered", action="Microsoft.Sql")
    report = azure.scan("azure.sql.min_tls_1_2")
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    na = finding(report, "azure.sql.min_tls_1_2", f"azure {DEV}")
    assert na.message == f"the resource provider for sql is not registered in subscription {DEV} (MissingSubscriptionRegistration)"
    assert not report.collection_errors
    assert azure.calls("/providers/Microsoft.Sql/register", method="POST") == 0  # the SDK's auto-registration is off
    assert not [f for f in report.findings if f.account == DEV and f.status == Status.PASS]
