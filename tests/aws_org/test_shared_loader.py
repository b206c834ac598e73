"""One botocore loader for the whole run: the caller's clients and the members' shared clients
read and parse each service model once (memory and CPU stay those of one account's models)."""

from __future__ import annotations

from scanner.demo.aws_org import ROLE_NAME, Organization
from scanner.engine.pool import WorkPool
from scanner.providers import aws as aws_provider
from tests.aws_org.conftest import REGIONS


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
