"""IAM Access Analyzer per region.

moto has no Access Analyzer: every test uses botocore's Stubber on real accessanalyzer clients
(responses and errors validated against the service model), placed in the AwsApi client cache
before the collectors run (the collectors build their clients through that cache). Identity and
regions still come from moto's server.
"""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CHECK = "aws.accessanalyzer.analyzer_active"


def _analyzer(name: str, region: str, type_: str = "ACCOUNT", status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "arn": f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer/{name}",
        "name": name,
        "type": type_,
        "createdAt": "2026-01-01T00:00:00Z",
        "status": status,
    }


def _scan(aws, answers: dict[str, Any]) -> tuple[Report, list[Stubber]]:
    """Scan with one stubbed accessanalyzer client per region: a list of analyzers, or an error code."""
    clients, stubbers = {}, []
    for region, answer in answers.items():
        client = aws.client("accessanalyzer", region)
        stubber = Stubber(client)
        if isinstance(answer, str):
            stubber.add_client_error("list_analyzers", service_error_code=answer, service_message="User is not authorized", http_status_code=403)
        else:
            stubber.add_response("list_analyzers", {"analyzers": answer}, {})
        stubber.activate()
        clients[("accessanalyzer", region)] = client
        stubbers.append(stubber)
    checks = select_checks(load_checks(), provider="aws", ids=[CHECK])
    pool = WorkPool(8)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=aws.session(), max_attempts=2)
        api._clients.update(clients)
        options = ScanOptions(checks=checks)
        report = report_for(collect(AwsCollection(api, regions=list(answers)), pool, options), options, source="test")
    finally:
        pool.shutdown()
    return report, stubbers


def test_analyzer_active_per_region(aws):
    report, stubbers = _scan(
        aws,
        {
            "us-east-1": [_analyzer("account", "us-east-1")],
            "eu-west-1": [],
            "eu-central-1": [_analyzer("unused", "eu-central-1", type_="ACCOUNT_UNUSED_ACCESS"), _analyzer("broken", "eu-central-1", status="FAILED")],
            "ap-southeast-2": [_analyzer("org", "ap-southeast-2", type_="ORGANIZATION")],
        },
    )
    for stubber in stubbers:
        stubber.assert_no_pending_responses()
    assert verdicts(report, "aws.accessanalyzer.analyzer_active") == {
        ("IAM Access Analyzer (us-east-1)", "PASS"),
        ("IAM Access Analyzer (ap-southeast-2)", "PASS"),
        ("IAM Access Analyzer (eu-west-1)", "FAIL"),
        ("IAM Access Analyzer (eu-central-1)", "FAIL"),
    }
    assert finding(report, CHECK, "IAM Access Analyzer (eu-west-1)").message == "no analyzer in this region"
    assert finding(report, CHECK, "IAM Access Analyzer (eu-central-1)").message == (
        "no ACTIVE ACCOUNT/ORGANIZATION analyzer (unused: ACCOUNT_UNUSED_ACCESS ACTIVE, broken: ACCOUNT FAILED)"
    )
    assert finding(report, CHECK, "IAM Access Analyzer (us-east-1)").resource_id == f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzers"


def test_denied_region_is_error_never_pass(aws):
    report, _ = _scan(aws, {"us-east-1": "AccessDeniedException", "eu-west-1": [_analyzer("account", "eu-west-1")]})
    region = f"account {ACCOUNT} in us-east-1"
    assert verdicts(report, "aws.accessanalyzer.analyzer_active") == {(region, "ERROR"), ("IAM Access Analyzer (eu-west-1)", "PASS")}
    assert "access denied to access-analyzer:ListAnalyzers in us-east-1" in finding(report, CHECK, region).message
