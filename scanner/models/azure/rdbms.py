"""Azure Database for PostgreSQL and MySQL flexible servers."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource


class FlexibleServer(AzureResource):
    version: str | None = None
    geo_redundant_backup: str | None = None  # backup.geoRedundantBackup: Enabled / Disabled
    backup_retention_days: int | None = None
    require_secure_transport: str | None = None  # server parameter value "on"/"off" (facet "tls")
    ssl_min_tls_version: str | None = None  # PostgreSQL ssl_min_protocol_version / MySQL tls_version


class Postgresql(BaseModel):
    flexible_servers: list[FlexibleServer] = Field(default_factory=list)


class Mysql(BaseModel):
    flexible_servers: list[FlexibleServer] = Field(default_factory=list)
