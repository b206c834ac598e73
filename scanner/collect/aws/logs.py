"""CloudWatch Logs (regional): log groups."""

from __future__ import annotations

from scanner.collect.aws._client import AwsScope
from scanner.collect.registry import collector
from scanner.models.aws.logs import LogGroup


@collector("aws.logs.log_groups", regional=True, permissions=["logs:DescribeLogGroups"])
def log_groups(scope: AwsScope) -> list[LogGroup]:
    return [
        LogGroup(
            id=g.get("arn", "").removesuffix(":*") or scope.arn("logs", f"log-group:{g['logGroupName']}"),
            name=g["logGroupName"],
            region=scope.region,
            account=scope.account,
            retention_days=g.get("retentionInDays"),
            kms_key_id=g.get("kmsKeyId"),
            stored_bytes=g.get("storedBytes", 0),
        )
        for g in scope.pages("logs", "DescribeLogGroups", "logGroups")
    ]
