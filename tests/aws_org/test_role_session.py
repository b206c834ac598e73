"""Member credentials: an assumed role whose session renews itself, over moto's real STS."""

from __future__ import annotations

import time

import pytest

from scanner.collect.aws._accounts import AccountClient, SharedClients
from scanner.collect.aws._client import CallFailed, client_config
from scanner.collect.aws._credentials import MemberRole, RoleSession
from scanner.demo.aws_org import ROLE_NAME, Organization
from scanner.engine.pool import WorkPool
from tests.aws_org.conftest import DENIED


def _sts(aws_org: Organization):
    return aws_org.caller_session().client("sts", endpoint_url=aws_org.endpoint_url)


def _shared(aws_org: Organization) -> SharedClients:
    return SharedClients(region="us-east-1", endpoint_url=aws_org.endpoint_url, config=client_config(WorkPool(1)))


class Member:
    """An account as the shared clients see it: its credentials and where its calls are counted."""

    def __init__(self) -> None:
        self.credentials = None
        self.calls: list[str] = []

    def count(self, operation: str) -> None:
        self.calls.append(operation)


def _member(aws_org: Organization, name: str, **role) -> tuple[Member, RoleSession]:
    member = Member()
    session = RoleSession(_sts(aws_org), MemberRole(ROLE_NAME, **role), "aws", aws_org.accounts[name], member.count)
    member.credentials = session.credentials
    return member, session


def test_a_session_that_expires_is_renewed_before_the_next_call(aws_org: Organization):
    member, session = _member(aws_org, "prod-web", session_seconds=1)
    account = session.account
    s3 = AccountClient(_shared(aws_org).get("s3", "us-east-1"), member)

    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"data-{account}"]
    key_before, renewals_before = session.credentials.get_frozen_credentials().access_key, member.calls.count("sts:AssumeRole")
    assert "s3:ListBuckets" in member.calls  # counted for this account (a slow machine may renew already)

    time.sleep(1.0)  # whatever session signed the call above has now expired
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"data-{account}"]
    assert member.calls.count("sts:AssumeRole") > renewals_before
    assert session.credentials.get_frozen_credentials().access_key != key_before
    assert session.principal == f"arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/trustscan"


def test_a_role_that_cannot_be_assumed_names_the_account_and_the_role(aws_org: Organization):
    account = aws_org.accounts[DENIED]
    with pytest.raises(CallFailed) as raised:
        RoleSession(_sts(aws_org), MemberRole(ROLE_NAME), "aws", account, lambda _: None)
    reason = raised.value.reason
    assert reason.startswith(f"account {account}: cannot assume role arn:aws:iam::{account}:role/{ROLE_NAME} (AccessDenied")
    assert raised.value.code == "AccessDenied"


def test_accounts_share_clients_and_each_request_is_signed_for_its_own_account(aws_org: Organization):
    shared = _shared(aws_org)
    members = {name: _member(aws_org, name)[0] for name in ("prod-web", "payments-api")}
    for name, member in members.items():
        s3 = AccountClient(shared.get("s3", "us-east-1"), member)
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"data-{aws_org.accounts[name]}"]
        pages = AccountClient(shared.get("logs", "eu-west-1"), member).get_paginator("describe_log_groups").paginate()
        assert [g["logGroupName"] for page in pages for g in page["logGroups"]] == [f"/app/{1 if name == 'prod-web' else 2}"]
        assert member.calls[-2:] == ["s3:ListBuckets", "logs:DescribeLogGroups"]
    assert len({id(shared.get("s3", "us-east-1")) for _ in range(3)}) == 1  # one client for both accounts
    with pytest.raises(RuntimeError, match="outside of any account's context"):
        shared.get("s3", "us-east-1").list_buckets()  # never signed with a guess
