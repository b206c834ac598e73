"""AWS: standard credential chain, every enabled region, moto for the demo."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

NAME = "aws"
SCAN_HELP = "Scan AWS with the standard credential chain (env, profile, SSO, instance role)."
OPTIONS = [
    click.option("--profile", help="AWS named profile (default: the standard credential chain)."),
    click.option("--regions", metavar="R1,R2|all", help="Regions to scan (default: every enabled region of each account)."),
    click.option("--endpoint-url", help="Send every API call here (moto server, LocalStack)."),
    click.option(
        "--org",
        is_flag=True,
        help="Scan every ACTIVE account of the AWS Organization (run from the management account or a delegated administrator).",
    ),
    click.option("--ous", metavar="OU,...", help="With --org: only the accounts under these OUs (nested OUs included)."),
    click.option(
        "--accounts",
        metavar="ID,...",
        help="Scan these accounts (with --org: added to --ous; without --org: through --role-name, "
        "no Organizations access needed).",
    ),
    click.option("--exclude-accounts", metavar="ID,...", help="Leave these accounts out."),
    click.option("--role-name", metavar="ROLE", help="The read-only role assumed in each member account (path/ROLE allowed)."),
    click.option("--external-id", metavar="ID", help="External id the member role's trust policy requires."),
]


def open_collection(
    pool: Any,
    *,
    profile: str | None = None,
    regions: str | None = None,
    endpoint_url: str | None = None,
    session: Any = None,
    org: bool = False,
    ous: str | None = None,
    accounts: str | None = None,
    exclude_accounts: str | None = None,
    role_name: str | None = None,
    external_id: str | None = None,
    session_seconds: int | None = None,
) -> Any:
    """The AWS run: the caller, the accounts in scope (`discover()`), one collection per account
    (`member(scope)`). Bad options are refused here, before any API call."""
    from scanner.collect.aws._client import AwsApi
    from scanner.collect.aws._organization import AwsRun, AwsSelection
    from scanner.collect.aws._regions import resolve_regions

    selection = AwsSelection.parse(
        org=org,
        ous=ous,
        accounts=accounts,
        exclude_accounts=exclude_accounts,
        role_name=role_name,
        external_id=external_id,
        regions=regions,
        session_seconds=session_seconds,
    )
    api = AwsApi(pool, profile=profile, endpoint_url=endpoint_url, session=session)
    run = AwsRun(pool, api, selection, profile=profile)
    # The regions are checked here, before anything is collected: a mistyped region, or one the
    # caller's account has not enabled, stops the run (exit 2); when DescribeRegions is denied, the
    # regions given are scanned with a warning.
    _, warning = resolve_regions(run.api, run.partition, list(selection.regions or ()) or None, run.region)
    if warning:
        click.echo(f"trustscan: warning: {warning}", err=True)
    return run


@contextmanager
def demo() -> Iterator[dict[str, Any]]:
    from scanner.demo.aws import NOT_EMULATED, demo_account

    with demo_account() as account:
        yield {
            "regions": ",".join(account.regions),
            "endpoint_url": account.endpoint_url,
            "session": account.session,
            "not_emulated": NOT_EMULATED,
        }


PERMISSIONS_OPTIONS = [
    click.option("--org", "org", is_flag=True, help="aws: the caller's policy and the member role's (policy and trust policy)."),
    click.option("--role-name", "role_name", metavar="ROLE", help="aws --org: the member role's name (default: TrustscanAudit)."),
    click.option(
        "--trusted-principal",
        "trusted_principal",
        metavar="ARN",
        help="aws --org: who may assume the member role (default: the management account's root, as a placeholder).",
    ),
    click.option("--external-id", "external_id", metavar="ID", help="aws --org: require this external id in the trust policy."),
]
DEFAULT_ROLE_NAME = "TrustscanAudit"


def permissions(
    checks: list[Any],
    *,
    org: bool = False,
    role_name: str | None = None,
    trusted_principal: str | None = None,
    external_id: str | None = None,
) -> str:
    """The IAM policy the selected checks need; with `org`, the caller's policy and the member
    role's permissions and trust policies as one JSON document."""
    from scanner.catalogue import required_permissions
    from scanner.collect.aws._organization import caller_policy, member_trust_policy
    from scanner.errors import ConfigurationError

    actions = sorted(set(required_permissions(checks)) | {"sts:GetCallerIdentity", "ec2:DescribeRegions"})
    read_only = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "TrustscanReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    if not org:
        if role_name or trusted_principal or external_id:
            raise ConfigurationError("--role-name, --trusted-principal and --external-id describe the member role: add --org")
        return json.dumps(read_only, indent=2)
    role = role_name or DEFAULT_ROLE_NAME
    document = {
        "callerPolicy": caller_policy(role, read_only),
        "memberRole": {
            "roleName": role,
            "permissionsPolicy": read_only,
            "trustPolicy": member_trust_policy(trusted_principal, external_id),
        },
    }
    return json.dumps(document, indent=2)
