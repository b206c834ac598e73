"""ElastiCache replication group checks through moto's server: encryption at rest and in transit,
automatic backups, Multi-AZ with automatic failover, and a denied listing (moto enforces IAM on
ElastiCache's query API with the real action names)."""

from __future__ import annotations

import pytest

from tests.checks.aws._serial_stubs import SharedSessionAccount, at
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


@pytest.fixture
def aws(aws):
    """The conftest account with one shared boto3 session for the demo credentials (faster)."""
    return SharedSessionAccount(aws.endpoint_url)


def _group(elasticache, name: str, **settings) -> None:
    elasticache.create_replication_group(
        ReplicationGroupId=name, ReplicationGroupDescription=name, Engine="redis", CacheNodeType="cache.t4g.micro", **settings
    )


def test_encryption_at_rest_and_in_transit(aws):
    elasticache = aws.client("elasticache")
    _group(elasticache, "pass-encrypted", AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True)
    _group(elasticache, "fail-plain")
    report = aws.scan("aws.elasticache.at_rest_encryption", "aws.elasticache.in_transit_encryption")
    assert verdicts(report, "aws.elasticache.at_rest_encryption") == {("pass-encrypted", "PASS"), ("fail-plain", "FAIL")}
    assert verdicts(report, "aws.elasticache.in_transit_encryption") == {("pass-encrypted", "PASS"), ("fail-plain", "FAIL")}
    assert finding(report, "aws.elasticache.in_transit_encryption", "fail-plain").message == "TransitEncryptionEnabled is false"


def test_transit_encryption_preferred_mode_fails(aws):
    """TransitEncryptionMode "preferred" (a migration state) still accepts plaintext clients."""
    elasticache = aws.client("elasticache")
    _group(elasticache, "pass-required", TransitEncryptionEnabled=True, TransitEncryptionMode="required")
    _group(elasticache, "fail-preferred", TransitEncryptionEnabled=True, TransitEncryptionMode="preferred")
    report = aws.scan("aws.elasticache.in_transit_encryption")
    assert verdicts(report, "aws.elasticache.in_transit_encryption") == {("pass-required", "PASS"), ("fail-preferred", "FAIL")}
    assert finding(report, "aws.elasticache.in_transit_encryption", "fail-preferred").evidence["mode"] == "preferred"


def test_automatic_backups_and_multi_az(aws):
    elasticache = aws.client("elasticache")
    _group(
        elasticache,
        "pass-resilient",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        SnapshotRetentionLimit=7,
    )
    _group(elasticache, "fail-single-node")
    inventory, report = aws.collect(["aws.elasticache.automatic_backups", "aws.elasticache.multi_az"])
    assert verdicts(report, "aws.elasticache.automatic_backups") == {("pass-resilient", "PASS"), ("fail-single-node", "FAIL")}
    assert verdicts(report, "aws.elasticache.multi_az") == {("pass-resilient", "PASS"), ("fail-single-node", "FAIL")}
    assert finding(report, "aws.elasticache.multi_az", "fail-single-node").message == "AutomaticFailover is disabled"
    assert "automatic backups are disabled" in finding(report, "aws.elasticache.automatic_backups", "fail-single-node").message
    strict = at(
        inventory,
        ["aws.elasticache.automatic_backups"],
        inventory.metadata.collected_at,
        params={"aws.elasticache.automatic_backups": {"min_days": 14}},
    )
    assert verdicts(strict, "aws.elasticache.automatic_backups") == {("pass-resilient", "FAIL"), ("fail-single-node", "FAIL")}


def test_denied_listing_is_error(aws, denied_session):
    elasticache = aws.client("elasticache")
    _group(elasticache, "hidden", AtRestEncryptionEnabled=True)
    report = aws.scan("aws.elasticache.at_rest_encryption", session=denied_session("elasticache:DescribeReplicationGroups"))
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.elasticache.at_rest_encryption") == {(region, "ERROR")}
    message = finding(report, "aws.elasticache.at_rest_encryption", region).message
    assert "access denied to elasticache:DescribeReplicationGroups" in message
