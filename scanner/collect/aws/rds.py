"""RDS (regional): DB instances."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.rds import DbInstance

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.rds.db_instances", regional=True, permissions=["rds:DescribeDBInstances"])
def db_instances(scope: AwsScope) -> list[DbInstance]:
    return [
        DbInstance(
            id=db["DBInstanceArn"],
            name=db["DBInstanceIdentifier"],
            region=scope.region,
            account=scope.account,
            engine=db.get("Engine", ""),
            storage_encrypted=bool(db.get("StorageEncrypted")),
            kms_key_id=db.get("KmsKeyId"),
            backup_retention_days=db.get("BackupRetentionPeriod", 0),
            multi_az=bool(db.get("MultiAZ")),
            deletion_protection=bool(db.get("DeletionProtection")),
            publicly_accessible=bool(db.get("PubliclyAccessible")),
            cluster_id=db.get("DBClusterIdentifier"),
        )
        for db in scope.pages("rds", "DescribeDBInstances", "DBInstances")
    ]
