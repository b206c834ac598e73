"""API Gateway REST APIs (regional): GetRestApis once per region, GetStages per API (concurrently);
custom domain names with their TLS security policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.collect.registry import collector
from scanner.models.aws.apigateway import DomainName, RestStage

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

# API Gateway authorises its management API by HTTP verb on resource paths: apigateway:GET covers
# GetRestApis, GetStages and GetDomainNames.


@collector("aws.apigateway.stages", regional=True, permissions=["apigateway:GET"])
def stages(scope: AwsScope) -> list[RestStage]:
    apis = scope.pages("apigateway", "GetRestApis", "items")
    per_api = scope.map(lambda api: _stages(scope, api), apis)
    return [stage for api_stages in per_api for stage in api_stages]


def _stages(scope: AwsScope, api: dict[str, Any]) -> list[RestStage]:
    listed = scope.call("apigateway", "GetStages", restApiId=api["id"]).get("item", [])
    return [_stage(scope, api, stage) for stage in listed]


def _stage(scope: AwsScope, api: dict[str, Any], stage: dict[str, Any]) -> RestStage:
    settings = stage.get("methodSettings") or {}
    default = settings.get("*/*") or {}
    access = stage.get("accessLogSettings") or {}
    api_name = api.get("name") or api["id"]
    return RestStage(
        id=f"arn:{scope.partition}:apigateway:{scope.region}::/restapis/{api['id']}/stages/{stage['stageName']}",
        name=f"{api_name}/{stage['stageName']}",
        region=scope.region,
        account=scope.account,
        api_id=api["id"],
        api_name=api_name,
        stage_name=stage["stageName"],
        client_certificate_id=stage.get("clientCertificateId") or None,
        execution_logging_level=default.get("loggingLevel"),
        method_logging_levels={
            path.replace("~1", "/"): value["loggingLevel"]  # "~1orders/GET" -> "/orders/GET"
            for path, value in sorted(settings.items())
            if path != "*/*" and value.get("loggingLevel")
        },
        data_trace_enabled=bool(default.get("dataTraceEnabled")),
        access_log_destination=access.get("destinationArn") or None,
        access_log_format=access.get("format") or None,
        tracing_enabled=bool(stage.get("tracingEnabled")),
        web_acl_arn=stage.get("webAclArn"),
    )


@collector("aws.apigateway.domain_names", regional=True, permissions=["apigateway:GET"])
def domain_names(scope: AwsScope) -> list[DomainName]:
    listed = scope.pages("apigateway", "GetDomainNames", "items")
    return [
        DomainName(
            id=f"arn:{scope.partition}:apigateway:{scope.region}::/domainnames/{item['domainName']}",
            name=item["domainName"],
            region=scope.region,
            account=scope.account,
            security_policy=item.get("securityPolicy"),
            endpoint_types=list((item.get("endpointConfiguration") or {}).get("types") or []),
        )
        for item in listed
    ]
