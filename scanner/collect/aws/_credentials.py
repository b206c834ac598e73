"""Credentials for member accounts: a role session that renews itself before it expires.

An organization scan outlives a one-hour role session, so each member account gets botocore
`RefreshableCredentials` whose refresh function assumes the role again; botocore calls it before
the session expires (advisory window: try without blocking; mandatory window: every request waits
for the new session). The requests themselves go through the run's shared clients (_accounts.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.credentials
import botocore.exceptions

from scanner.collect.aws._client import CallFailed
from scanner.models.enums import CoverageState

SESSION_NAME = "trustscan"
DEFAULT_SESSION_SECONDS = 3600  # the default MaxSessionDuration of an IAM role
MIN_DURATION_SECONDS = 900  # the shortest session STS grants
# botocore's own refresh windows for a one-hour session: refresh 15 min before expiry, block at 10.
ADVISORY_REFRESH_SECONDS = 15 * 60
MANDATORY_REFRESH_SECONDS = 10 * 60

ACCOUNT_ID = re.compile(r"^\d{12}$")
# An IAM role name, optionally behind a path ("audit/TrustscanAudit").
ROLE_NAME = re.compile(r"^(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


@dataclass(frozen=True)
class MemberRole:
    """The role trustscan assumes in each member account (no secret here: the external id is not
    printed by anything that prints this)."""

    name: str
    external_id: str | None = None
    session_seconds: int = DEFAULT_SESSION_SECONDS

    def arn(self, partition: str, account: str) -> str:
        return f"arn:{partition}:iam::{account}:role/{self.name}"


class RoleUnavailable(CallFailed):
    """The role could not be assumed (denied, missing, wrong external id) or renewed."""

    def __init__(self, reason: str, code: str | None) -> None:
        super().__init__(CoverageState.FAILED, reason, code)


class RoleSession:
    """Refreshable credentials for one member account, renewed through the caller's STS client.

    `sts` is the caller's client (thread-safe, shared by every member); `count` is told of every
    AssumeRole request, so the account's calls say how often its session was renewed.
    """

    def __init__(self, sts: Any, role: MemberRole, partition: str, account: str, count: Callable[[str], None]) -> None:
        self.sts = sts
        self.role = role
        self.account = account
        self.role_arn = role.arn(partition, account)
        self.principal: str | None = None
        self.count = count
        # Refresh windows scale down with a short session (tests use seconds), and equal botocore's
        # defaults for a one-hour one.
        seconds = role.session_seconds
        first = self._assume()  # eager: a role that cannot be assumed is known before collection
        self.credentials = botocore.credentials.RefreshableCredentials.create_from_metadata(
            metadata=first,
            refresh_using=self._assume,
            method="assume-role",
            advisory_timeout=min(ADVISORY_REFRESH_SECONDS, seconds / 4),
            mandatory_timeout=min(MANDATORY_REFRESH_SECONDS, seconds / 6),
        )

    def _assume(self) -> dict[str, str]:
        params: dict[str, Any] = {
            "RoleArn": self.role_arn,
            "RoleSessionName": SESSION_NAME,
            "DurationSeconds": max(MIN_DURATION_SECONDS, self.role.session_seconds),
        }
        if self.role.external_id:
            params["ExternalId"] = self.role.external_id
        issued = datetime.now(UTC)
        self.count("sts:AssumeRole")
        try:
            response = self.sts.assume_role(**params)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise RoleUnavailable(self._reason(exc), _code(exc)) from None
        credentials = response["Credentials"]
        self.principal = response.get("AssumedRoleUser", {}).get("Arn", self.principal)
        # A session is held no longer than asked for, even when STS grants more (it never grants
        # less than 15 minutes: shorter sessions exist only in tests of the renewal).
        expiry = min(_utc(credentials["Expiration"]), issued + timedelta(seconds=self.role.session_seconds))
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiry.isoformat(),
        }

    def _reason(self, exc: BaseException) -> str:
        verb = "renew the session of" if self.principal else "assume"
        if isinstance(exc, botocore.exceptions.ClientError):
            error = exc.response.get("Error", {})
            message = (error.get("Message") or "").strip().splitlines()[0:1]
            detail = f": {message[0]}" if message and not message[0].startswith("<") else ""
            hint = ""
            if error.get("Code") in ("AccessDenied", "AccessDeniedException"):
                hint = " (is the role deployed there, does its trust policy name this caller and external id?)"
            return f"account {self.account}: cannot {verb} role {self.role_arn} ({error.get('Code', 'Unknown')}{detail}){hint}"
        return f"account {self.account}: cannot {verb} role {self.role_arn} ({exc})"


def _code(exc: BaseException) -> str | None:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return type(exc).__name__


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
