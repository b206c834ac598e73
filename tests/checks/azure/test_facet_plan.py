"""A scan reads only the per-resource facets its checks declare: requests counted by the fake
cloud (the real Azure SDK over HTTPS to 127.0.0.1)."""

from __future__ import annotations

from tests.conftest import verdicts

SQL_GETTERS = ("/securityAlertPolicies/", "/auditingSettings/", "/encryptionProtector/", "/databases/master/providers/Microsoft.Insights/")


def _sql_getter_calls(azure) -> dict[str, int]:
    return {fragment: azure.calls(fragment) for fragment in SQL_GETTERS}


def test_one_sql_check_reads_only_its_facet(azure):
    report = azure.scan("azure.sql.threat_detection_enabled")
    assert verdicts(report, "azure.sql.threat_detection_enabled") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    assert _sql_getter_calls(azure) == {SQL_GETTERS[0]: 2, SQL_GETTERS[1]: 0, SQL_GETTERS[2]: 0, SQL_GETTERS[3]: 0}


def test_a_facet_reads_the_facets_it_depends_on(azure):
    """Audit destinations are read only for servers whose auditing policy sends to Azure Monitor,
    so planning them plans the auditing policy too; nothing else."""
    azure.scan("azure.sql.audit_retention")
    calls = _sql_getter_calls(azure)
    assert calls[SQL_GETTERS[1]] == 2 and calls[SQL_GETTERS[0]] == 0 and calls[SQL_GETTERS[2]] == 0


def test_every_sql_server_check_reads_each_getter_once(azure):
    azure.scan("azure.sql.threat_detection_enabled", "azure.sql.audit_retention", "azure.sql.tde_protector_cmk", "azure.sql.auditing_enabled")
    calls = _sql_getter_calls(azure)
    assert calls[SQL_GETTERS[0]] == calls[SQL_GETTERS[1]] == calls[SQL_GETTERS[2]] == 2
