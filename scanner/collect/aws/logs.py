"""CloudWatch Logs (regional): log groups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.logs import LogGroup

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


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
