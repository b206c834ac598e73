"""ELBv2 (ALB/NLB/GWLB) checks through moto's server: listeners, TLS policies resolved through
DescribeSSLPolicies, the shared DescribeLoadBalancerAttributes facet, Availability Zones, and
denied reads."""

from __future__ import annotations

from scanner.models.common import Status
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
REGION_SCOPE = f"account {ACCOUNT} in us-east-1"


def _network(aws, zones=("us-east-1a", "us-east-1b")) -> tuple[str, dict[str, str]]:
    ec2 = aws.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        zone: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for i, zone in enumerate(zones)
    }
    return vpc, subnets


def _lb(aws, name: str, subnets: list[str], kind: str = "application") -> str:
    return aws.client("elbv2").create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]


def _certificate(aws) -> str:
    # (an IAM server certificate: moto checks that listener certificates exist, and issuing one
    # through ACM costs a key generation)
    iam = aws.client("iam")
    return iam.upload_server_certificate(ServerCertificateName="shop", CertificateBody="-", PrivateKey="-")[
        "ServerCertificateMetadata"
    ]["Arn"]


def _forward(aws, vpc: str, protocol: str = "HTTP") -> list[dict]:
    tg = aws.client("elbv2").create_target_group(Name=f"tg-{protocol.lower()}", Protocol=protocol, Port=80, VpcId=vpc)
    return [{"Type": "forward", "TargetGroupArn": tg["TargetGroups"][0]["TargetGroupArn"]}]


REDIRECT = [{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]


def _listener(aws, lb: str, protocol: str, port: int, actions: list[dict], policy: str | None = None, cert: str | None = None):
    extra = {}
    if policy:
        extra["SslPolicy"] = policy
    if cert:
        extra["Certificates"] = [{"CertificateArn": cert}]
    aws.client("elbv2").create_listener(LoadBalancerArn=lb, Protocol=protocol, Port=port, DefaultActions=actions, **extra)


def test_listener_https_redirect_nlb_and_gateway(aws):
    vpc, subnets = _network(aws)
    cert = _certificate(aws)
    forward, tcp_forward = _forward(aws, vpc), _forward(aws, vpc, "TCP")
    both = list(subnets.values())

    redirecting = _lb(aws, "pass-redirect", both)
    _listener(aws, redirecting, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-2021-06", cert)
    _listener(aws, redirecting, "HTTP", 80, REDIRECT)
    plain = _lb(aws, "fail-http", both)
    _listener(aws, plain, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-2021-06", cert)
    _listener(aws, plain, "HTTP", 8080, forward)
    tls_nlb = _lb(aws, "pass-tls-nlb", both, "network")
    _listener(aws, tls_nlb, "TLS", 443, tcp_forward, "ELBSecurityPolicy-TLS13-1-2-2021-06", cert)
    tcp_nlb = _lb(aws, "fail-tcp-nlb", both, "network")
    _listener(aws, tcp_nlb, "TCP", 5432, tcp_forward)
    _lb(aws, "gateway", both, "gateway")

    report = aws.scan("aws.elbv2.listener_https")
    assert verdicts(report, "aws.elbv2.listener_https") == {
        ("pass-redirect", "PASS"),
        ("fail-http", "FAIL"),
        ("pass-tls-nlb", "PASS"),
        ("fail-tcp-nlb", "FAIL"),
        ("gateway", "NOT_APPLICABLE"),
    }
    assert "HTTP:80 only redirects to HTTPS" in finding(report, "aws.elbv2.listener_https", "pass-redirect").message
    failed = finding(report, "aws.elbv2.listener_https", "fail-http")
    assert failed.message == "unencrypted listeners: HTTP:8080 (default action forward)"
    assert failed.evidence["unencrypted"] == ["HTTP:8080 (default action forward)"]

    relaxed = aws.scan("aws.elbv2.listener_https", params={"aws.elbv2.listener_https": {"allow_nlb_tcp": True}})
    assert finding(relaxed, "aws.elbv2.listener_https", "fail-tcp-nlb").status == Status.PASS
    assert finding(relaxed, "aws.elbv2.listener_https", "fail-http").status == Status.FAIL


def test_listener_modern_tls_policy_from_describe_ssl_policies(aws):
    vpc, subnets = _network(aws)
    cert = _certificate(aws)
    forward = _forward(aws, vpc)
    both = list(subnets.values())
    modern = _lb(aws, "pass-tls13", both)
    _listener(aws, modern, "HTTPS", 443, forward, "ELBSecurityPolicy-TLS13-1-2-2021-06", cert)
    _listener(aws, modern, "HTTP", 80, REDIRECT)  # plain listeners have no policy to judge
    legacy = _lb(aws, "fail-2016-08", both)
    _listener(aws, legacy, "HTTPS", 443, forward, "ELBSecurityPolicy-2016-08", cert)
    _lb(aws, "no-tls-listeners", both)

    report = aws.scan("aws.elbv2.listener_modern_tls_policy")
    assert verdicts(report, "aws.elbv2.listener_modern_tls_policy") == {
        ("pass-tls13", "PASS"),
        ("fail-2016-08", "FAIL"),
        ("no-tls-listeners", "NOT_APPLICABLE"),
    }
    failed = finding(report, "aws.elbv2.listener_modern_tls_policy", "fail-2016-08")
    assert failed.message == "security policy below TLSv1.2: HTTPS:443 uses ELBSecurityPolicy-2016-08, which allows TLSv1"
    # DescribeSSLPolicies is read once for the region, whoever uses it.
    assert report.metadata.api_calls["elbv2:DescribeSSLPolicies"] == 1

    pinned = aws.scan(
        "aws.elbv2.listener_modern_tls_policy",
        params={"aws.elbv2.listener_modern_tls_policy": {"allowed_policies": "ELBSecurityPolicy-TLS13-1-3-2021-06"}},
    )
    assert verdicts(pinned, "aws.elbv2.listener_modern_tls_policy") == {
        ("pass-tls13", "FAIL"),
        ("fail-2016-08", "FAIL"),
        ("no-tls-listeners", "NOT_APPLICABLE"),
    }
    assert "not in allowed_policies" in finding(pinned, "aws.elbv2.listener_modern_tls_policy", "pass-tls13").message


def test_access_logs_and_deletion_protection_share_one_attributes_call(aws):
    _, subnets = _network(aws)
    both = list(subnets.values())
    good = _lb(aws, "pass-logged-protected", both)
    _lb(aws, "fail-defaults", both, "network")
    aws.client("s3").create_bucket(Bucket="lb-logs")
    aws.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=good,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": "lb-logs"},
            {"Key": "deletion_protection.enabled", "Value": "true"},
        ],
    )
    _lb(aws, "gateway", both, "gateway")

    report = aws.scan("aws.elbv2.access_logging", "aws.elbv2.deletion_protection")
    assert verdicts(report, "aws.elbv2.access_logging") == {
        ("pass-logged-protected", "PASS"),
        ("fail-defaults", "FAIL"),
        ("gateway", "NOT_APPLICABLE"),
    }
    assert verdicts(report, "aws.elbv2.deletion_protection") == {
        ("pass-logged-protected", "PASS"),
        ("fail-defaults", "FAIL"),
        ("gateway", "FAIL"),
    }
    assert finding(report, "aws.elbv2.access_logging", "pass-logged-protected").evidence == {"bucket": "lb-logs"}
    assert report.metadata.api_calls["elbv2:DescribeLoadBalancerAttributes"] == 3


def test_multi_az_and_parameter(aws):
    _, subnets = _network(aws, zones=("us-east-1a", "us-east-1b", "us-east-1c"))
    _lb(aws, "pass-three-azs", list(subnets.values()))
    _lb(aws, "fail-one-az", [subnets["us-east-1a"]], "network")
    report = aws.scan("aws.elbv2.multi_az")
    assert verdicts(report, "aws.elbv2.multi_az") == {("pass-three-azs", "PASS"), ("fail-one-az", "FAIL")}
    assert finding(report, "aws.elbv2.multi_az", "fail-one-az").message == (
        "1 Availability Zone(s) (us-east-1a), at least 2 required"
    )
    strict = aws.scan("aws.elbv2.multi_az", params={"aws.elbv2.multi_az": {"min_azs": 4}})
    assert verdicts(strict, "aws.elbv2.multi_az") == {("pass-three-azs", "FAIL"), ("fail-one-az", "FAIL")}


def test_denied_attributes_are_error_for_those_checks_only(aws, denied_session):
    _, subnets = _network(aws)
    _lb(aws, "guarded", list(subnets.values()))
    session = denied_session("elasticloadbalancing:DescribeLoadBalancerAttributes")
    report = aws.scan("aws.elbv2.access_logging", "aws.elbv2.deletion_protection", "aws.elbv2.multi_az", session=session)
    for check_id in ("aws.elbv2.access_logging", "aws.elbv2.deletion_protection"):
        assert verdicts(report, check_id) == {("guarded", "ERROR")}, check_id
        assert "access denied to elasticloadbalancing:DescribeLoadBalancerAttributes" in finding(report, check_id, "guarded").message
    assert verdicts(report, "aws.elbv2.multi_az") == {("guarded", "PASS")}


def test_denied_listing_is_error_never_pass(aws, denied_session):
    _, subnets = _network(aws)
    _lb(aws, "hidden", list(subnets.values()))
    report = aws.scan("aws.elbv2.multi_az", session=denied_session("elasticloadbalancing:DescribeLoadBalancers"))
    assert verdicts(report, "aws.elbv2.multi_az") == {(REGION_SCOPE, "ERROR")}
    assert [e.key for e in report.collection_errors] == ["aws.elbv2.load_balancers"]
