"""AWS: standard credential chain, every enabled region, moto for the demo."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
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


def open_collection(pool: Any, **options: Any) -> Any:
    """The AWS run: the caller, the accounts in scope (`discover()`), one collection per account
    (`member(scope)`). Bad options are refused before any API call."""
    return start_collection(pool, **options).result()


def start_collection(
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
) -> Opening:
    """Check the options (no request: account ids, OUs, the role, region names), build the caller's
    STS client, then open the run on a thread: who the caller is (the first request) and which of
    the regions asked for are enabled. The caller imports the checks, models and collectors while
    those requests are in flight, and takes the run from `result()`."""
    import botocore.exceptions

    from scanner.collect.aws._client import AwsApi
    from scanner.collect.aws._organization import AwsSelection
    from scanner.collect.aws._regions import check_region_names

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
    if selection.regions:
        # A mistyped name is refused now, from botocore's endpoint data: it is a region of no
        # partition. Whether it is in the caller's partition and enabled for the account is known
        # after the first requests (resolve_regions).
        check_region_names(list(selection.regions), None, session=api.session)
    api.send_identity()  # the first request

    def open_run() -> tuple[Any, str | None]:
        from scanner.collect.aws._organization import AwsRun
        from scanner.collect.aws._regions import resolve_regions

        if api.region_name:
            # The run's home region is known without the caller's partition: DescribeRegions goes
            # out while GetCallerIdentity is in flight. Its EC2 client (a large model to parse) is
            # built once that request is out, so as not to hold it back, and here, on the one thread
            # that uses the session.
            api.identity_out.wait()
            try:
                api.client("ec2", api.region_name)
            except botocore.exceptions.BotoCoreError:
                pass  # resolve_regions makes the call and reports why it failed
            else:
                api.prefetch("ec2", api.region_name, "DescribeRegions", AllRegions=True)
        run = AwsRun(pool, api, selection, profile=profile)
        # The regions are checked before anything is collected: a region the caller's account has
        # not enabled stops the run (exit 2); when DescribeRegions is denied, the regions given are
        # scanned with a warning.
        _, warning = resolve_regions(run.api, run.partition, list(selection.regions or ()) or None, run.region)
        return run, warning

    return Opening(open_run)


class Opening:
    """A run being opened on its own thread; `result()` waits for it (and re-raises its error).

    The thread has the botocore session to itself until `result()` returns: nothing else touches
    it meanwhile (sessions are not thread-safe; the clients it builds are)."""

    def __init__(self, open_run: Callable[[], tuple[Any, str | None]]) -> None:
        self._value: tuple[Any, str | None] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._open, args=(open_run,), name="trustscan-aws-open", daemon=True)
        self._thread.start()

    def _open(self, open_run: Callable[[], tuple[Any, str | None]]) -> None:
        try:
            self._value = open_run()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        run, warning = self._value
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
