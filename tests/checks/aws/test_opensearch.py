"""OpenSearch checks through moto's server: encryption at rest, node-to-node, HTTPS/TLS policy,
audit/slow/error log publishing, zone awareness, DescribeDomains batching, and a denied
DescribeDomains (Stubber: moto rejects signed OpenSearch requests under IAM enforcement)."""

from __future__ import annotations

from botocore.stub import Stubber

from tests.checks.aws.test_cloudfront import moto_response, scan_with_clients
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
LOG_GROUP = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/opensearch/domains"
SECURE = {
    "EncryptionAtRestOptions": {"Enabled": True},
    "NodeToNodeEncryptionOptions": {"Enabled": True},
    "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
}


def _domain(aws, name: str, **settings) -> None:
    aws.client("opensearch").create_domain(DomainName=name, **settings)


def _logs(*log_types: str) -> dict:
    return {"LogPublishingOptions": {t: {"CloudWatchLogsLogGroupArn": LOG_GROUP, "Enabled": True} for t in log_types}}


def test_encryption_and_https(aws):
    _domain(aws, "pass-secure", **SECURE)
    _domain(aws, "fail-defaults")
    _domain(
        aws,
        "fail-tls10",
        EncryptionAtRestOptions={"Enabled": True},
        NodeToNodeEncryptionOptions={"Enabled": True},
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
    )
    checks = ("aws.opensearch.encrypted_at_rest", "aws.opensearch.node_to_node_encryption", "aws.opensearch.https_required")
    report = aws.scan(*checks)
    assert verdicts(report, "aws.opensearch.encrypted_at_rest") == {("pass-secure", "PASS"), ("fail-defaults", "FAIL"), ("fail-tls10", "PASS")}
    assert verdicts(report, "aws.opensearch.node_to_node_encryption") == {
        ("pass-secure", "PASS"),
        ("fail-defaults", "FAIL"),
        ("fail-tls10", "PASS"),
    }
    assert verdicts(report, "aws.opensearch.https_required") == {("pass-secure", "PASS"), ("fail-defaults", "FAIL"), ("fail-tls10", "FAIL")}
    assert finding(report, "aws.opensearch.https_required", "fail-tls10").message == (
        "EnforceHTTPS is true but TLSSecurityPolicy Policy-Min-TLS-1-0-2019-07 allows TLSv1.0"
    )
    assert finding(report, "aws.opensearch.https_required", "fail-defaults").message == "DomainEndpointOptions.EnforceHTTPS is false"
    assert finding(report, "aws.opensearch.encrypted_at_rest", "pass-secure").resource_id == f"arn:aws:es:us-east-1:{ACCOUNT}:domain/pass-secure"


def test_audit_slow_and_error_logs(aws):
    fgac = {"AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": True, "MasterUserOptions": {"MasterUserName": "admin", "MasterUserPassword": "Adm1n-Passw0rd!"}}}
    _domain(aws, "pass-all-logs", **fgac, **_logs("AUDIT_LOGS", "SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS", "ES_APPLICATION_LOGS"))
    _domain(aws, "fail-search-slow-only", **_logs("SEARCH_SLOW_LOGS"))
    checks = ("aws.opensearch.audit_logging", "aws.opensearch.slow_logging", "aws.opensearch.application_logging")
    report = aws.scan(*checks)
    assert verdicts(report, "aws.opensearch.audit_logging") == {("pass-all-logs", "PASS"), ("fail-search-slow-only", "FAIL")}
    assert verdicts(report, "aws.opensearch.slow_logging") == {("pass-all-logs", "PASS"), ("fail-search-slow-only", "FAIL")}
    assert verdicts(report, "aws.opensearch.application_logging") == {("pass-all-logs", "PASS"), ("fail-search-slow-only", "FAIL")}
    assert finding(report, "aws.opensearch.slow_logging", "fail-search-slow-only").message == "not published: INDEX_SLOW_LOGS"
    assert "fine-grained access control" in finding(report, "aws.opensearch.audit_logging", "fail-search-slow-only").message

    search_only = aws.scan("aws.opensearch.slow_logging", params={"aws.opensearch.slow_logging": {"log_types": "SEARCH_SLOW_LOGS"}})
    assert verdicts(search_only, "aws.opensearch.slow_logging") == {("pass-all-logs", "PASS"), ("fail-search-slow-only", "PASS")}


def test_zone_awareness_across_describe_batches(aws):
    """Six domains: DescribeDomains takes five names at a time, so two calls."""
    _domain(aws, "pass-three-azs", ClusterConfig={"InstanceCount": 3, "ZoneAwarenessEnabled": True, "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3}})
    _domain(aws, "pass-two-azs", ClusterConfig={"InstanceCount": 2, "ZoneAwarenessEnabled": True})
    for name in ("fail-a", "fail-b", "fail-c", "fail-d"):
        _domain(aws, name)
    report = aws.scan("aws.opensearch.zone_awareness")
    assert verdicts(report, "aws.opensearch.zone_awareness") == {
        ("pass-three-azs", "PASS"),
        ("pass-two-azs", "PASS"),
        ("fail-a", "FAIL"),
        ("fail-b", "FAIL"),
        ("fail-c", "FAIL"),
        ("fail-d", "FAIL"),
    }
    assert report.metadata.api_calls["opensearch:DescribeDomains"] == 2
    assert finding(report, "aws.opensearch.zone_awareness", "pass-three-azs").message == "ZoneAwarenessEnabled is true (3 Availability Zones)"


def test_denied_describe_is_error_never_pass(aws):
    """Stubber: moto rejects every signed OpenSearch request once IAM is enforced
    (SignatureDoesNotMatch). ListDomainNames is moto's answer replayed through botocore's Stubber on a
    real client (validated against the service model); DescribeDomains answers AccessDeniedException."""
    _domain(aws, "hidden")
    client = aws.client("opensearch")
    stubber = Stubber(client)
    stubber.add_response("list_domain_names", moto_response(client, "list_domain_names"))
    stubber.add_client_error(
        "describe_domains",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized to perform: es:DescribeDomains",
        http_status_code=403,
        expected_params={"DomainNames": ["hidden"]},
    )
    with stubber:
        report = scan_with_clients(aws, ["aws.opensearch.encrypted_at_rest"], {("opensearch", "us-east-1"): client})
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.opensearch.encrypted_at_rest") == {(region, "ERROR")}
    assert "access denied to es:DescribeDomains" in finding(report, "aws.opensearch.encrypted_at_rest", region).message
