"""DynamoDB (regional): tables, with continuous backups read per table concurrently."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.aws._facets import read_facets
from scanner.collect.registry import collector, facet
from scanner.models.aws.dynamodb import Table

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector(
    "aws.dynamodb.tables",
    regional=True,
    permissions=["dynamodb:ListTables", "dynamodb:DescribeTable"],
    facets={
        "continuous_backups": facet(["dynamodb:DescribeContinuousBackups"], ["pitr_enabled"]),
    },
)
def tables(scope: AwsScope) -> list[Table]:
    names = scope.pages("dynamodb", "ListTables", "TableNames")
    return scope.map(lambda name: _table(scope, name), names)


def _table(scope: AwsScope, name: str) -> Table:
    table = scope.call("dynamodb", "DescribeTable", TableName=name)["Table"]

    def continuous_backups() -> dict[str, Any]:
        description = scope.call("dynamodb", "DescribeContinuousBackups", TableName=name)["ContinuousBackupsDescription"]
        pitr = description.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
        return {"pitr_enabled": pitr == "ENABLED"}

    fields, errors = read_facets(scope, "dynamodb", scope.region, {"continuous_backups": continuous_backups})
    sse = table.get("SSEDescription") or {}
    return Table(
        id=table["TableArn"],
        name=name,
        region=scope.region,
        account=scope.account,
        status=table.get("TableStatus", "UNKNOWN"),
        deletion_protection=bool(table.get("DeletionProtectionEnabled")),
        sse_type=sse.get("SSEType") if sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING") else None,
        kms_key_arn=sse.get("KMSMasterKeyArn"),
        errors=errors,
        **fields,
    )
