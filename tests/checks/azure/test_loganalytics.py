"""Log Analytics workspace retention."""

from __future__ import annotations

from tests.azure_fixtures import PROD
from tests.conftest import verdicts


def test_workspace_retention(azure):
    report = azure.scan("azure.loganalytics.workspace_retention")
    assert verdicts(report, "azure.loganalytics.workspace_retention") == {("log-contoso-prod", "PASS"), ("log-contoso-dev", "FAIL")}
    strict = azure.scan("azure.loganalytics.workspace_retention", params={"azure.loganalytics.workspace_retention": {"min_days": 730}})
    assert verdicts(strict, "azure.loganalytics.workspace_retention") == {("log-contoso-prod", "FAIL"), ("log-contoso-dev", "FAIL")}


def test_workspaces_denied(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.OperationalInsights/workspaces", "denied", action="Microsoft.OperationalInsights/workspaces/read")
    report = azure.scan("azure.loganalytics.workspace_retention")
    assert verdicts(report, "azure.loganalytics.workspace_retention") == {(f"azure {PROD}", "ERROR"), ("log-contoso-dev", "FAIL")}
