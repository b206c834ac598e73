"""WAFv2 checks through moto's server: REGIONAL web ACLs per region and CLOUDFRONT web ACLs once
(global, from us-east-1), each web ACL's logging configuration, and denied reads (moto enforces IAM
for WAFv2 with genuine AccessDenied)."""

from __future__ import annotations

from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "acl"}


def _acl(aws, name: str, scope: str = "REGIONAL", region: str = "us-east-1", logged: bool = False) -> str:
    waf = aws.client("wafv2", region)
    arn = waf.create_web_acl(Name=name, Scope=scope, DefaultAction={"Allow": {}}, VisibilityConfig=VISIBILITY)["Summary"]["ARN"]
    if logged:
        destination = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:aws-waf-logs-{name}"
        waf.put_logging_configuration(LoggingConfiguration={"ResourceArn": arn, "LogDestinationConfigs": [destination]})
    return arn


def test_web_acl_logging_regional_and_cloudfront(aws):
    _acl(aws, "pass-regional", logged=True)
    _acl(aws, "fail-regional")
    _acl(aws, "pass-eu", region="eu-west-1", logged=True)
    _acl(aws, "pass-cloudfront", scope="CLOUDFRONT", logged=True)
    _acl(aws, "fail-cloudfront", scope="CLOUDFRONT")
    report = aws.scan("aws.wafv2.web_acl_logging", regions=("us-east-1", "eu-west-1"))
    assert verdicts(report, "aws.wafv2.web_acl_logging") == {
        ("pass-regional", "PASS"),
        ("fail-regional", "FAIL"),
        ("pass-eu", "PASS"),
        ("pass-cloudfront", "PASS"),
        ("fail-cloudfront", "FAIL"),
    }
    cloudfront = finding(report, "aws.wafv2.web_acl_logging", "pass-cloudfront")
    assert cloudfront.region == "global"
    assert cloudfront.evidence == {
        "scope": "CLOUDFRONT",
        "destinations": [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-pass-cloudfront"],
    }
    assert finding(report, "aws.wafv2.web_acl_logging", "pass-eu").region == "eu-west-1"
    # One GetLoggingConfiguration per web ACL, CLOUDFRONT ones read once (not once per region).
    assert report.metadata.api_calls["wafv2:GetLoggingConfiguration"] == 5


def test_denied_logging_configuration_is_error_per_acl(aws, denied_session):
    _acl(aws, "guarded", logged=True)
    report = aws.scan("aws.wafv2.web_acl_logging", session=denied_session("wafv2:GetLoggingConfiguration"))
    assert verdicts(report, "aws.wafv2.web_acl_logging") == {("guarded", "ERROR")}
    assert "access denied to wafv2:GetLoggingConfiguration" in finding(report, "aws.wafv2.web_acl_logging", "guarded").message


def test_denied_listing_is_error_never_pass(aws, denied_session):
    _acl(aws, "hidden")
    report = aws.scan("aws.wafv2.web_acl_logging", session=denied_session("wafv2:ListWebACLs"))
    assert verdicts(report, "aws.wafv2.web_acl_logging") == {
        (f"account {ACCOUNT}", "ERROR"),
        (f"account {ACCOUNT} in us-east-1", "ERROR"),
    }
