"""The AWS side of a run: one botocore session, clients built once, one call cache, call counting.

botocore clients are thread-safe, sessions are not: clients are created under a lock and then
shared by every collector thread. Every call goes through `call`/`pages`, which memoise the
response for the run (the credential report, DescribeDBInstances... are fetched once whoever asks)
and count requests per "service:Operation" for the report.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.config
import botocore.exceptions
import botocore.session
from botocore import xform_name

from scanner.collect.aws import _loader
from scanner.collect.aws._accounts import AccountClient, SharedClients, acting_for
from scanner.collect.aws._iam_actions import IAM_PREFIX, iam_action
from scanner.collect.registry import FacetPlan
from scanner.engine.callcache import CallCache
from scanner.engine.pool import ScanCancelled, WorkPool
from scanner.errors import ConfigurationError
from scanner.models.enums import CoverageState

if TYPE_CHECKING:  # the models (pydantic) load while the first request is in flight, not before it
    from scanner.models.inventory import Identity

T = TypeVar("T")
R = TypeVar("R")

GLOBAL_REGION_BY_PARTITION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}

ACCESS_DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "403",
}
REGION_DISABLED_CODES = {"OptInRequired", "UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"}
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
}
UNSUPPORTED_CODES = {"SubscriptionRequiredException", "UnsupportedOperation", "InvalidAction"}


class CallFailed(Exception):
    """A collection could not be completed; carries the coverage verdict."""

    def __init__(self, state: CoverageState, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason
        self.code = code


def classify(exc: BaseException, service: str, region: str) -> CallFailed:
    """Turn an SDK exception into a coverage verdict with a one-line reason."""
    if isinstance(exc, CallFailed):
        return exc
    api_service = getattr(exc, "trustscan_service", service)  # the client that raised it (see AwsApi.call)
    service = IAM_PREFIX.get(service, service)
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        operation = getattr(exc, "operation_name", "call")
        message = (error.get("Message") or "").strip().splitlines()[0:1]
        # (some emulators answer JSON-protocol services with XML error bodies: no useful message)
        detail = f": {message[0]}" if message and not message[0].startswith("<") else ""
        if code in ACCESS_DENIED_CODES:
            return CallFailed(
                CoverageState.FAILED, f"access denied to {iam_action(api_service, operation)} in {region}{detail}", code
            )
        if code in REGION_DISABLED_CODES:
            return CallFailed(
                CoverageState.FAILED,
                f"region {region} is not enabled for this account or rejects these credentials ({code})",
                code,
            )
        if code in THROTTLING_CODES:
            return CallFailed(
                CoverageState.FAILED, f"throttled on {service}:{operation} in {region} after retries ({code})", code
            )
        if code in UNSUPPORTED_CODES:
            return CallFailed(CoverageState.UNSUPPORTED, f"{service} is not available in {region} ({code})", code)
        return CallFailed(CoverageState.FAILED, f"{service}:{operation} failed in {region}: {code}{detail}", code)
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return CallFailed(CoverageState.FAILED, f"cannot reach the {service} endpoint in {region}", "EndpointConnectionError")
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return CallFailed(CoverageState.FAILED, "no AWS credentials found", "NoCredentials")
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return CallFailed(CoverageState.FAILED, f"{service} in {region}: {exc}", type(exc).__name__)
    return CallFailed(CoverageState.FAILED, f"internal error collecting {service} in {region}: {exc!r}", type(exc).__name__)


@dataclass(frozen=True)
class AwsScope:
    """What a collector receives: where it runs and the shared API."""

    api: AwsApi
    region: str  # the region collected, or the partition's global region for global collectors
    account: str
    partition: str
    regions: tuple[str, ...] = ()  # every region this run scans
    facets: FacetPlan | None = None  # which per-resource getters this unit reads (set by the engine)

    def arn(self, service: str, resource: str, region: str | None = None) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region is None else region}:{self.account}:{resource}"

    def call(self, service: str, operation: str, region: str | None = None, **params: Any) -> dict:
        return self.api.call(service, region or self.region, operation, **params)

    def pages(self, service: str, operation: str, key: str, region: str | None = None, **params: Any) -> list:
        return self.api.pages(service, region or self.region, operation, key, **params)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return self.api.pool.map(fn, items)


class CallTotals:
    """The requests of a whole run, summed over the accounts it scanned (thread-safe)."""

    def __init__(self) -> None:
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, operation: str) -> None:
        with self._lock:
            self._calls[operation] += 1

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._calls.items()))


def client_config(pool: WorkPool, retry_mode: str = "adaptive", max_attempts: int = 8) -> botocore.config.Config:
    return botocore.config.Config(
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        max_pool_connections=max(10, pool.max_workers),
        connect_timeout=10,
        read_timeout=60,
    )


class AwsApi:
    """The calls of one account: its credentials, its clients (built on first use), its call cache.

    A member account of an organization scan gets its own AwsApi over the run's shared clients
    (`shared`, see _accounts.py) and its role session's `credentials`; `close()` drops its cached
    responses once the account is collected, so memory stays flat in the number of accounts.
    `failure` makes every call of the account fail with that reason (its role could not be
    assumed): the engine then records each unit as failed, naming account and role.
    """

    def __init__(
        self,
        pool: WorkPool,
        *,
        profile: str | None = None,
        endpoint_url: str | None = None,
        retry_mode: str = "adaptive",
        max_attempts: int = 8,
        session: Any = None,
        shared: SharedClients | None = None,
        config: botocore.config.Config | None = None,
        failure: CallFailed | None = None,
        totals: CallTotals | None = None,
    ) -> None:
        self.pool = pool
        self.totals = totals  # the whole run's calls, when this is one account of several
        self.endpoint_url = endpoint_url
        self.failure = failure
        self.shared = shared
        self.credentials: Any = None  # a member account's role session credentials (with `shared`)
        if shared is not None:
            self.session: Any = shared.session
            self.region_name: str | None = shared.session.get_config_variable("region")
        else:
            # A botocore session, not boto3's: a client needs nothing boto3 adds, and importing boto3
            # (s3transfer, multiprocessing) costs ~30 ms of start-up. A boto3 Session given in (the
            # demo, tests) serves through the botocore session it wraps.
            given = getattr(session, "_session", session)
            self.session = given or botocore.session.Session(profile=profile)
            try:
                self.region_name = self.session.get_config_variable("region")
                if given is None:
                    _loader.use_on(self.session)  # no walk of every service directory per model type
            except botocore.exceptions.ProfileNotFound as exc:
                raise ConfigurationError(str(exc)) from exc
        self.config = config or client_config(pool, retry_mode, max_attempts)
        self.calls: Counter[str] = Counter()
        self._clients: dict[tuple[str, str], Any] = {}
        self._client_lock = threading.Lock()
        self.call_cache = CallCache(getattr(pool, "cancelled", None))
        self._count_lock = threading.Lock()
        self.identity_out = threading.Event()  # see send_identity

    # -- clients -------------------------------------------------------------------------------
    def client(self, service: str, region: str) -> Any:
        if self.failure is not None:
            raise CallFailed(self.failure.state, self.failure.reason, self.failure.code)
        key = (service, region)
        with self._client_lock:
            if key not in self._clients:
                if self.shared is not None:
                    with acting_for(self):
                        self._clients[key] = AccountClient(self.shared.get(service, region), self)
                else:
                    client = self.session.create_client(service, region_name=region, endpoint_url=self.endpoint_url, config=self.config)
                    client.meta.events.register("before-call", self._count_call)
                    # an interrupted scan sends nothing more, not even the next attempt of a call being retried
                    client.meta.events.register_first("before-send", self._refuse_when_cancelled)
                    self._clients[key] = client
            return self._clients[key]

    def data_loader(self) -> Any:
        """The botocore loader of this account's session (service models, endpoint rules), for the
        run's member clients to share."""
        return self.session.get_component("data_loader")

    def close(self) -> None:
        """Release this account's clients (their connection pools; a member's are the run's
        shared ones, kept for the next account) and its cached responses."""
        with self._client_lock:
            clients, self._clients = list(self._clients.values()), {}
        if self.shared is None:
            for client in clients:
                client.close()
        self.call_cache = CallCache(getattr(self.pool, "cancelled", None))

    def _refuse_when_cancelled(self, **_: Any) -> None:
        if getattr(self.pool, "cancelled", None) is not None and self.pool.cancelled.is_set():
            raise ScanCancelled("scan interrupted: request not sent")

    def _count_call(self, model: Any, **_: Any) -> None:
        self.count(f"{model.service_model.service_name}:{model.name}")

    def count(self, operation: str) -> None:
        with self._count_lock:
            self.calls[operation] += 1
        if self.totals is not None:
            self.totals.add(operation)

    def available_regions(self, service: str, partition: str) -> list[str]:
        return self.session.get_available_regions(service, partition_name=partition)

    # -- calls ----------------------------------------------------------------------------------
    def call(self, service: str, region: str, operation: str, **params: Any) -> dict:
        def fetch() -> dict:
            method = getattr(self.client(service, region), xform_name(operation))
            try:
                return method(**params)
            except botocore.exceptions.ClientError as exc:
                exc.trustscan_service = service  # type: ignore[attr-defined] - so a denial names the IAM action
                raise

        return self.call_cache.get(("call", service, region, operation, params), fetch)

    def pages(self, service: str, region: str, operation: str, key: str, **params: Any) -> list:
        """All items under `key` across every page of a paginated operation."""

        def fetch() -> list:
            client = self.client(service, region)
            paginator = client.get_paginator(xform_name(operation))
            items: list = []
            try:
                for page in paginator.paginate(**params):
                    items.extend(page.get(key, []))
            except botocore.exceptions.ClientError as exc:
                exc.trustscan_service = service  # type: ignore[attr-defined]
                raise
            return items

        return self.call_cache.get(("pages", service, region, operation, key, params), fetch)

    # -- identity -------------------------------------------------------------------------------
    def identity_region(self, region: str | None = None) -> str:
        """Where the caller's identity is asked (STS): the region given, the session's, or us-east-1."""
        return region or self.region_name or "us-east-1"

    def send_identity(self, region: str | None = None) -> None:
        """Ask who the caller is on a thread of its own (a run's first request): `identity` takes the
        answer, or its error, from the call cache. The STS client is built here, so that the thread
        only sends; `identity_out` is set once the request has gone out (or failed before it could)."""
        region = self.identity_region(region)
        try:
            client = self.client("sts", region)
        except botocore.exceptions.BotoCoreError:
            pass  # the call below fails the same way, and `identity` reports it in one line
        else:
            client.meta.events.register("before-send.sts.GetCallerIdentity", self._identity_sent)
        self.prefetch("sts", region, "GetCallerIdentity", done=self.identity_out)

    def _identity_sent(self, **_: Any) -> None:
        self.identity_out.set()

    def prefetch(self, service: str, region: str, operation: str, done: threading.Event | None = None, **params: Any) -> None:
        """Make a call on a thread of its own: whoever makes the same call later gets its answer, or
        its error, from the call cache. Build the client first where the session is used (sessions
        are not thread-safe)."""

        def fetch() -> None:
            try:
                self.call(service, region, operation, **params)
            except BaseException:  # noqa: BLE001 - kept in the call cache for the caller who asks
                pass
            finally:
                if done is not None:
                    done.set()

        threading.Thread(target=fetch, name=f"trustscan-{service}-{operation}", daemon=True).start()

    def identity(self, region: str | None = None) -> Identity:
        region = self.identity_region(region)
        try:
            response = self.call("sts", region, "GetCallerIdentity")
        except botocore.exceptions.NoCredentialsError as exc:
            raise ConfigurationError(
                "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --profile)"
            ) from exc
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise ConfigurationError(f"cannot verify AWS credentials: {classify(exc, 'sts', region).reason}") from exc
        from scanner.models.inventory import Identity

        arn = response["Arn"]
        return Identity(account=response["Account"], principal=arn, partition=arn.split(":")[1])

    def enabled_regions(self, region: str) -> list[str]:
        """Every region enabled for the account (ec2:DescribeRegions, opt-in state honoured)."""
        from scanner.collect.aws._regions import resolve_regions

        return resolve_regions(self, self.session.get_partition_for_region(region), None, region)[0]


class AwsCollection:
    """Binds a run to one account: identity, regions, and what each collector gets."""

    provider = "aws"
    scope_field = "region"
    scope_ids: list[str] = []

    def __init__(
        self, api: AwsApi, regions: list[str] | None = None, region: str | None = None, identity: Identity | None = None
    ) -> None:
        self.api = api
        self.identity = identity or api.identity(region)
        self.partition = self.identity.partition or "aws"
        self.global_region = GLOBAL_REGION_BY_PARTITION.get(self.partition, "us-east-1")
        from scanner.collect.aws._regions import resolve_regions

        # checked before anything is collected: a mistyped or disabled region stops the run
        self.regions, self.region_warning = resolve_regions(
            api, self.partition, sorted(set(regions)) if regions else None, region or self.global_region
        )

    def scopes(self, regional: bool) -> list[str]:
        return list(self.regions) if regional else ["global"]

    def unsupported_reason(self, service: str, scope: str) -> str | None:
        if scope == "global" or self.api.endpoint_url:
            return None  # a custom endpoint (moto, LocalStack) serves every service everywhere
        if scope not in self.api.available_regions(_ENDPOINT_NAMES.get(service, service), self.partition):
            return f"{service} is not available in {scope}"
        return None

    def context(self, scope: str) -> AwsScope:
        region = self.global_region if scope == "global" else scope
        return AwsScope(
            api=self.api, region=region, account=self.identity.account, partition=self.partition, regions=tuple(self.regions)
        )

    def classify(self, exc: BaseException, service: str, scope: str) -> CallFailed:
        return classify(exc, service, scope)

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self.api.calls.items()))

    def close(self) -> None:
        self.api.close()

    def new_inventory(self) -> Any:
        from scanner.models.aws import AwsInventory

        return AwsInventory()


# Collection-key service names that differ from the boto3 client name.
_ENDPOINT_NAMES = {
    "cloudtrail": "cloudtrail",
    "logs": "logs",
    "cognitoidp": "cognito-idp",
    "ssoadmin": "sso-admin",
    "awslambda": "lambda",
}
