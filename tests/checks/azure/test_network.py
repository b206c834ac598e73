"""NSG flow log checks."""

from __future__ import annotations

from tests.azure_fixtures import DEV
from tests.conftest import finding, verdicts


def test_flow_logs_enabled_and_retained(azure):
    report = azure.scan("azure.network.nsg_flow_logs_enabled", "azure.network.flow_log_retention")
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == {("nsg-web", "PASS"), ("nsg-db", "PASS"), ("nsg-dev", "FAIL")}
    assert verdicts(report, "azure.network.flow_log_retention") == {("fl-nsg-web", "PASS"), ("fl-nsg-db", "FAIL"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert finding(report, "azure.network.flow_log_retention", "fl-nsg-db").evidence == {"retention_days": 30, "retention_enabled": True}


def test_watchers_denied_is_error_not_missing_flow_logs(azure):
    azure.error(f"/subscriptions/{DEV}/providers/Microsoft.Network/networkWatchers", "denied", action="Microsoft.Network/networkWatchers/read")
    report = azure.scan("azure.network.nsg_flow_logs_enabled")
    # nsg-dev's verdict would rest on the unread flow logs: the subscription's ERROR stands for it.
    assert verdicts(report, "azure.network.nsg_flow_logs_enabled") == {("nsg-web", "PASS"), ("nsg-db", "PASS"), (f"azure {DEV}", "ERROR")}
