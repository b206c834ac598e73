"""Lambda (regional): functions and the log group each one writes to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.awslambda import LambdaFunction

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


@collector("aws.awslambda.functions", regional=True, permissions=["lambda:ListFunctions"])
def functions(scope: AwsScope) -> list[LambdaFunction]:
    return [
        LambdaFunction(
            id=f["FunctionArn"],
            name=f["FunctionName"],
            region=scope.region,
            account=scope.account,
            runtime=f.get("Runtime"),
            package_type=f.get("PackageType", "Zip"),
            # Since 2023 a function may log to a chosen group (LoggingConfig); else /aws/lambda/<name>.
            log_group_name=(f.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{f['FunctionName']}",
        )
        for f in scope.pages("lambda", "ListFunctions", "Functions")
    ]
