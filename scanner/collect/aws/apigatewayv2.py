"""API Gateway v2 (regional): HTTP and WebSocket APIs (GetApis), and each API's stages (GetStages,
concurrently per API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.apigatewayv2 import ApiStage

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


# API Gateway authorises its management API by HTTP verb: apigateway:GET covers GetApis and GetStages.
@collector("aws.apigatewayv2.stages", regional=True, permissions=["apigateway:GET"])
def stages(scope: AwsScope) -> list[ApiStage]:
    apis = scope.pages("apigatewayv2", "GetApis", "Items")
    per_api = scope.map(lambda api: _stages(scope, api), apis)
    return [stage for api_stages in per_api for stage in api_stages]


def _stages(scope: AwsScope, api: dict[str, Any]) -> list[ApiStage]:
    listed = scope.pages("apigatewayv2", "GetStages", "Items", ApiId=api["ApiId"])
    api_name = api.get("Name") or api["ApiId"]
    result = []
    for stage in listed:
        access = stage.get("AccessLogSettings") or {}
        result.append(
            ApiStage(
                id=f"arn:{scope.partition}:apigateway:{scope.region}::/apis/{api['ApiId']}/stages/{stage['StageName']}",
                name=f"{api_name}/{stage['StageName']}",
                region=scope.region,
                account=scope.account,
                api_id=api["ApiId"],
                api_name=api_name,
                protocol_type=api.get("ProtocolType", "HTTP"),
                stage_name=stage["StageName"],
                access_log_destination=access.get("DestinationArn") or None,
                access_log_format=access.get("Format") or None,
                default_logging_level=(stage.get("DefaultRouteSettings") or {}).get("LoggingLevel"),
            )
        )
    return result
