"""App Service web apps (and function apps) with their site configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class WebApp(AzureResource):
    kind: str | None = None
    https_only: bool = False
    min_tls_version: str | None = None  # siteConfig.minTlsVersion (facet "config")
    ftps_state: str | None = None


class AppService(BaseModel):
    web_apps: list[WebApp] = Field(default_factory=list)
