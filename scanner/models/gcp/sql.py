"""Cloud SQL instances."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class SqlInstance(Resource):
    database_version: str  # POSTGRES_15, MYSQL_8_0, SQLSERVER_2019_STANDARD
    state: str | None = None
    instance_type: str | None = None  # CLOUD_SQL_INSTANCE, READ_REPLICA_INSTANCE
    availability_type: str | None = None  # ZONAL / REGIONAL
    ipv4_enabled: bool = False
    require_ssl: bool = False
    ssl_mode: str | None = None  # ALLOW_UNENCRYPTED_AND_ENCRYPTED, ENCRYPTED_ONLY, TRUSTED_CLIENT_CERTIFICATE_REQUIRED
    authorized_networks: list[str] = Field(default_factory=list)
    kms_key_name: str | None = None
    backup_enabled: bool = False
    point_in_time_recovery: bool = False  # PostgreSQL / SQL Server
    binary_log_enabled: bool = False  # MySQL's point-in-time recovery
    retained_backups: int | None = None
    transaction_log_retention_days: int | None = None
    deletion_protection: bool = False
    database_flags: dict[str, str] = Field(default_factory=dict)

    @property
    def engine(self) -> str:
        return self.database_version.split("_", 1)[0].lower()

    @property
    def is_replica(self) -> bool:
        return self.instance_type == "READ_REPLICA_INSTANCE"


class Sql(BaseModel):
    instances: list[SqlInstance] = Field(default_factory=list)
