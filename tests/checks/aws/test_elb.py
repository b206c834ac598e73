"""Classic ELB checks through moto's server: listeners, SSL negotiation policies, access logs,
Availability Zones, and denied reads."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"

HTTPS = {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP", "InstancePort": 80}
HTTP = {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 80}
SSL = {"Protocol": "SSL", "LoadBalancerPort": 8443, "InstanceProtocol": "TCP", "InstancePort": 8443}


def _elb(aws, name: str, listeners: list[dict], zones=("us-east-1a", "us-east-1b")) -> None:
    cert = f"arn:aws:iam::{ACCOUNT}:server-certificate/{name}"  # (moto's classic ELB does not look it up)
    listeners = [{**listener, "SSLCertificateId": cert} if listener["Protocol"] in ("HTTPS", "SSL") else listener for listener in listeners]
    aws.client("elb").create_load_balancer(LoadBalancerName=name, Listeners=listeners, AvailabilityZones=list(zones))


def _ssl_policy(aws, lb: str, port: int, policy_name: str, attributes: list[dict]) -> None:
    elb = aws.client("elb")
    elb.create_load_balancer_policy(
        LoadBalancerName=lb, PolicyName=policy_name, PolicyTypeName="SSLNegotiationPolicyType", PolicyAttributes=attributes
    )
    elb.set_load_balancer_policies_of_listener(LoadBalancerName=lb, LoadBalancerPort=port, PolicyNames=[policy_name])


def _reference(policy: str) -> list[dict]:
    return [{"AttributeName": "Reference-Security-Policy", "AttributeValue": policy}]


def test_listener_https(aws):
    _elb(aws, "pass-https-ssl", [HTTPS, SSL])
    _elb(aws, "fail-http", [HTTPS, HTTP])
    report = aws.scan("aws.elb.listener_https")
    assert verdicts(report, "aws.elb.listener_https") == {("pass-https-ssl", "PASS"), ("fail-http", "FAIL")}
    assert finding(report, "aws.elb.listener_https", "fail-http").message == "unencrypted listeners: HTTP:80"


def test_listener_modern_tls_policy(aws):
    """A reference policy (moto lists only Reference-Security-Policy) is resolved through the table of
    predefined classic policies; explicit Protocol-* attributes (as AWS lists them) take precedence."""
    _elb(aws, "pass-tls12", [HTTPS])
    _ssl_policy(aws, "pass-tls12", 443, "tls12", _reference("ELBSecurityPolicy-TLS-1-2-2017-01"))
    _elb(aws, "fail-default-2016", [HTTPS])
    _ssl_policy(aws, "fail-default-2016", 443, "legacy", _reference("ELBSecurityPolicy-2016-08"))
    _elb(aws, "fail-custom-tls1", [SSL])
    _ssl_policy(
        aws,
        "fail-custom-tls1",
        8443,
        "custom",
        [
            {"AttributeName": "Protocol-TLSv1", "AttributeValue": "true"},
            {"AttributeName": "Protocol-TLSv1.2", "AttributeValue": "true"},
            {"AttributeName": "Protocol-SSLv3", "AttributeValue": "false"},
        ],
    )
    _elb(aws, "unknown-no-policy", [HTTPS])
    _elb(aws, "plain-only", [HTTP])

    report = aws.scan("aws.elb.listener_modern_tls_policy")
    assert verdicts(report, "aws.elb.listener_modern_tls_policy") == {
        ("pass-tls12", "PASS"),
        ("fail-default-2016", "FAIL"),
        ("fail-custom-tls1", "FAIL"),
        ("unknown-no-policy", "UNKNOWN"),
        ("plain-only", "NOT_APPLICABLE"),
    }
    assert finding(report, "aws.elb.listener_modern_tls_policy", "fail-custom-tls1").message == (
        "security policy below TLSv1.2: SSL:8443 uses custom, which allows TLSv1"
    )
    assert finding(report, "aws.elb.listener_modern_tls_policy", "pass-tls12").evidence["policies"] == {
        "HTTPS:443": "ELBSecurityPolicy-TLS-1-2-2017-01"
    }


def test_access_logging_and_multi_az(aws):
    _elb(aws, "pass-logged-two-azs", [HTTPS])
    _elb(aws, "fail-one-az", [HTTPS], zones=("us-east-1a",))
    aws.client("s3").create_bucket(Bucket="elb-logs")
    aws.client("elb").modify_load_balancer_attributes(
        LoadBalancerName="pass-logged-two-azs",
        LoadBalancerAttributes={"AccessLog": {"Enabled": True, "S3BucketName": "elb-logs", "EmitInterval": 60}},
    )
    report = aws.scan("aws.elb.access_logging", "aws.elb.multi_az")
    assert verdicts(report, "aws.elb.access_logging") == {("pass-logged-two-azs", "PASS"), ("fail-one-az", "FAIL")}
    assert verdicts(report, "aws.elb.multi_az") == {("pass-logged-two-azs", "PASS"), ("fail-one-az", "FAIL")}
    assert finding(report, "aws.elb.access_logging", "pass-logged-two-azs").evidence == {"bucket": "elb-logs"}


def test_denied_policies_are_error_for_the_tls_check_only(aws, denied_session):
    _elb(aws, "guarded", [HTTPS])
    _ssl_policy(aws, "guarded", 443, "tls12", _reference("ELBSecurityPolicy-TLS-1-2-2017-01"))
    session = denied_session("elasticloadbalancing:DescribeLoadBalancerPolicies")
    report = aws.scan("aws.elb.listener_modern_tls_policy", "aws.elb.listener_https", session=session)
    denied = finding(report, "aws.elb.listener_modern_tls_policy", "guarded")
    assert denied.status == Status.ERROR
    assert "access denied to elasticloadbalancing:DescribeLoadBalancerPolicies" in denied.message
    assert verdicts(report, "aws.elb.listener_https") == {("guarded", "PASS")}


def test_denied_listing_is_error_never_pass(aws, denied_session):
    _elb(aws, "hidden", [HTTP])
    report = aws.scan("aws.elb.listener_https", session=denied_session("elasticloadbalancing:DescribeLoadBalancers"))
    assert verdicts(report, "aws.elb.listener_https") == {(f"account {ACCOUNT} in us-east-1", "ERROR")}
