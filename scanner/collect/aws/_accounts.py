"""One botocore client per service and region for every member account of a run.

Building a botocore client costs ~15 ms of CPU (a client class with a method per operation, the
endpoint, a copy of ~1,300 event handlers) and holds its own connection pool; an organization
scan built ~8 of them per account, which made client creation a third of the scan's CPU and of its
memory. Instead, member accounts share the run's clients: each request is signed with the
credentials of the account whose code is running (a context variable set around every call made
through that account's `AwsApi`), never with another's. A request made outside of any account's
context fails instead of guessing.

Member accounts still each have their own role session (renewed before it expires), call cache
and call counts; what they share holds nothing of theirs.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import botocore.config
import botocore.credentials
import botocore.hooks
import botocore.loaders
import botocore.paginate
import botocore.session

from scanner.engine.pool import ScanCancelled


class Account(Protocol):
    """What the shared clients need from a member account (its AwsApi)."""

    credentials: botocore.credentials.Credentials

    def count(self, operation: str) -> None: ...


_CURRENT: contextvars.ContextVar[Account | None] = contextvars.ContextVar("trustscan_aws_account", default=None)


@contextmanager
def acting_for(account: Account) -> Iterator[None]:
    """Every request made in this block (in this thread) is signed with `account`'s credentials."""
    token = _CURRENT.set(account)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _current() -> Account:
    account = _CURRENT.get()
    if account is None:
        raise RuntimeError("an AWS request outside of any account's context: refusing to sign it")
    return account


class _CurrentAccountCredentials(botocore.credentials.Credentials):
    """The credentials of the account the calling code acts for (botocore asks for them at each
    signature, and for the endpoint rules' account id, in the thread that makes the request)."""

    method = "assume-role"

    def __init__(self) -> None:  # no keys of its own
        pass

    def get_frozen_credentials(self) -> botocore.credentials.ReadOnlyCredentials:
        return _current().credentials.get_frozen_credentials()

    @property
    def access_key(self) -> str:  # type: ignore[override]
        return self.get_frozen_credentials().access_key

    @property
    def secret_key(self) -> str:  # type: ignore[override]
        return self.get_frozen_credentials().secret_key

    @property
    def token(self) -> str | None:  # type: ignore[override]
        return self.get_frozen_credentials().token

    @property
    def account_id(self) -> str | None:  # type: ignore[override]
        return self.get_frozen_credentials().account_id


class _Provider(botocore.credentials.CredentialProvider):
    METHOD = "assume-role"

    def load(self) -> botocore.credentials.Credentials:
        return _CURRENT_ACCOUNT_CREDENTIALS


_CURRENT_ACCOUNT_CREDENTIALS = _CurrentAccountCredentials()


class SharedClients:
    """The run's member clients, built on first use: one per (service, region)."""

    def __init__(
        self,
        *,
        region: str,
        endpoint_url: str | None,
        config: botocore.config.Config,
        profile: str | None = None,
        cancelled: threading.Event | None = None,
        loader: botocore.loaders.Loader | None = None,
    ) -> None:
        self.endpoint_url = endpoint_url
        self.config = config
        self.cancelled = cancelled  # set when the scan is interrupted: nothing more is sent
        # The caller's profile still applies (CA bundle, retry settings); its credentials do not.
        self.session = botocore.session.Session(profile=profile)
        if loader is not None:  # the caller's: each service model is read and parsed once per run
            self.session.register_component("data_loader", loader)
        self.session.register_component("credential_provider", botocore.credentials.CredentialResolver([_Provider()]))
        self.session.set_config_variable("region", region)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str, region: str) -> Any:
        with self._lock:  # botocore sessions are not thread-safe; clients are
            client = self._clients.get((service, region))
            if client is None:
                client = self.session.create_client(
                    service, region_name=region, endpoint_url=self.endpoint_url, config=self.config
                )
                client.meta.events.register("before-call", _count_for_current_account)
                # an interrupted scan sends nothing more, not even the next attempt of a call being retried
                client.meta.events.register_first("before-send", self._refuse_when_cancelled)
                self._clients[(service, region)] = client
            return client

    def _refuse_when_cancelled(self, **_: Any) -> None:
        if self.cancelled is not None and self.cancelled.is_set():
            raise ScanCancelled("scan interrupted: request not sent")


def _count_for_current_account(model: Any, **_: Any) -> None:
    _current().count(f"{model.service_model.service_name}:{model.name}")


class AccountClient:
    """A shared client as one account sees it: every method call (and every page of a paginator)
    runs in that account's context. Anything else (meta, exceptions) is the shared client's."""

    def __init__(self, client: Any, account: Account) -> None:
        self._client = client
        self._account = account

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or not callable(attribute) or isinstance(attribute, type):
            return attribute
        return self._in_context(attribute)

    def _in_context(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            with acting_for(self._account):
                result = method(*args, **kwargs)
            if isinstance(result, botocore.paginate.Paginator):
                return _AccountPaginator(result, self._account)
            return result

        return call


class _AccountPaginator:
    def __init__(self, paginator: botocore.paginate.Paginator, account: Account) -> None:
        self._paginator = paginator
        self._account = account

    def paginate(self, **kwargs: Any) -> Iterator[dict]:
        pages = iter(self._paginator.paginate(**kwargs))
        while True:
            with acting_for(self._account):  # each page is a request
                try:
                    page = next(pages)
                except StopIteration:
                    return
            yield page
