"""The Azure inventory: one attribute per service, named as the collection keys (`azure.<service>.<attr>`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.azure.appservice import AppService
from scanner.models.azure.authorization import Authorization
from scanner.models.azure.backup import Backup
from scanner.models.azure.compute import Compute
from scanner.models.azure.entra import Entra
from scanner.models.azure.keyvault import KeyVaultService
from scanner.models.azure.loganalytics import LogAnalytics
from scanner.models.azure.monitor import Monitor
from scanner.models.azure.network import Network
from scanner.models.azure.rdbms import Mysql, Postgresql
from scanner.models.azure.security import Security
from scanner.models.azure.sql import Sql
from scanner.models.azure.storage import Storage


class AzureInventory(BaseModel):
    appservice: AppService = Field(default_factory=AppService)
    authorization: Authorization = Field(default_factory=Authorization)
    backup: Backup = Field(default_factory=Backup)
    compute: Compute = Field(default_factory=Compute)
    entra: Entra = Field(default_factory=Entra)
    keyvault: KeyVaultService = Field(default_factory=KeyVaultService)
    loganalytics: LogAnalytics = Field(default_factory=LogAnalytics)
    monitor: Monitor = Field(default_factory=Monitor)
    mysql: Mysql = Field(default_factory=Mysql)
    network: Network = Field(default_factory=Network)
    postgresql: Postgresql = Field(default_factory=Postgresql)
    security: Security = Field(default_factory=Security)
    sql: Sql = Field(default_factory=Sql)
    storage: Storage = Field(default_factory=Storage)
