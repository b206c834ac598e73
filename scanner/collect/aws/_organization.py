"""Which AWS accounts a run scans, and how it enters each one.

`AwsSelection` is what the command line asked for (checked before any API call). `AwsRun` is the
provider side of a scan: it discovers the accounts (the caller's own; `--accounts`; or the ACTIVE
accounts of the organization, or of `--ous` and their descendants) and opens one member per account:
the caller's own account with the caller's credentials, every other account through the role, with
credentials that renew themselves. A member whose role cannot be assumed is still a member: every
call in it fails with a reason that names the account and the role, so its checks are ERROR and
every other account proceeds.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from scanner.collect.aws._accounts import SharedClients
from scanner.collect.aws._client import (
    GLOBAL_REGION_BY_PARTITION,
    AwsApi,
    AwsCollection,
    CallFailed,
    CallTotals,
    classify,
    client_config,
)
from scanner.collect.aws._credentials import (
    ACCOUNT_ID,
    EXTERNAL_ID,
    ROLE_NAME,
    MemberRole,
    RoleSession,
)
from scanner.engine.pool import ScanCancelled, WorkPool
from scanner.errors import ConfigurationError
from scanner.models.enums import CoverageState

if TYPE_CHECKING:  # the models (pydantic) load once the caller's identity is asked for, not before
    from scanner.models.inventory import Identity, ScopeRef

log = logging.getLogger("trustscan")

OU_ID = re.compile(r"^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")


@dataclass(frozen=True)
class AwsSelection:
    """The accounts and role asked for on the command line, validated without calling AWS."""

    org: bool = False
    ous: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    exclude_accounts: tuple[str, ...] = ()
    role: MemberRole | None = None
    regions: tuple[str, ...] | None = None  # None: every enabled region of each account

    @property
    def multi_account(self) -> bool:
        return self.org or bool(self.accounts)

    @classmethod
    def parse(
        cls,
        *,
        org: bool = False,
        ous: str | None = None,
        accounts: str | None = None,
        exclude_accounts: str | None = None,
        role_name: str | None = None,
        external_id: str | None = None,
        regions: str | None = None,
        session_seconds: int | None = None,
    ) -> AwsSelection:
        ou_ids, account_ids, excluded = _ids(ous), _ids(accounts), _ids(exclude_accounts)
        if ou_ids and not org:
            raise ConfigurationError("--ous needs --org (organizational units are read from AWS Organizations)")
        if role_name and not (org or account_ids):
            raise ConfigurationError("--role-name needs --org or --accounts (it is the role assumed in other accounts)")
        if external_id and not role_name:
            raise ConfigurationError("--external-id needs --role-name")
        if excluded and not (org or account_ids):
            raise ConfigurationError("--exclude-accounts needs --org or --accounts")
        if (org or account_ids) and not role_name:
            flag = "--org" if org else "--accounts"
            raise ConfigurationError(f"{flag} needs --role-name: the read-only role trustscan assumes in each member account")
        for ou in ou_ids:
            if not OU_ID.match(ou):
                raise ConfigurationError(f"--ous: {ou!r} is not an organizational unit id (ou-xxxx-xxxxxxxx) or root id (r-xxxx)")
        for option, values in (("--accounts", account_ids), ("--exclude-accounts", excluded)):
            for account in values:
                if not ACCOUNT_ID.match(account):
                    raise ConfigurationError(f"{option}: {account!r} is not an AWS account id (12 digits)")
        if role_name and not ROLE_NAME.match(role_name):
            raise ConfigurationError(
                f"--role-name: {role_name!r} is not an IAM role name (letters, digits, +=,.@_- ; optional path/)"
            )
        if external_id is not None and not EXTERNAL_ID.match(external_id):
            raise ConfigurationError("--external-id must be 2 to 1224 characters of letters, digits and +=,.@:/-_")
        from scanner.collect.aws._regions import parse_regions

        region_list = tuple(parse_regions(regions) or ())
        role = None
        if role_name:
            role = MemberRole(role_name, external_id or None, **({"session_seconds": session_seconds} if session_seconds else {}))
        return cls(org, ou_ids, account_ids, excluded, role, region_list or None)

    def plan_options(self) -> dict[str, Any]:
        """What every shard of one scan must share (no secret: only whether an external id is set)."""
        return {
            "org": self.org,
            "ous": list(self.ous),
            "accounts": list(self.accounts),
            "exclude_accounts": list(self.exclude_accounts),
            "role_name": self.role.name if self.role else None,
            "external_id": bool(self.role and self.role.external_id),
            "regions": list(self.regions) if self.regions else "enabled",
        }


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


class AwsRun:
    """The AWS side of one scan: the caller, the accounts in scope, and one member per account."""

    provider = "aws"

    def __init__(
        self, pool: WorkPool, api: AwsApi, selection: AwsSelection, region: str | None = None, profile: str | None = None
    ) -> None:
        self.pool = pool
        self.api = api  # the caller's
        self._totals = CallTotals()
        api.totals = self._totals
        self.selection = selection
        self.identity: Identity = api.identity(region)
        self.partition = self.identity.partition or "aws"
        self.global_region = GLOBAL_REGION_BY_PARTITION.get(self.partition, "us-east-1")
        self.region = region or api.region_name or self.global_region
        self.organization: str | None = None
        self._config = client_config(pool)
        self._clients = SharedClients(
            region=self.region,
            endpoint_url=api.endpoint_url,
            config=self._config,
            profile=profile,
            cancelled=getattr(pool, "cancelled", None),
            loader=api.data_loader(),
        )
        self._fallback_regions: list[str] | None = None
        self._lock = threading.Lock()
        self._accounts: list[ScopeRef] | None = None
        self._sts_client: Any = None

    # -- discovery ---------------------------------------------------------------------------------
    def discover(self) -> list[ScopeRef]:
        """Every account in the selection, sorted by id, before anything is collected."""
        if self._accounts is None:
            self._accounts = sorted(self._discover(), key=lambda a: a.id)
        return list(self._accounts)

    def _discover(self) -> list[ScopeRef]:
        caller = self.identity.account
        if not self.selection.multi_account:
            # One account: its regions are known now (as before organizations existed).
            return [_account(caller, None, tuple(self.selection.regions or self._caller_regions()))]
        regions = self.selection.regions or ()  # () = each account's enabled regions, read when it is scanned
        if not self.selection.org:
            excluded = set(self.selection.exclude_accounts)
            unknown = sorted(excluded - set(self.selection.accounts))
            if unknown:
                raise ConfigurationError(f"--exclude-accounts names {', '.join(unknown)}, which --accounts does not list")
            chosen = [a for a in self.selection.accounts if a not in excluded]
            if not chosen:
                raise ConfigurationError("--exclude-accounts leaves no account to scan")
            return [_account(a, None, regions) for a in chosen]
        return self._organization_accounts(regions)

    def _organization_accounts(self, regions: tuple[str, ...]) -> list[ScopeRef]:
        caller = self.identity.account
        try:
            org = self._org_call("DescribeOrganization")["Organization"]
        except CallFailed as failed:
            if failed.code == "AWSOrganizationsNotInUseException":
                raise ConfigurationError(f"--org: account {caller} is not a member of an AWS Organization") from None
            raise ConfigurationError(f"--org: cannot read the organization ({failed.reason})") from None
        self.organization = org["Id"]
        management = org.get("MasterAccountId")
        role_hint = (
            f"account {caller} is neither the management account ({management}) of organization {org['Id']} "
            "nor a delegated administrator for AWS Organizations: run from one of those"
        )
        try:
            listed = self._org_pages("ListAccounts", "Accounts")
        except CallFailed as failed:
            if failed.code in ("AccessDeniedException", "AccessDenied", "AccessDeniedForDependencyException"):
                raise ConfigurationError(f"--org: {role_hint} ({failed.reason})") from None
            raise ConfigurationError(f"--org: cannot list the organization's accounts ({failed.reason})") from None
        accounts = {a["Id"]: a for a in listed}
        if caller not in accounts:
            # AWS answers AccessDenied; some emulators answer an empty list
            raise ConfigurationError(f"--org: {role_hint}")

        if self.selection.ous or self.selection.accounts:
            chosen: dict[str, str] = {}  # id -> how it was selected
            for ou in self.selection.ous:
                for account in self._descendants(ou):
                    chosen.setdefault(account, ou)
            for account in self.selection.accounts:
                if account not in accounts:
                    raise ConfigurationError(f"--accounts: {account} is not an account of organization {self.organization}")
                status = _status(accounts[account])
                if status != "ACTIVE":
                    raise ConfigurationError(f"--accounts: account {account} is {status}, not ACTIVE")
                chosen[account] = "--accounts"
        else:
            chosen = {account: "organization" for account in accounts}
        for account in self.selection.exclude_accounts:
            if account not in accounts:
                raise ConfigurationError(f"--exclude-accounts: {account} is not an account of organization {self.organization}")
            chosen.pop(account, None)
        inactive = sorted(a for a in chosen if _status(accounts.get(a, {})) != "ACTIVE")
        if inactive:
            log.info(
                "skipping accounts that are not ACTIVE: %s", ", ".join(f"{a} ({_status(accounts.get(a, {}))})" for a in inactive)
            )
        selected = [_account(a, accounts[a].get("Name"), regions) for a in chosen if a not in inactive]
        if not selected:
            raise ConfigurationError(f"no ACTIVE account selected in organization {self.organization}")
        return selected

    def _descendants(self, parent: str) -> list[str]:
        """Account ids under an OU or root, nested OUs included (breadth first)."""
        found: list[str] = []
        queue = [parent]
        while queue:
            node = queue.pop(0)
            try:
                found.extend(c["Id"] for c in self._org_pages("ListChildren", "Children", ParentId=node, ChildType="ACCOUNT"))
                queue.extend(
                    c["Id"] for c in self._org_pages("ListChildren", "Children", ParentId=node, ChildType="ORGANIZATIONAL_UNIT")
                )
            except CallFailed as failed:
                if failed.code in ("ParentNotFoundException", "OrganizationalUnitNotFoundException"):
                    raise ConfigurationError(
                        f"--ous: {parent} is not an organizational unit of organization {self.organization}"
                    ) from None
                raise ConfigurationError(f"--ous: cannot list the accounts under {parent} ({failed.reason})") from None
        return found

    def _org_call(self, operation: str, **params: Any) -> dict:
        try:
            return self.api.call("organizations", self.global_region, operation, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise classify(exc, "organizations", self.global_region) from None

    def _org_pages(self, operation: str, key: str, **params: Any) -> list:
        try:
            return self.api.pages("organizations", self.global_region, operation, key, **params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise classify(exc, "organizations", self.global_region) from None

    def plan_options(self) -> dict[str, Any]:
        return self.selection.plan_options()

    def api_calls(self) -> dict[str, int]:
        """The whole run's requests: discovery, the caller's account and every member's."""
        return self._totals.as_dict()

    # -- members ---------------------------------------------------------------------------------
    def member(self, scope: Any) -> AwsCollection:
        """The collection of one account. Never raises for a member: a role that cannot be assumed,
        or an account whose regions cannot be listed, gives a member whose every unit fails with
        that reason. Only an interrupted scan raises (ScanCancelled): no account is entered after it."""
        account = scope.id
        regions = list(scope.regions) or None  # None: the account's enabled regions
        if account == self.identity.account:
            return AwsCollection(self.api, regions=regions or self._caller_regions(), region=self.region, identity=self.identity)
        role = self.selection.role
        assert role is not None, "a member account needs a role"
        role_arn = role.arn(self.partition, account)
        api = AwsApi(
            self.pool, endpoint_url=self.api.endpoint_url, shared=self._clients, config=self._config, totals=self._totals
        )
        try:
            session = RoleSession(self._sts(), role, self.partition, account, api.count)
        except CallFailed as failed:
            log.warning("%s", failed.reason)
            return self._failed_member(account, role_arn, failed, regions, api.calls)
        api.credentials = session.credentials
        from scanner.models.inventory import Identity

        identity = Identity(account=account, principal=session.principal or role_arn, partition=self.partition)
        try:
            # the account's own regions: the enabled ones, or those asked for, checked against its opt-in state
            collection = AwsCollection(api, regions=regions, region=self.region, identity=identity)
        except ConfigurationError as exc:
            # this account's regions cannot be scanned (not listed, not enabled): ERROR for it alone
            failed = CallFailed(CoverageState.FAILED, f"account {account} (role {role_arn}): {exc}", "RegionsUnavailable")
            log.warning("%s", failed.reason)
            api.close()
            return self._failed_member(account, role_arn, failed, regions, api.calls)
        if collection.region_warning:
            log.warning("account %s: %s", account, collection.region_warning)
        return collection

    def _failed_member(
        self, account: str, role_arn: str, failed: CallFailed, regions: list[str] | None, calls: Any
    ) -> AwsCollection:
        api = AwsApi(self.pool, endpoint_url=self.api.endpoint_url, session=self.api.session, config=self._config, failure=failed)
        api.calls.update(calls)  # the AssumeRole attempt is one of the account's calls
        from scanner.models.inventory import Identity

        identity = Identity(account=account, principal=role_arn, partition=self.partition)
        return AwsCollection(api, regions=regions or self._caller_regions(), region=self.region, identity=identity)

    def _caller_regions(self) -> list[str]:
        """The caller's enabled regions: its own account's, and the regions reported for a member
        whose own could not be listed."""
        with self._lock:
            if self._fallback_regions is None:
                self._fallback_regions = self.api.enabled_regions(self.region)
            return list(self._fallback_regions)

    def _sts(self) -> Any:
        """The caller's STS client for AssumeRole (its calls are counted per member, not here)."""
        with self._lock:
            if self._sts_client is None:
                self._sts_client = self.api.session.create_client(
                    "sts", region_name=self.region, endpoint_url=self.api.endpoint_url, config=self._config
                )
                # an interrupted scan enters no more accounts and renews no session
                self._sts_client.meta.events.register_first("before-send", self._refuse_when_cancelled)
            return self._sts_client

    def _refuse_when_cancelled(self, **_: Any) -> None:
        cancelled = getattr(self.pool, "cancelled", None)
        if cancelled is not None and cancelled.is_set():
            raise ScanCancelled("scan interrupted: role not assumed")


# What the caller needs beyond the read-only policy of its own account.
DISCOVERY_ACTIONS = ["organizations:DescribeOrganization", "organizations:ListAccounts", "organizations:ListChildren"]
TRUSTED_PLACEHOLDER = "arn:aws:iam::MANAGEMENT_ACCOUNT_ID:root"


def caller_policy(role_name: str, read_only: dict) -> dict:
    """The policy of the principal that runs an organization scan: discover the accounts, assume
    the member role in each, and read its own account (scanned with its own credentials)."""
    if not ROLE_NAME.match(role_name):
        raise ConfigurationError(f"--role-name: {role_name!r} is not an IAM role name")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "TrustscanDiscoverAccounts", "Effect": "Allow", "Action": DISCOVERY_ACTIONS, "Resource": "*"},
            {
                "Sid": "TrustscanAssumeMemberRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::*:role/{role_name}",
            },
            *read_only["Statement"],
        ],
    }


def member_trust_policy(trusted_principal: str | None, external_id: str | None) -> dict:
    """Who may assume the member role: the scanning principal (or, as a placeholder, the
    management account), with the external id when one is used."""
    principal = trusted_principal or TRUSTED_PLACEHOLDER
    if trusted_principal and not re.match(r"^arn:aws[\w-]*:(iam|sts)::\d{12}:[\w+=,.@/:-]+$", trusted_principal):
        raise ConfigurationError(f"--trusted-principal: {trusted_principal!r} is not an IAM principal ARN")
    statement: dict[str, Any] = {
        "Sid": "TrustscanScanner",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        if not EXTERNAL_ID.match(external_id):
            raise ConfigurationError("--external-id must be 2 to 1224 characters of letters, digits and +=,.@:/-_")
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _account(account: str, name: str | None, regions: tuple[str, ...]) -> ScopeRef:
    from scanner.models.inventory import ScopeRef

    return ScopeRef(provider="aws", kind="account", id=account, name=name, regions=regions)


def _status(account: dict) -> str:
    # `State` (ACTIVE | SUSPENDED | PENDING_CLOSURE | CLOSED ...) replaces `Status` in newer answers.
    return str(account.get("State") or account.get("Status") or "UNKNOWN")
