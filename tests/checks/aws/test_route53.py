"""Route 53 checks through moto's server (global): query logging on public hosted zones (private
zones out of scope), and a denied ListQueryLoggingConfigs (Stubber: moto rejects signed Route 53
requests under IAM enforcement)."""

from __future__ import annotations

from botocore.stub import Stubber

from tests.checks.aws.test_cloudfront import moto_response, scan_with_clients
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"


def _zones(aws) -> dict[str, str]:
    route53 = aws.client("route53")
    vpc = aws.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ids = {
        name: route53.create_hosted_zone(Name=name, CallerReference=name)["HostedZone"]["Id"]
        for name in ("pass.example.com", "fail.example.com")
    }
    route53.create_hosted_zone(
        Name="private.internal",
        CallerReference="private",
        VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
        HostedZoneConfig={"PrivateZone": True},
    )
    return ids


def test_public_zone_query_logging(aws):
    ids = _zones(aws)
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/route53/pass.example.com")
    log_group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/route53/pass.example.com:*"
    aws.client("route53").create_query_logging_config(HostedZoneId=ids["pass.example.com"], CloudWatchLogsLogGroupArn=log_group)

    report = aws.scan("aws.route53.public_zone_query_logging")
    assert verdicts(report, "aws.route53.public_zone_query_logging") == {
        ("pass.example.com.", "PASS"),
        ("fail.example.com.", "FAIL"),
    }
    passed = finding(report, "aws.route53.public_zone_query_logging", "pass.example.com.")
    assert passed.evidence == {"log_group": log_group}
    assert passed.region == "global"
    assert passed.resource_id == f"arn:aws:route53:::hostedzone/{ids['pass.example.com'].rsplit('/', 1)[-1]}"


def test_denied_query_logging_configs_is_error_per_zone(aws):
    """Stubber: moto rejects every signed Route 53 request once IAM is enforced (SignatureDoesNotMatch).
    ListHostedZones is moto's answer replayed through botocore's Stubber on a real client (validated
    against the service model); ListQueryLoggingConfigs answers AccessDenied."""
    _zones(aws)
    route53 = aws.client("route53")
    stubber = Stubber(route53)
    zones = moto_response(route53, "list_hosted_zones")
    zones.setdefault("Marker", "")  # required by the model, omitted by moto
    stubber.add_response("list_hosted_zones", zones)
    stubber.add_client_error(
        "list_query_logging_configs",
        service_error_code="AccessDenied",
        service_message="User is not authorized to perform: route53:ListQueryLoggingConfigs",
        http_status_code=403,
    )
    with stubber:
        report = scan_with_clients(aws, ["aws.route53.public_zone_query_logging"], {("route53", "us-east-1"): route53})
    assert verdicts(report, "aws.route53.public_zone_query_logging") == {
        ("pass.example.com.", "ERROR"),
        ("fail.example.com.", "ERROR"),
    }
    assert "access denied to route53:ListQueryLoggingConfigs in global" in (
        finding(report, "aws.route53.public_zone_query_logging", "fail.example.com.").message
    )
