"""PostgreSQL and MySQL flexible server checks (plain ARM GETs through the SDK pipeline)."""

from __future__ import annotations

from tests.azure_fixtures import DEV, PROD, rg
from tests.conftest import finding, verdicts


def test_postgresql(azure):
    report = azure.scan("azure.postgresql.tls_enforced", "azure.postgresql.geo_redundant_backup")
    assert verdicts(report, "azure.postgresql.tls_enforced") == {("psql-contoso-prod", "PASS"), ("psql-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.postgresql.geo_redundant_backup") == {("psql-contoso-prod", "PASS"), ("psql-contoso-dev", "FAIL")}


def test_mysql(azure):
    report = azure.scan("azure.mysql.tls_enforced", "azure.mysql.geo_redundant_backup")
    assert verdicts(report, "azure.mysql.tls_enforced") == {("mysql-contoso-orders", "PASS"), ("mysql-contoso-legacy", "FAIL")}
    assert verdicts(report, "azure.mysql.geo_redundant_backup") == {("mysql-contoso-orders", "PASS"), ("mysql-contoso-legacy", "FAIL")}
    assert finding(report, "azure.mysql.tls_enforced", "mysql-contoso-legacy").message == "server parameter require_secure_transport is OFF"


def test_mysql_not_registered_and_parameter_denied(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.DBforMySQL/flexibleServers", "not_registered", action="Microsoft.DBforMySQL")
    config = f"{rg(PROD, 'rg-contoso-prod')}/providers/Microsoft.DBforMySQL/flexibleServers/mysql-contoso-orders/configurations/require_secure_transport"
    azure.error(config, "denied", action="Microsoft.DBforMySQL/flexibleServers/configurations/read")
    report = azure.scan("azure.mysql.tls_enforced", "azure.mysql.geo_redundant_backup")
    assert verdicts(report, "azure.mysql.tls_enforced") == {("mysql-contoso-orders", "ERROR"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert verdicts(report, "azure.mysql.geo_redundant_backup") == {("mysql-contoso-orders", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
