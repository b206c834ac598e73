"""API Gateway v2 (HTTP and WebSocket APIs) checks through moto's server: stage access logging, and
a denied GetStages (Stubber: moto rejects signed API Gateway requests under IAM enforcement)."""

from __future__ import annotations

from botocore.stub import Stubber

from tests.checks.aws.test_cloudfront import moto_response, scan_with_clients
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api-access"


def test_stage_access_logging_http_and_websocket(aws):
    v2 = aws.client("apigatewayv2")
    http = v2.create_api(Name="shop", ProtocolType="HTTP")["ApiId"]
    v2.create_stage(ApiId=http, StageName="$default", AccessLogSettings={"DestinationArn": LOG_GROUP, "Format": "$context.requestId"})
    v2.create_stage(ApiId=http, StageName="staging")
    ws = v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
    v2.create_stage(ApiId=ws, StageName="prod", DefaultRouteSettings={"LoggingLevel": "ERROR"})

    report = aws.scan("aws.apigatewayv2.stage_access_logging")
    assert verdicts(report, "aws.apigatewayv2.stage_access_logging") == {
        ("shop/$default", "PASS"),
        ("shop/staging", "FAIL"),
        ("chat/prod", "FAIL"),
    }
    passed = finding(report, "aws.apigatewayv2.stage_access_logging", "shop/$default")
    assert passed.evidence == {"protocol_type": "HTTP", "destination": LOG_GROUP}
    assert passed.resource_id == f"arn:aws:apigateway:us-east-1::/apis/{http}/stages/$default"
    assert finding(report, "aws.apigatewayv2.stage_access_logging", "chat/prod").evidence["protocol_type"] == "WEBSOCKET"


def test_denied_stages_is_error_never_pass(aws):
    """Stubber: moto rejects every signed API Gateway request once IAM is enforced
    (SignatureDoesNotMatch). GetApis is moto's answer replayed through botocore's Stubber on a real
    client (validated against the service model); GetStages answers AccessDeniedException."""
    v2 = aws.client("apigatewayv2")
    api = v2.create_api(Name="shop", ProtocolType="HTTP")["ApiId"]
    stubber = Stubber(v2)
    stubber.add_response("get_apis", moto_response(v2, "get_apis"))
    stubber.add_client_error(
        "get_stages",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: apigateway:GET",
        http_status_code=403,
        expected_params={"ApiId": api},
    )
    with stubber:
        report = scan_with_clients(aws, ["aws.apigatewayv2.stage_access_logging"], {("apigatewayv2", "us-east-1"): v2})
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.apigatewayv2.stage_access_logging") == {(region, "ERROR")}
    assert "access denied to apigateway:GET in us-east-1" in finding(report, "aws.apigatewayv2.stage_access_logging", region).message
