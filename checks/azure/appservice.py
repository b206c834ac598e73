"""App Service: HTTPS only and minimum TLS version."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.azure import AzureInventory


@check(
    id="azure.appservice.https_only",
    title="App Service apps redirect HTTP to HTTPS",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.Web/sites",
    reads=["azure.appservice.web_apps"],
    remediation="az webapp update -n APP -g RG --https-only true",
)
def https_only(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without HTTPS-only, users can reach the app over plain HTTP and expose sessions and data (CC6.7)."""
    for app in inv.appservice.web_apps:
        if app.https_only:
            yield Result.passed(app, "httpsOnly is true")
        else:
            yield Result.failed(app, "httpsOnly is false")


@check(
    id="azure.appservice.min_tls_1_2",
    title="App Service apps require TLS 1.2 or later",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="Microsoft.Web/sites",
    reads=["azure.appservice.web_apps:config"],
    remediation="az webapp config set -n APP -g RG --min-tls-version 1.2",
)
def app_min_tls_1_2(inv: AzureInventory, ctx: CheckContext) -> Iterator[Result]:
    """TLS 1.0 and 1.1 are deprecated protocol versions (CC6.7)."""
    for app in inv.appservice.web_apps:
        version = app.min_tls_version
        if version in ("1.2", "1.3"):
            yield Result.passed(app, f"siteConfig.minTlsVersion is {version}")
        else:
            yield Result.failed(app, f"siteConfig.minTlsVersion is {version or 'not set'}")
