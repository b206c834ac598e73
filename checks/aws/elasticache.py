"""ElastiCache (Redis OSS / Valkey replication groups): encryption at rest and in transit,
automatic backups, Multi-AZ with automatic failover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.elasticache.at_rest_encryption",
    title="ElastiCache replication groups encrypt data at rest",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::ElastiCache::ReplicationGroup",
    reads=["aws.elasticache.replication_groups"],
    remediation="At-rest encryption is set at creation: create an encrypted replication group from a backup of this "
    "one (AtRestEncryptionEnabled=true, optionally KmsKeyId) and switch clients to it.",
)
def at_rest_encryption(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Caches hold sessions, tokens and copies of database records; at-rest encryption covers the
    data on disk during sync and swap and in backups (C1.1, CC6.1)."""
    for group in inv.elasticache.replication_groups:
        if group.at_rest_encryption:
            yield Result.passed(group, "AtRestEncryptionEnabled is true")
        else:
            yield Result.failed(group, "AtRestEncryptionEnabled is false")


@check(
    id="aws.elasticache.in_transit_encryption",
    title="ElastiCache replication groups require TLS in transit",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::ElastiCache::ReplicationGroup",
    reads=["aws.elasticache.replication_groups"],
    remediation="Modify the replication group: TransitEncryptionEnabled=true with TransitEncryptionMode=preferred, "
    "move clients to TLS, then set TransitEncryptionMode=required.",
)
def in_transit_encryption(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Without in-transit encryption, cached data and AUTH tokens cross the network in clear text;
    in "preferred" mode the cache still accepts plaintext clients (CC6.7, C1.1)."""
    for group in inv.elasticache.replication_groups:
        mode = group.transit_encryption_mode
        if not group.transit_encryption:
            yield Result.failed(group, "TransitEncryptionEnabled is false")
        elif mode == "preferred":
            yield Result.failed(group, "TransitEncryptionMode is preferred: plaintext connections are still accepted", mode=mode)
        else:
            yield Result.passed(group, "TransitEncryptionEnabled is true" + (f" (mode {mode})" if mode else ""), mode=mode)


@check(
    id="aws.elasticache.automatic_backups",
    title="ElastiCache replication groups keep automatic backups",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::ElastiCache::ReplicationGroup",
    reads=["aws.elasticache.replication_groups"],
    params={"min_days": Param(1, minimum=1, maximum=35)},
    remediation="Modify the replication group with SnapshotRetentionLimit set to the days to keep (and a SnapshotWindow).",
)
def automatic_backups(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """When a cache is used as a data store (sessions, queues, leaderboards), losing all nodes loses
    the data unless daily snapshots exist; SnapshotRetentionLimit 0 means none are taken (A1.2, CC7.5)."""
    minimum = ctx.params["min_days"]
    for group in inv.elasticache.replication_groups:
        days = group.snapshot_retention_days
        if days >= minimum and days > 0:
            yield Result.passed(group, f"SnapshotRetentionLimit is {count(days, 'day')} (>= {minimum})", retention_days=days)
        elif days == 0:
            yield Result.failed(group, "SnapshotRetentionLimit is 0: automatic backups are disabled", retention_days=0)
        else:
            yield Result.failed(group, f"SnapshotRetentionLimit is {count(days, 'day')} (< {minimum})", retention_days=days)


@check(
    id="aws.elasticache.multi_az",
    title="ElastiCache replication groups are Multi-AZ with automatic failover",
    severity=Severity.MEDIUM,
    category=Category.BACKUP,
    resource_type="AWS::ElastiCache::ReplicationGroup",
    reads=["aws.elasticache.replication_groups"],
    remediation="Add a replica in another Availability Zone and modify the group with "
    "AutomaticFailoverEnabled=true and MultiAZEnabled=true.",
)
def multi_az(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """With a replica in another zone and automatic failover, the loss of the primary's node or
    zone promotes a replica within minutes instead of leaving the cache down (A1.2, CC9.1)."""
    for group in inv.elasticache.replication_groups:
        evidence = {"automatic_failover": group.automatic_failover, "multi_az": group.multi_az, "members": group.member_clusters}
        if group.automatic_failover == "enabled" and group.multi_az == "enabled":
            yield Result.passed(group, "MultiAZ and AutomaticFailover are enabled", **evidence)
        elif group.automatic_failover != "enabled":
            yield Result.failed(group, f"AutomaticFailover is {group.automatic_failover}", **evidence)
        else:
            yield Result.failed(group, f"MultiAZ is {group.multi_az}", **evidence)
