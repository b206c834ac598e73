"""Azure SQL logical servers and databases."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure._base import AzureResource
from scanner.models.azure.monitor import DiagnosticSetting


class SqlServer(AzureResource):
    minimal_tls_version: str | None = None  # "1.0", "1.1", "1.2", "1.3", "None"
    public_network_access: str | None = None
    tde_protector_type: str | None = None  # ServiceManaged / AzureKeyVault (facet "protector")
    tde_protector_key: str | None = None
    auditing_state: str | None = None  # Enabled / Disabled (facet "auditing")
    audit_retention_days: int | None = None  # retentionDays: governs the storage destination only; 0 = unlimited
    audit_storage_endpoint: str | None = None  # storageEndpoint; empty = no storage destination
    audit_to_azure_monitor: bool | None = None  # isAzureMonitorTargetEnabled: Log Analytics / Event Hub via diagnostic settings
    # The master database's diagnostic settings, where Azure Monitor audit destinations are configured
    # (facet "audit_destinations", read only when audit_to_azure_monitor).
    audit_diagnostic_settings: list[DiagnosticSetting] = Field(default_factory=list)
    threat_detection_state: str | None = None  # securityAlertPolicies/Default state: New / Enabled / Disabled (facet "threat_detection")
    threat_detection_disabled_alerts: list[str] = Field(default_factory=list)


class SqlDatabase(AzureResource):
    server_name: str
    sku_name: str | None = None
    backup_storage_redundancy: str | None = None  # requestedBackupStorageRedundancy: Geo, GeoZone, Local, Zone
    tde_state: str | None = None  # Enabled / Disabled (facet "tde")
    ltr_weekly: str | None = None  # ISO 8601 durations, "PT0S" = off (facet "ltr")
    ltr_monthly: str | None = None
    ltr_yearly: str | None = None

    @property
    def has_ltr(self) -> bool:
        return any(v and v != "PT0S" for v in (self.ltr_weekly, self.ltr_monthly, self.ltr_yearly))


class Sql(BaseModel):
    servers: list[SqlServer] = Field(default_factory=list)
    databases: list[SqlDatabase] = Field(default_factory=list)
