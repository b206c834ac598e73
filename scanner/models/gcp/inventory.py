"""The GCP inventory: one attribute per service, named as the collection keys (`gcp.<service>.<attr>`).

Scopes are projects: each project-level resource has `account` = its project id and `region` = its
location / zone or "global"; organization-level facts (`resourcemanager.organization`, `directory`,
`securitycenter`, `logging.org_sinks`) have `account` = the organization id and region "global".
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.gcp.bigquery import BigQuery
from scanner.models.gcp.compute import Compute
from scanner.models.gcp.directory import Directory
from scanner.models.gcp.dns import Dns
from scanner.models.gcp.iam import Iam
from scanner.models.gcp.kms import Kms
from scanner.models.gcp.logging import Logging
from scanner.models.gcp.monitoring import Monitoring
from scanner.models.gcp.resourcemanager import ResourceManager
from scanner.models.gcp.securitycenter import SecurityCenter
from scanner.models.gcp.serviceusage import ServiceUsage
from scanner.models.gcp.sql import Sql
from scanner.models.gcp.storage import Storage


class GcpInventory(BaseModel):
    bigquery: BigQuery = Field(default_factory=BigQuery)
    compute: Compute = Field(default_factory=Compute)
    directory: Directory = Field(default_factory=Directory)
    dns: Dns = Field(default_factory=Dns)
    iam: Iam = Field(default_factory=Iam)
    kms: Kms = Field(default_factory=Kms)
    logging: Logging = Field(default_factory=Logging)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    resourcemanager: ResourceManager = Field(default_factory=ResourceManager)
    securitycenter: SecurityCenter = Field(default_factory=SecurityCenter)
    serviceusage: ServiceUsage = Field(default_factory=ServiceUsage)
    sql: Sql = Field(default_factory=Sql)
    storage: Storage = Field(default_factory=Storage)
