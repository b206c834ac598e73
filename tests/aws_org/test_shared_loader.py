"""One botocore loader for the whole run: the caller's clients and the members' shared clients
read and parse each service model once (memory and CPU stay those of one account's models)."""

from __future__ import annotations

from scanner.demo.aws_org import ROLE_NAME, Organization
from scanner.demo.client_census import client_census
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect
from scanner.providers import aws as aws_provider
from scanner.registry import load_checks, select_checks
from tests.aws_org.conftest import ORG_CHECKS, REGIONS


def test_members_and_caller_share_one_loader(aws_org: Organization):
    pool = WorkPool(2)
    try:
        run = aws_provider.open_collection(pool, endpoint_url=aws_org.endpoint_url, session=aws_org.caller_session(),
                                           accounts=aws_org.accounts["log-archive"], role_name=ROLE_NAME, regions=",".join(REGIONS))
        member = run.member(run.discover()[0])
        caller_loader = run.api.data_loader()
        assert member.api.data_loader() is caller_loader
        loaded = lambda: {key[1] for key in caller_loader._cache if key[0] == "load_service_model"}  # noqa: E731
        assert "sqs" not in loaded()
        member.api.client("sqs", REGIONS[0])  # a member client, built through the run's shared clients
        assert "sqs" in loaded()  # its model was read into the caller's loader
    finally:
        pool.shutdown()


def test_an_organization_scan_builds_clients_per_service_and_region_not_per_account(aws_org: Organization):
    """Counts, not times: over the whole organization (every member plus the caller's account), each
    (service, region) gets at most two clients (the caller's, and the one every member shares),
    each service model file is parsed once, through one loader. Per-account clients would be 2 x 7
    per (service, region) here, and for 50 accounts x 17 regions tens of thousands of models."""
    checks = select_checks(load_checks(), provider="aws", ids=list(ORG_CHECKS))
    pool = WorkPool(4)
    try:
        with client_census() as census:
            run = aws_provider.open_collection(pool, endpoint_url=aws_org.endpoint_url, session=aws_org.caller_session(),
                                               org=True, role_name=ROLE_NAME, regions=",".join(REGIONS))
            snapshot = collect(run, pool, ScanOptions(checks=checks))
    finally:
        pool.shutdown()
    collected = [s for s in snapshot.members() if not any(c.state.value == "failed" for c in s.coverage)]
    assert len(collected) >= 5  # the management account and the members whose role could be assumed
    assert max(census.clients.values()) <= 2, census.clients
    regional = {"ec2", "kms", "logs"}
    assert set(census.clients) == {(s, r) for s in regional for r in REGIONS} | {
        ("iam", "us-east-1"), ("s3", "us-east-1"), ("sts", "us-east-1"), ("organizations", "us-east-1")}
    assert census.service_models_built == census.clients_created  # one per client, none per account
    assert census.model_files_parsed() == dict.fromkeys(regional | {"iam", "s3", "sts", "organizations"}, 1)
    assert len(census.loaders) == 1
