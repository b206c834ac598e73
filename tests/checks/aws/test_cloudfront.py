"""CloudFront checks through moto's server (global collection from us-east-1): viewer protocol
policies, viewer TLS, origin protocols, standard logging (legacy S3 and v2 deliveries), and denied
reads."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from scanner.collect.aws._client import AwsApi, AwsCollection
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.models.common import Status
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from tests.conftest import finding, verdicts

ACCOUNT = "123456789012"
CACHE_POLICY = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # the managed CachingOptimized policy
CERT = f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0e7d4b3a-1111-2222-3333-444455556666"


def _custom(origin_id: str, policy: str = "https-only", protocols: tuple[str, ...] = ("TLSv1.2",)) -> dict:
    return {
        "Id": origin_id,
        "DomainName": f"{origin_id}.example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": {"Quantity": len(protocols), "Items": list(protocols)},
        },
    }


def _distribution(
    aws,
    comment: str,
    *,
    viewer: str = "redirect-to-https",
    paths: dict[str, str] | None = None,
    origins: list[dict] | None = None,
    tls: str | None = "TLSv1.2_2021",
    logging_bucket: str | None = None,
) -> str:
    """Create a distribution; `paths` maps extra path patterns to their viewer protocol policy
    (all routed to the first origin). Returns the distribution id."""
    origins = origins or [_custom("app")]
    target = origins[0]["Id"]
    extra = [
        {"PathPattern": path, "TargetOriginId": target, "ViewerProtocolPolicy": policy, "CachePolicyId": CACHE_POLICY}
        for path, policy in (paths or {}).items()
    ]
    certificate = (
        {"ACMCertificateArn": CERT, "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": tls}
        if tls
        else {"CloudFrontDefaultCertificate": True}
    )
    config = {
        "CallerReference": comment,
        "Comment": comment,
        "Enabled": True,
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": {"TargetOriginId": target, "ViewerProtocolPolicy": viewer, "CachePolicyId": CACHE_POLICY},
        "CacheBehaviors": {"Quantity": len(extra), "Items": extra},
        "ViewerCertificate": certificate,
        "Logging": {
            "Enabled": bool(logging_bucket),
            "IncludeCookies": False,
            "Bucket": f"{logging_bucket}.s3.amazonaws.com" if logging_bucket else "",
            "Prefix": "",
        },
    }
    return aws.client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def test_viewer_https_only_every_cache_behaviour(aws):
    ids = {
        "pass-redirect": _distribution(aws, "pass-redirect", paths={"/api/*": "https-only"}),
        "fail-default-allow-all": _distribution(aws, "fail-default-allow-all", viewer="allow-all"),
        "fail-path-allow-all": _distribution(aws, "fail-path-allow-all", paths={"/img/*": "allow-all"}),
    }
    report = aws.scan("aws.cloudfront.viewer_https_only")
    assert verdicts(report, "aws.cloudfront.viewer_https_only") == {
        (ids["pass-redirect"], "PASS"),
        (ids["fail-default-allow-all"], "FAIL"),
        (ids["fail-path-allow-all"], "FAIL"),
    }
    failed = finding(report, "aws.cloudfront.viewer_https_only", ids["fail-path-allow-all"])
    assert failed.message == "cache behaviours allow HTTP: /img/* (allow-all)"
    assert failed.region == "global"


def test_viewer_modern_tls_and_parameter(aws):
    ids = {
        "pass-2021": _distribution(aws, "pass-2021", tls="TLSv1.2_2021"),
        "fail-2019": _distribution(aws, "fail-2019", tls="TLSv1.2_2019"),
        "fail-default-cert": _distribution(aws, "fail-default-cert", tls=None),
    }
    report = aws.scan("aws.cloudfront.viewer_modern_tls")
    assert verdicts(report, "aws.cloudfront.viewer_modern_tls") == {
        (ids["pass-2021"], "PASS"),
        (ids["fail-2019"], "FAIL"),
        (ids["fail-default-cert"], "FAIL"),
    }
    assert "default *.cloudfront.net certificate" in finding(report, "aws.cloudfront.viewer_modern_tls", ids["fail-default-cert"]).message
    relaxed = aws.scan("aws.cloudfront.viewer_modern_tls", params={"aws.cloudfront.viewer_modern_tls": {"min_protocol_version": "TLSv1.2_2018"}})
    assert finding(relaxed, "aws.cloudfront.viewer_modern_tls", ids["fail-2019"]).status == Status.PASS


def test_origin_https(aws):
    s3_origin = {"Id": "bucket", "DomainName": "assets.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}
    ids = {
        "pass-https-and-s3": _distribution(aws, "pass-https-and-s3", origins=[_custom("app"), s3_origin], viewer="https-only"),
        "pass-match-viewer-https": _distribution(aws, "pass-match-viewer-https", origins=[_custom("app", "match-viewer")]),
        "fail-http-only": _distribution(aws, "fail-http-only", origins=[_custom("app", "http-only")]),
        "fail-match-viewer-allow-all": _distribution(
            aws, "fail-match-viewer-allow-all", origins=[_custom("app", "match-viewer")], viewer="allow-all"
        ),
        "fail-tls1-to-origin": _distribution(aws, "fail-tls1-to-origin", origins=[_custom("app", protocols=("TLSv1", "TLSv1.2"))]),
    }
    report = aws.scan("aws.cloudfront.origin_https")
    assert verdicts(report, "aws.cloudfront.origin_https") == {
        (ids["pass-https-and-s3"], "PASS"),
        (ids["pass-match-viewer-https"], "PASS"),
        (ids["fail-http-only"], "FAIL"),
        (ids["fail-match-viewer-allow-all"], "FAIL"),
        (ids["fail-tls1-to-origin"], "FAIL"),
    }
    assert finding(report, "aws.cloudfront.origin_https", ids["fail-http-only"]).message == "app is http-only"
    assert finding(report, "aws.cloudfront.origin_https", ids["fail-tls1-to-origin"]).message == "app allows TLSv1 to the origin"


def test_access_logging_legacy_or_v2_delivery(aws):
    aws.client("s3").create_bucket(Bucket="cf-logs")
    ids = {
        "pass-legacy": _distribution(aws, "pass-legacy", logging_bucket="cf-logs"),
        "pass-v2": _distribution(aws, "pass-v2"),
        "fail-none": _distribution(aws, "fail-none"),
    }
    logs = aws.client("logs")
    logs.put_delivery_source(
        name="cf-access", resourceArn=f"arn:aws:cloudfront::{ACCOUNT}:distribution/{ids['pass-v2']}", logType="ACCESS_LOGS"
    )
    destination = logs.put_delivery_destination(
        name="cf-bucket", deliveryDestinationConfiguration={"destinationResourceArn": "arn:aws:s3:::cf-logs"}
    )["deliveryDestination"]["arn"]
    logs.create_delivery(deliverySourceName="cf-access", deliveryDestinationArn=destination)

    report = aws.scan("aws.cloudfront.access_logging")
    assert verdicts(report, "aws.cloudfront.access_logging") == {
        (ids["pass-legacy"], "PASS"),
        (ids["pass-v2"], "PASS"),
        (ids["fail-none"], "FAIL"),
    }
    assert finding(report, "aws.cloudfront.access_logging", ids["pass-v2"]).evidence["v2_destinations"] == [destination]
    # One GetDistributionConfig per distribution; the v2 deliveries are read once for all of them.
    assert report.metadata.api_calls["cloudfront:GetDistributionConfig"] == 3
    assert report.metadata.api_calls["logs:DescribeDeliveries"] == 1


def scan_with_clients(aws, check_ids: list[str], clients: dict[tuple[str, str], Any], params: dict | None = None) -> Report:
    """The real collectors and engine against moto, with some (service, region) clients pre-built
    (botocore Stubber on a real boto3 client) in the AwsApi client cache; every other client talks
    to moto as usual."""
    checks = select_checks(load_checks(), provider="aws", ids=check_ids)
    pool = WorkPool(4)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=aws.session(), max_attempts=1)
        api._clients.update(clients)
        options = ScanOptions(checks=checks, params=params or {})
        inventory = collect(AwsCollection(api, regions=["us-east-1"]), pool, options)
        return report_for(inventory, options, source="test")
    finally:
        pool.shutdown()


def moto_response(client: Any, operation: str, **params: Any) -> dict:
    """A response from moto, as botocore parsed it, to replay through a Stubber."""
    response = getattr(client, operation)(**params)
    response.pop("ResponseMetadata", None)
    return response


def test_denied_distribution_config_is_error_for_logging_only(aws):
    """Stubber: moto rejects every signed CloudFront request once IAM is enforced (SignatureDoesNotMatch,
    a 403 with an empty error code), so no genuine per-action AccessDenied can be had from it. The
    listing is moto's own response replayed through botocore's Stubber on a real client (validated
    against the service model); GetDistributionConfig answers AccessDenied as AWS does."""
    dist = _distribution(aws, "guarded", logging_bucket="cf-logs")
    client = aws.client("cloudfront")
    listing = moto_response(client, "list_distributions")
    for item in listing["DistributionList"]["Items"]:
        item.setdefault("Staging", False)  # required by the model, omitted by moto
    stubber = Stubber(client)
    stubber.add_response("list_distributions", listing, {})
    stubber.add_client_error(
        "get_distribution_config",
        service_error_code="AccessDenied",
        service_message=f"User is not authorized to perform: cloudfront:GetDistributionConfig on resource: {dist}",
        http_status_code=403,
        expected_params={"Id": dist},
    )
    with stubber:
        report = scan_with_clients(
            aws, ["aws.cloudfront.access_logging", "aws.cloudfront.viewer_https_only"], {("cloudfront", "us-east-1"): client}
        )
    stubber.assert_no_pending_responses()
    denied = finding(report, "aws.cloudfront.access_logging", dist)
    assert denied.status == Status.ERROR
    assert "access denied to cloudfront:GetDistributionConfig in global" in denied.message
    assert verdicts(report, "aws.cloudfront.access_logging") == {(dist, "ERROR")}
    assert verdicts(report, "aws.cloudfront.viewer_https_only") == {(dist, "PASS")}


def test_failed_listing_is_error_never_pass(aws, denied_session):
    """Under IAM enforcement moto answers every CloudFront call with SignatureDoesNotMatch (see
    above): the listing fails, and the checks say ERROR for the account, never PASS."""
    _distribution(aws, "hidden", viewer="allow-all")
    report = aws.scan("aws.cloudfront.viewer_https_only", session=denied_session("cloudfront:ListDistributions"))
    assert verdicts(report, "aws.cloudfront.viewer_https_only") == {(f"account {ACCOUNT}", "ERROR")}
    assert [e.key for e in report.collection_errors] == ["aws.cloudfront.distributions"]
