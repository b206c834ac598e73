"""Member credentials: an assumed role whose session renews itself, over moto's real STS."""

from __future__ import annotations

import time

import pytest

from scanner.collect.aws._client import CallFailed
from scanner.collect.aws._credentials import MemberRole, RoleSession, SharedBotocore
from scanner.demo.aws_org import ROLE_NAME, Organization
from tests.aws_org.conftest import DENIED


def _sts(aws_org: Organization):
    return aws_org.caller_session().client("sts", endpoint_url=aws_org.endpoint_url)


def test_a_session_that_expires_is_renewed_before_the_next_call(aws_org: Organization):
    calls: list[str] = []
    account = aws_org.accounts["prod-web"]
    session = RoleSession(_sts(aws_org), MemberRole(ROLE_NAME, session_seconds=1), "aws", account, calls.append)
    core = SharedBotocore().session(lambda: session.credentials, "us-east-1")
    s3 = core.create_client("s3", region_name="us-east-1", endpoint_url=aws_org.endpoint_url)

    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"data-{account}"]
    key_before, renewals_before = session.credentials.get_frozen_credentials().access_key, len(calls)
    assert set(calls) == {"sts:AssumeRole"}

    time.sleep(1.0)  # whatever session signed the call above has now expired
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [f"data-{account}"]
    assert len(calls) > renewals_before
    assert session.credentials.get_frozen_credentials().access_key != key_before
    assert session.principal == f"arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/trustscan"


def test_a_role_that_cannot_be_assumed_names_the_account_and_the_role(aws_org: Organization):
    account = aws_org.accounts[DENIED]
    with pytest.raises(CallFailed) as raised:
        RoleSession(_sts(aws_org), MemberRole(ROLE_NAME), "aws", account, lambda _: None)
    reason = raised.value.reason
    assert reason.startswith(f"account {account}: cannot assume role arn:aws:iam::{account}:role/{ROLE_NAME} (AccessDenied")
    assert raised.value.code == "AccessDenied"


def test_member_sessions_share_one_loader_so_models_load_once(aws_org: Organization):
    shared = SharedBotocore()
    sessions = [
        RoleSession(_sts(aws_org), MemberRole(ROLE_NAME), "aws", aws_org.accounts[name], lambda _: None)
        for name in ("prod-web", "payments-api")
    ]
    cores = [shared.session(lambda s=s: s.credentials, "us-east-1") for s in sessions]
    clients = [core.create_client("kms", region_name="us-east-1", endpoint_url=aws_org.endpoint_url) for core in cores]
    assert all(core.get_component("data_loader") is shared.loader for core in cores)
    # Both accounts' clients were built from the one parsed KMS model the shared loader holds.
    descriptions = [client.meta.service_model._service_description for client in clients]
    assert descriptions[0] is descriptions[1]
