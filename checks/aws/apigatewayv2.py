"""API Gateway v2 (HTTP and WebSocket APIs): access logging on stages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Result, check

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory


@check(
    id="aws.apigatewayv2.stage_access_logging",
    title="API Gateway HTTP and WebSocket API stages have access logging",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="AWS::ApiGatewayV2::Stage",
    reads=["aws.apigatewayv2.stages"],
    remediation="Update the stage's AccessLogSettings with a CloudWatch Logs destination ARN and a format "
    "including $context.requestId, $context.identity.sourceIp and $context.status.",
)
def stage_access_logging(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """Access logs record who called the API, from where, and with what result; for HTTP APIs,
    which have no execution logs, they are the only request record (CC7.2)."""
    for stage in inv.apigatewayv2.stages:
        evidence = {"protocol_type": stage.protocol_type, "destination": stage.access_log_destination}
        if stage.access_log_destination:
            yield Result.passed(stage, f"access logs go to {stage.access_log_destination}", **evidence)
        else:
            yield Result.failed(stage, "AccessLogSettings has no DestinationArn", **evidence)
