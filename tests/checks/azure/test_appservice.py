"""App Service checks."""

from __future__ import annotations

from tests.azure_fixtures import PROD
from tests.conftest import finding, verdicts


def test_https_only_and_tls(azure):
    report = azure.scan("azure.appservice.https_only", "azure.appservice.min_tls_1_2")
    assert verdicts(report, "azure.appservice.https_only") == {("app-contoso-web", "PASS"), ("app-contoso-dev", "FAIL")}
    assert verdicts(report, "azure.appservice.min_tls_1_2") == {("app-contoso-web", "PASS"), ("app-contoso-dev", "FAIL")}
    # The list carries siteConfig.minTlsVersion as null: the value comes from each app's config/web.
    assert finding(report, "azure.appservice.min_tls_1_2", "app-contoso-dev").message == "siteConfig.minTlsVersion is 1.0"


def test_denied_web_listing_is_error(azure):
    azure.error(f"/subscriptions/{PROD}/providers/Microsoft.Web/sites", "denied", action="Microsoft.Web/sites/read")
    report = azure.scan("azure.appservice.https_only")
    assert verdicts(report, "azure.appservice.https_only") == {(f"azure {PROD}", "ERROR"), ("app-contoso-dev", "FAIL")}
