"""Which accounts an AWS scan covers: the organization, its OUs (nested), --accounts, exclusions;
and the one-line errors for a selection that cannot be resolved. Through moto's Organizations API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scanner.demo.aws_org import MANAGEMENT_ACCOUNT, ROLE_NAME, Organization
from scanner.engine.pool import WorkPool
from scanner.errors import ConfigurationError
from scanner.providers import aws as aws_provider


@pytest.fixture
def pool() -> Iterator[WorkPool]:
    pool = WorkPool(4)
    yield pool
    pool.shutdown()


def discover(aws_org: Organization, pool: WorkPool, credentials: dict | None = None, **options) -> list[tuple[str, str | None]]:
    session = aws_org.session(**(credentials or aws_org.caller))
    run = aws_provider.open_collection(pool, endpoint_url=aws_org.endpoint_url, session=session, regions="us-east-1", **options)
    return [(scope.id, scope.name) for scope in run.discover()]


def named(aws_org: Organization, *names: str) -> list[tuple[str, str]]:
    ids = {**aws_org.accounts, "master": MANAGEMENT_ACCOUNT}
    return sorted((ids[name], name) for name in names)


def test_org_is_every_active_account_sorted_by_id(aws_org, pool):
    scopes = discover(aws_org, pool, org=True, role_name=ROLE_NAME)
    active = ("master", "prod-web", "payments-api", "payments-db", "sandbox-alice", "sandbox-bob", "log-archive")
    assert scopes == named(aws_org, *active)  # "retired" is SUSPENDED


def test_an_ou_includes_its_nested_ous(aws_org, pool):
    scopes = discover(aws_org, pool, org=True, role_name=ROLE_NAME, ous=aws_org.ous["Production"])
    assert scopes == named(aws_org, "prod-web", "payments-api", "payments-db")


def test_ous_and_accounts_add_up_and_exclusions_apply_last(aws_org, pool):
    scopes = discover(
        aws_org,
        pool,
        org=True,
        role_name=ROLE_NAME,
        ous=f"{aws_org.ous['Sandbox']},{aws_org.ous['Production/Payments']}",
        accounts=aws_org.accounts["log-archive"],
        exclude_accounts=f"{aws_org.accounts['payments-db']},{aws_org.accounts['sandbox-bob']}",
    )
    assert scopes == named(aws_org, "sandbox-alice", "payments-api", "log-archive")


def test_accounts_without_org_are_scanned_as_listed_without_reading_organizations(aws_org, pool):
    wanted = [aws_org.accounts["prod-web"], MANAGEMENT_ACCOUNT]
    session = aws_org.session(**aws_org.caller)
    run = aws_provider.open_collection(
        pool,
        endpoint_url=aws_org.endpoint_url,
        session=session,
        regions="us-east-1",
        accounts=",".join(wanted),
        role_name=ROLE_NAME,
    )
    assert [(s.id, s.name) for s in run.discover()] == [(a, None) for a in sorted(wanted)]
    assert run.organization is None
    assert not [call for call in run.api_calls() if call.startswith("organizations:")]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"org": True, "role_name": ROLE_NAME, "ous": "ou-zzzz-zzzzzzzz"},
            "--ous: ou-zzzz-zzzzzzzz is not an organizational unit of organization o-",
        ),
        (
            {"org": True, "role_name": ROLE_NAME, "accounts": "999999999999"},
            "--accounts: 999999999999 is not an account of organization o-",
        ),
        (
            {"org": True, "role_name": ROLE_NAME, "exclude_accounts": "999999999999"},
            "--exclude-accounts: 999999999999 is not an account",
        ),
        (
            {"accounts": "111111111111", "role_name": ROLE_NAME, "exclude_accounts": "222222222222"},
            "--exclude-accounts names 222222222222",
        ),
    ],
)
def test_a_selection_that_names_what_is_not_there_is_refused(aws_org, pool, options, message):
    with pytest.raises(ConfigurationError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        discover(aws_org, pool, **options)


def test_a_suspended_account_named_explicitly_is_refused(aws_org, pool):
    retired = aws_org.accounts["retired"]
    with pytest.raises(ConfigurationError, match=f"--accounts: account {retired} is SUSPENDED, not ACTIVE"):
        discover(aws_org, pool, org=True, role_name=ROLE_NAME, accounts=retired)


def test_a_member_account_cannot_list_the_organization(aws_org, pool):
    with pytest.raises(ConfigurationError) as refused:
        discover(aws_org, pool, credentials=aws_org.outsider, org=True, role_name=ROLE_NAME)
    alice = aws_org.accounts["sandbox-alice"]
    assert str(refused.value).startswith(
        f"--org: account {alice} is neither the management account ({MANAGEMENT_ACCOUNT}) of organization {aws_org.id} "
        "nor a delegated administrator for AWS Organizations"
    )
