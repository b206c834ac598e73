"""Redshift facts: provisioned clusters with audit logging and the require_ssl parameter."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class RedshiftCluster(Resource):
    status: str
    encrypted: bool
    kms_key_id: str | None = None
    automated_snapshot_retention_days: int = 0
    parameter_groups: list[str] = Field(default_factory=list)
    # From DescribeClusterParameters on the cluster's parameter group(s) (facet "parameters"):
    # the require_ssl value ("true"/"false"), None with an entry in errors or when not listed.
    require_ssl: str | None = None
    require_ssl_source: str | None = None  # user | engine-default
    # DescribeLoggingStatus (facet "logging"): None with an entry in errors.
    audit_logging_enabled: bool | None = None
    log_destination_type: str | None = None  # s3 | cloudwatch
    log_exports: list[str] = Field(default_factory=list)  # connectionlog, userlog, useractivitylog


class Redshift(BaseModel):
    clusters: list[RedshiftCluster] = Field(default_factory=list)
