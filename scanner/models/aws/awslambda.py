"""Lambda functions and where they log.

The module, the collection key (`aws.awslambda.functions`) and the inventory attribute are named
`awslambda` because `lambda` is a Python keyword; the checks keep the `aws.lambda.*` ids.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class LambdaFunction(Resource):
    runtime: str | None = None  # None for container-image functions
    package_type: str = "Zip"
    log_group_name: str  # LoggingConfig.LogGroup, else the default /aws/lambda/<function name>


class AwsLambda(BaseModel):
    functions: list[LambdaFunction] = Field(default_factory=list)
