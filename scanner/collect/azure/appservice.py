"""App Service (plain GETs): web and function apps, each with its site configuration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.azure._arm import base, props, subscription_path
from scanner.collect.registry import collector, facet
from scanner.models.azure.appservice import WebApp

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope

API_VERSION = "2025-05-01"  # Microsoft.Web (azure-mgmt-web 11.0.1 models it)


@collector(
    "azure.appservice.web_apps",
    regional=True,
    permissions=["Microsoft.Web/sites/read"],
    facets={
        "config": facet(["Microsoft.Web/sites/config/read"], ["min_tls_version", "ftps_state"]),
    },
)
def web_apps(scope: AzureScope) -> list[WebApp]:
    from scanner.collect.azure._client import read_facets

    listed = scope.arm("appservice", "webApps.list", subscription_path(scope, "/providers/Microsoft.Web/sites"), API_VERSION, paged=True)

    def one(body: dict[str, Any]) -> WebApp:
        def config() -> dict[str, Any]:
            p = props(scope.arm("appservice", "webApps.getConfiguration", f"{body['id']}/config/web", API_VERSION))
            return {"min_tls_version": p.get("minTlsVersion"), "ftps_state": p.get("ftpsState")}

        fields, errors = read_facets(scope, "appservice", {"config": config})
        return WebApp(**base(scope, body), errors=errors, kind=body.get("kind"), https_only=bool(props(body).get("httpsOnly")), **fields)

    return scope.map(one, listed)
