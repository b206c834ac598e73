"""API Gateway REST API checks through moto's server: execution and access logging on stages,
custom domain TLS policies, client certificates (Stubber: moto keeps no clientCertificateId), and
denied reads."""

from __future__ import annotations

from botocore.stub import Stubber

from tests.checks.aws.test_cloudfront import moto_response, scan_with_clients
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api-access"


def _api(aws, name: str = "orders", stages: tuple[str, ...] = ("prod", "dev")) -> str:
    apigw = aws.client("apigateway")
    api = apigw.create_rest_api(name=name)["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = apigw.create_deployment(restApiId=api)["id"]
    for stage in stages:
        apigw.create_stage(restApiId=api, stageName=stage, deploymentId=deployment)
    return api


def _patch(aws, api: str, stage: str, *operations: tuple[str, str]) -> None:
    aws.client("apigateway").update_stage(
        restApiId=api, stageName=stage, patchOperations=[{"op": "replace", "path": path, "value": value} for path, value in operations]
    )


def test_execution_and_access_logging(aws):
    api = _api(aws, stages=("prod", "dev", "qa"))
    _patch(
        aws,
        api,
        "prod",
        ("/*/*/logging/loglevel", "INFO"),
        ("/accessLogSettings/destinationArn", LOG_GROUP),
        ("/accessLogSettings/format", "$context.requestId"),
    )
    # ERROR for every method, but switched off for one resource's GET.
    _patch(aws, api, "qa", ("/*/*/logging/loglevel", "ERROR"), ("/~1health/GET/logging/loglevel", "OFF"))
    report = aws.scan("aws.apigateway.stage_execution_logging", "aws.apigateway.stage_access_logging")
    assert verdicts(report, "aws.apigateway.stage_execution_logging") == {
        ("orders/prod", "PASS"),
        ("orders/dev", "FAIL"),
        ("orders/qa", "FAIL"),
    }
    assert verdicts(report, "aws.apigateway.stage_access_logging") == {
        ("orders/prod", "PASS"),
        ("orders/dev", "FAIL"),
        ("orders/qa", "FAIL"),
    }
    assert finding(report, "aws.apigateway.stage_execution_logging", "orders/dev").message == "execution logging level (*/*) is OFF"
    assert finding(report, "aws.apigateway.stage_execution_logging", "orders/qa").message == (
        "execution logging is ERROR but turned off for /health/GET"
    )
    prod = finding(report, "aws.apigateway.stage_access_logging", "orders/prod")
    assert prod.evidence == {"destination": LOG_GROUP}
    assert prod.resource_id == f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod"


def test_client_certificate_and_required_stages(aws):
    """Stubber: moto's GetStages never returns clientCertificateId (its UpdateStage ignores the
    path), so moto's own responses are replayed through botocore's Stubber on a real client
    (validated against the service model) with the certificate set on the prod stage."""
    api = _api(aws)
    client = aws.client("apigateway")
    apis = moto_response(client, "get_rest_apis")
    stages = moto_response(client, "get_stages", restApiId=api)
    for stage in stages["item"]:
        if stage["stageName"] == "prod":
            stage["clientCertificateId"] = "4bq2rs"

    def stubbed() -> Stubber:
        stubber = Stubber(client)
        stubber.add_response("get_rest_apis", apis)
        stubber.add_response("get_stages", stages, {"restApiId": api})
        return stubber

    with stubbed() as stubber:
        report = scan_with_clients(aws, ["aws.apigateway.stage_client_certificate"], {("apigateway", "us-east-1"): client})
        stubber.assert_no_pending_responses()
    assert verdicts(report, "aws.apigateway.stage_client_certificate") == {("orders/prod", "PASS"), ("orders/dev", "FAIL")}
    assert finding(report, "aws.apigateway.stage_client_certificate", "orders/prod").message == "clientCertificateId is 4bq2rs"

    with stubbed():
        scoped = scan_with_clients(
            aws,
            ["aws.apigateway.stage_client_certificate"],
            {("apigateway", "us-east-1"): client},
            params={"aws.apigateway.stage_client_certificate": {"required_stages": ["orders/prod"]}},
        )
    assert verdicts(scoped, "aws.apigateway.stage_client_certificate") == {("orders/prod", "PASS"), ("orders/dev", "NOT_APPLICABLE")}

    # Through moto alone: no stage has a certificate.
    plain = aws.scan("aws.apigateway.stage_client_certificate")
    assert verdicts(plain, "aws.apigateway.stage_client_certificate") == {("orders/prod", "FAIL"), ("orders/dev", "FAIL")}


def test_domain_modern_tls(aws):
    apigw = aws.client("apigateway")
    cert = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0e7d4b3a-1111-2222-3333-444455556666"
    for name, policy in (("pass.api.example.com", "TLS_1_2"), ("fail.api.example.com", "TLS_1_0")):
        apigw.create_domain_name(
            domainName=name, regionalCertificateArn=cert, endpointConfiguration={"types": ["REGIONAL"]}, securityPolicy=policy
        )
    report = aws.scan("aws.apigateway.domain_modern_tls")
    assert verdicts(report, "aws.apigateway.domain_modern_tls") == {
        ("pass.api.example.com", "PASS"),
        ("fail.api.example.com", "FAIL"),
    }
    assert finding(report, "aws.apigateway.domain_modern_tls", "fail.api.example.com").evidence == {
        "security_policy": "TLS_1_0",
        "endpoint_types": ["REGIONAL"],
    }


def test_denied_stages_is_error_never_pass(aws):
    """Stubber: moto rejects every signed API Gateway request once IAM is enforced
    (SignatureDoesNotMatch), so the denial comes from botocore's Stubber on a real client: GetRestApis
    is moto's answer, GetStages is AccessDeniedException as AWS sends it (AWS authorises apigateway:GET
    on the stage path, the permission the collector declares)."""
    api = _api(aws)
    client = aws.client("apigateway")
    stubber = Stubber(client)
    stubber.add_response("get_rest_apis", moto_response(client, "get_rest_apis"))
    stubber.add_client_error(
        "get_stages",
        service_error_code="AccessDeniedException",
        service_message=f"User is not authorized to perform: apigateway:GET on resource: arn:aws:apigateway:us-east-1::/restapis/{api}/stages",
        http_status_code=403,
        expected_params={"restApiId": api},
    )
    with stubber:
        report = scan_with_clients(aws, ["aws.apigateway.stage_access_logging"], {("apigateway", "us-east-1"): client})
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.apigateway.stage_access_logging") == {(region, "ERROR")}
    message = finding(report, "aws.apigateway.stage_access_logging", region).message
    assert message.startswith("access denied to apigateway:GET in us-east-1: User is not authorized")
    assert [e.key for e in report.collection_errors] == ["aws.apigateway.stages"]
