"""Redshift: encryption, TLS, audit logging, automated snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.redshift.cluster_encrypted",
    title="Redshift clusters are encrypted at rest",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::Redshift::Cluster",
    reads=["aws.redshift.clusters"],
    remediation="aws redshift modify-cluster --cluster-identifier ID --encrypted [--kms-key-id KEY] "
    "(the cluster is migrated to encrypted storage).",
)
def cluster_encrypted(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """A data warehouse concentrates the organisation's data; encryption at rest covers its
    blocks, backups and snapshots (C1.1, CC6.1)."""
    for cluster in inv.redshift.clusters:
        if cluster.encrypted:
            yield Result.passed(cluster, "Encrypted is true", kms_key_id=cluster.kms_key_id)
        else:
            yield Result.failed(cluster, "Encrypted is false")


@check(
    id="aws.redshift.require_ssl",
    title="Redshift clusters require SSL connections",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::Redshift::Cluster",
    reads=["aws.redshift.clusters:parameters"],
    remediation="In a custom cluster parameter group set require_ssl=true and associate it with the cluster "
    "(the default parameter group cannot be changed).",
)
def require_ssl(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With require_ssl false the cluster accepts plaintext connections, exposing credentials and
    query results on the network (CC6.7, C1.1). The value is read from the cluster's parameter group."""
    for cluster in inv.redshift.clusters:
        evidence = {"parameter_groups": cluster.parameter_groups, "source": cluster.require_ssl_source}
        if cluster.require_ssl is None:
            yield Result.failed(cluster, "require_ssl is not set in the cluster's parameter group", **evidence)
        elif cluster.require_ssl.lower() == "true":
            yield Result.passed(cluster, "require_ssl is true", **evidence)
        else:
            yield Result.failed(cluster, f"require_ssl is {cluster.require_ssl}", **evidence)


@check(
    id="aws.redshift.audit_logging",
    title="Redshift clusters have audit logging enabled",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::Redshift::Cluster",
    reads=["aws.redshift.clusters:logging"],
    remediation="aws redshift enable-logging --cluster-identifier ID --log-destination-type cloudwatch "
    "--log-exports connectionlog userlog useractivitylog (or an S3 bucket).",
)
def audit_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Audit logging records connections, authentication attempts and user changes (and, with user
    activity logging, every query): the record needed to detect and investigate access to the
    warehouse (CC7.2, CC7.3)."""
    for cluster in inv.redshift.clusters:
        evidence = {"destination": cluster.log_destination_type, "log_exports": cluster.log_exports}
        if cluster.audit_logging_enabled:
            yield Result.passed(cluster, "LoggingEnabled is true", **evidence)
        else:
            yield Result.failed(cluster, "LoggingEnabled is false")


@check(
    id="aws.redshift.snapshot_retention",
    title="Redshift clusters keep automated snapshots for at least the configured days",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::Redshift::Cluster",
    reads=["aws.redshift.clusters"],
    params={"min_days": Param(7, minimum=1, maximum=35)},
    remediation="aws redshift modify-cluster --cluster-identifier ID --automated-snapshot-retention-period N",
)
def snapshot_retention(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automated snapshots are the cluster's restore points; with 0 days there are none, and a short
    retention loses them before a slow-burning problem is noticed (A1.2, CC7.5)."""
    minimum = ctx.params["min_days"]
    for cluster in inv.redshift.clusters:
        days = cluster.automated_snapshot_retention_days
        if days >= minimum:
            yield Result.passed(cluster, f"AutomatedSnapshotRetentionPeriod is {count(days, 'day')} (>= {minimum})", retention_days=days)
        elif days == 0:
            yield Result.failed(
                cluster, "AutomatedSnapshotRetentionPeriod is 0: automated snapshots are disabled", retention_days=0
            )
        else:
            yield Result.failed(cluster, f"AutomatedSnapshotRetentionPeriod is {count(days, 'day')} (< {minimum})", retention_days=days)
