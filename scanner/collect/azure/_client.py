"""The Azure side of a run: one credential, clients built once per (service, subscription), one call
cache, call counting, and error classification.

Scopes are subscriptions: a regional collector (`regional=True`) runs once per subscription, a
global one once for the tenant (Microsoft Graph). Every call goes through `AzureApi.call` (an SDK
operation) or `AzureApi.arm` / `AzureApi.graph` (a plain GET through the same azure-core pipeline,
for the few endpoints whose SDK package is not worth installing); each is memoised for the run and
every HTTP request, nextLink pages included, is counted under "service:operation".

Responses are read as their REST (wire) JSON, never through SDK model attributes: the JSON is what
the fixtures and the documentation describe, and some SDK versions deserialize a polymorphic body as
its generic base class (azure-mgmt-recoveryservicesbackup 11.2.0: VM backup items arrive as
`ProtectedItem`), where attribute access would silently lose the subclass's fields.
"""

from __future__ import annotations

import base64
import importlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from azure.core.pipeline.policies import HTTPPolicy, SansIOHTTPPolicy

from scanner.collect.registry import FacetPlan
from scanner.engine.callcache import CallCache
from scanner.engine.pool import WorkPool
from scanner.errors import ConfigurationError
from scanner.models.common import CoverageState
from scanner.models.inventory import Identity, ScopeRef

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Cloud:
    name: str
    arm: str  # Azure Resource Manager
    authority: str  # Microsoft Entra ID sign-in host
    graph: str  # Microsoft Graph


CLOUDS = {
    "public": Cloud("public", "https://management.azure.com", "login.microsoftonline.com", "https://graph.microsoft.com"),
    "usgov": Cloud("usgov", "https://management.usgovcloudapi.net", "login.microsoftonline.us", "https://graph.microsoft.us"),
    "china": Cloud("china", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"),
}

# Collection-key service -> (module, client class) of the SDK used for it. Services not listed here
# are read with plain GETs (`AzureApi.arm`) through the subscriptions client's pipeline.
SDK_CLIENTS = {
    "subscriptions": ("azure.mgmt.resource.subscriptions", "SubscriptionClient"),
    "storage": ("azure.mgmt.storage", "StorageManagementClient"),
    "compute": ("azure.mgmt.compute", "ComputeManagementClient"),
    "keyvault": ("azure.mgmt.keyvault", "KeyVaultManagementClient"),
    "sql": ("azure.mgmt.sql", "SqlManagementClient"),
    "backup": ("azure.mgmt.recoveryservicesbackup", "RecoveryServicesBackupClient"),
}

ACCESS_DENIED_CODES = {
    "AuthorizationFailed",
    "Authorization_RequestDenied",
    "Forbidden",
    "LinkedAuthorizationFailed",
    "InvalidAuthenticationTokenTenant",
    "Request_UnauthorizedAccess",
}
NOT_REGISTERED_CODES = {"MissingSubscriptionRegistration", "SubscriptionNotRegistered", "NoRegisteredProviderFound"}
THROTTLING_CODES = {"TooManyRequests", "Throttled", "ThrottlingException", "SubscriptionRequestsThrottled", "ResourceRequestsThrottled"}
LICENCE_CODES = {"Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Authentication_MSGraphPermissionMissing"}


class CallFailed(Exception):
    """A collection could not be completed; carries the coverage verdict."""

    def __init__(self, state: CoverageState, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason
        self.code = code


def error_code(exc: BaseException) -> str | None:
    error = getattr(exc, "error", None)
    code = getattr(error, "code", None)
    if code:
        return str(code)
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - not JSON
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return body["error"].get("code")
    return None


def status_code(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def _first_line(exc: BaseException) -> str:
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None) or getattr(exc, "message", None) or str(exc)
    text = str(message).strip().splitlines()
    return text[0][:300] if text else ""


def _where(scope: str) -> str:
    return "the tenant" if scope == "global" else f"subscription {scope}"


def classify(exc: BaseException, service: str, scope: str, operation: str | None = None) -> CallFailed:
    """Turn an SDK exception into a coverage verdict with a one-line reason."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

    if isinstance(exc, CallFailed):
        return exc
    operation = operation or getattr(exc, "trustscan_operation", None) or "call"
    where = _where(scope)
    if isinstance(exc, HttpResponseError):
        status = status_code(exc)
        code = error_code(exc) or (str(status) if status else "Unknown")
        detail = _first_line(exc)
        if code in LICENCE_CODES:
            return CallFailed(
                CoverageState.FAILED, f"{service}:{operation} needs a Microsoft Entra ID P1/P2 licence or permission ({code})", code
            )
        if status == 403 or code in ACCESS_DENIED_CODES:
            return CallFailed(CoverageState.FAILED, f"access denied to {service}:{operation} in {where} ({code}): {detail}", code)
        if code in NOT_REGISTERED_CODES:
            return CallFailed(
                CoverageState.UNSUPPORTED, f"the resource provider for {service} is not registered in {where} ({code})", code
            )
        if status == 429 or code in THROTTLING_CODES:
            return CallFailed(CoverageState.FAILED, f"throttled on {service}:{operation} in {where} after retries ({code})", code)
        if status == 404:
            return CallFailed(CoverageState.FAILED, f"{service}:{operation} not found in {where} ({code}): {detail}", code)
        if isinstance(exc, ClientAuthenticationError) or status == 401:
            return CallFailed(CoverageState.FAILED, f"authentication failed for {service}:{operation} in {where} ({code})", code)
        return CallFailed(CoverageState.FAILED, f"{service}:{operation} failed in {where}: HTTP {status} {code}: {detail}", code)
    if isinstance(exc, ClientAuthenticationError):
        return CallFailed(CoverageState.FAILED, f"cannot get a token for {service} in {where}: {_first_line(exc)}", "ClientAuthenticationError")
    if isinstance(exc, ServiceRequestError):
        return CallFailed(CoverageState.FAILED, f"cannot reach the {service} endpoint for {where}", "ServiceRequestError")
    return CallFailed(CoverageState.FAILED, f"internal error collecting {service} in {where}: {exc!r}", type(exc).__name__)


def wire(model: Any) -> dict[str, Any]:
    """An SDK model as its REST JSON (camelCase names, unknown fields kept)."""
    if model is None:
        return {}
    if hasattr(model, "as_dict") and not hasattr(model, "serialize"):
        return model.as_dict()
    if hasattr(model, "serialize"):  # msrest-era models
        return model.serialize(keep_readonly=True)
    return dict(model)


def parse_id(resource_id: str) -> dict[str, str]:
    """`/subscriptions/S/resourceGroups/G/providers/P/T/N` -> {"subscriptions": S, "resourceGroups": G, ...}."""
    parts = [p for p in resource_id.split("/") if p]
    out: dict[str, str] = {}
    for key, value in zip(parts[::2], parts[1::2]):
        out.setdefault(key.lower() if key.lower() in ("subscriptions", "resourcegroups", "providers") else key, value)
    return out


def resource_group(resource_id: str) -> str | None:
    return parse_id(resource_id or "").get("resourcegroups")


class _CountRequests(SansIOHTTPPolicy):
    """A per-call pipeline policy: counts each request (nextLink pages too) under the current operation."""

    def __init__(self, api: AzureApi) -> None:
        self.api = api

    def on_request(self, request: Any) -> None:
        self.api._count(getattr(self.api._local, "operation", None) or "arm:unlabelled")


class _NeverRegisterProviders(HTTPPolicy):
    """The mgmt SDKs answer 409 MissingSubscriptionRegistration by POSTing .../providers/<ns>/register
    (ARMAutoResourceProviderRegistrationPolicy). A read-only scanner must not change the subscription:
    raise the 409 before that policy sees it; it becomes NOT_APPLICABLE coverage."""

    def send(self, request: Any) -> Any:
        response = self.next.send(request)
        http = response.http_response
        if http.status_code == 409 and "MissingSubscriptionRegistration" in (http.text() or ""):
            from azure.core.exceptions import HttpResponseError
            from azure.mgmt.core.exceptions import ARMErrorFormat

            raise HttpResponseError(response=http, error_format=ARMErrorFormat)
        return response


@dataclass(frozen=True)
class AzureScope:
    """What a collector receives: the subscription it runs in (or "global") and the shared API."""

    api: AzureApi
    subscription: str  # the subscription id, or "global" for tenant collectors
    tenant: str
    facets: FacetPlan | None = None  # which per-resource getters this unit reads (set by the engine)

    @property
    def account(self) -> str:
        return self.tenant if self.subscription == "global" else self.subscription

    def client(self, service: str) -> Any:
        return self.api.client(service, self.subscription)

    def call(self, service: str, operation: str, fetch: Callable[[Any], T], *key: Any) -> T:
        """Run `fetch(client)` once per run for (service, subscription, operation, key)."""
        return self.api.call(service, self.subscription, operation, fetch, *key)

    def list(self, service: str, operation: str, fetch: Callable[[Any], Iterable[Any]], *key: Any) -> list[dict[str, Any]]:
        """An SDK list operation, every page, each item as its REST JSON."""
        return self.call(service, operation, lambda client: [wire(item) for item in fetch(client)], *key)

    def get(self, service: str, operation: str, fetch: Callable[[Any], Any], *key: Any) -> dict[str, Any]:
        return self.call(service, operation, lambda client: wire(fetch(client)), *key)

    def arm(self, service: str, operation: str, path: str, api_version: str, *, paged: bool = False, **query: str) -> Any:
        return self.api.arm(service, self.subscription, operation, path, api_version, paged=paged, **query)

    def graph(self, operation: str, path: str, *, paged: bool = True) -> Any:
        return self.api.graph(operation, path, paged=paged)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return self.api.pool.map(fn, items)


class AzureApi:
    def __init__(
        self,
        pool: WorkPool,
        *,
        credential: Any = None,
        cloud: str = "public",
        tenant: str | None = None,
        endpoint_url: str | None = None,
        connection_verify: str | bool | None = None,
        retry_total: int | None = None,
        retry_backoff_factor: float | None = None,
    ) -> None:
        if cloud not in CLOUDS:
            raise ConfigurationError(f"unknown cloud {cloud!r} (use {', '.join(CLOUDS)})")
        self.pool = pool
        self.cloud = CLOUDS[cloud]
        self.tenant = tenant
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.arm_url = self.endpoint_url or self.cloud.arm
        self.graph_url = self.endpoint_url or self.cloud.graph
        self.arm_scope = f"{self.cloud.arm}/.default"
        self.graph_scope = f"{self.cloud.graph}/.default"
        self.calls: Counter[str] = Counter()
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        self._client_lock = threading.Lock()
        self.call_cache = CallCache(getattr(pool, "cancelled", None))  # an interrupted scan makes no new call
        self._graph: Any = None
        self.credential = credential or self._default_credential()
        self._kwargs: dict[str, Any] = {"transport": self._transport(connection_verify)}
        if retry_total is not None:
            self._kwargs["retry_total"] = retry_total
        if retry_backoff_factor is not None:
            self._kwargs["retry_backoff_factor"] = retry_backoff_factor

    # -- plumbing --------------------------------------------------------------------------------
    def _default_credential(self) -> Any:
        from azure.identity import DefaultAzureCredential

        # Environment service principal, workload identity (GitHub Actions OIDC), managed identity, az login.
        return DefaultAzureCredential(authority=self.cloud.authority, exclude_interactive_browser_credential=True)

    def _transport(self, connection_verify: str | bool | None) -> Any:
        import requests
        from azure.core.pipeline.transport import RequestsTransport

        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=max(10, self.pool.max_workers))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        kwargs: dict[str, Any] = {"session": session, "session_owner": False}
        if connection_verify is not None:
            kwargs["connection_verify"] = connection_verify
        return RequestsTransport(**kwargs)

    def _count(self, operation: str) -> None:
        with self._count_lock:
            self.calls[operation] += 1

    def client(self, service: str, subscription: str) -> Any:
        """The SDK client for a service in a subscription, built once and shared by every thread."""
        module_name, class_name = SDK_CLIENTS.get(service, SDK_CLIENTS["subscriptions"])
        key = (module_name, "" if class_name == "SubscriptionClient" else subscription)
        with self._client_lock:
            if key not in self._clients:
                cls = getattr(importlib.import_module(module_name), class_name)
                args = (self.credential,) if class_name == "SubscriptionClient" else (self.credential, subscription)
                self._clients[key] = cls(
                    *args,
                    base_url=self.arm_url,
                    credential_scopes=[self.arm_scope],
                    per_call_policies=[_CountRequests(self)],
                    per_retry_policies=[_NeverRegisterProviders()],
                    **self._kwargs,
                )
            return self._clients[key]

    def graph_client(self) -> Any:
        """A thin Microsoft Graph client: azure-core's pipeline with a bearer token from the same credential."""
        with self._client_lock:
            if self._graph is None:
                from azure.core import PipelineClient
                from azure.core.pipeline import policies

                self._graph = PipelineClient(
                    base_url=self.graph_url,
                    policies=[
                        policies.HeadersPolicy({"Accept": "application/json", "ConsistencyLevel": "eventual"}),
                        policies.UserAgentPolicy("trustscan"),
                        _CountRequests(self),
                        policies.RetryPolicy(**{k: v for k, v in self._kwargs.items() if k.startswith("retry_")}),
                        policies.BearerTokenCredentialPolicy(self.credential, self.graph_scope),
                        policies.NetworkTraceLoggingPolicy(),
                    ],
                    transport=self._kwargs["transport"],
                )
            return self._graph

    # -- calls -----------------------------------------------------------------------------------
    def call(self, service: str, subscription: str, operation: str, fetch: Callable[[Any], T], *key: Any) -> T:
        label = f"{service}:{operation}"

        def run() -> T:
            previous = getattr(self._local, "operation", None)
            self._local.operation = label
            try:
                return fetch(self.client(service, subscription))
            except Exception as exc:
                exc.trustscan_operation = operation  # type: ignore[attr-defined]
                raise
            finally:
                self._local.operation = previous

        return self.call_cache.get((service, subscription, operation, key), run)

    def arm(self, service: str, subscription: str, operation: str, path: str, api_version: str, *, paged: bool = False, **query: str) -> Any:
        """GET an ARM path through the subscriptions client's pipeline (auth, retries, counting).
        `paged` follows nextLink and returns the concatenated `value` items."""
        url = path if path.startswith("http") else f"{self.arm_url}{path}"
        params = {"api-version": api_version, **query}
        return self.call(service, subscription, operation, lambda client: self._get(client, url, params, paged, "nextLink"), path, params)

    def graph(self, operation: str, path: str, *, paged: bool = True) -> Any:
        url = f"{self.graph_url}{path}"
        label = f"graph:{operation}"

        def run() -> Any:
            previous = getattr(self._local, "operation", None)
            self._local.operation = label
            try:
                return self._get(self.graph_client(), url, {}, paged, "@odata.nextLink", graph=True)
            except Exception as exc:
                exc.trustscan_operation = operation  # type: ignore[attr-defined]
                raise
            finally:
                self._local.operation = previous

        return self.call_cache.get(("graph", path, paged), run)

    @staticmethod
    def _get(client: Any, url: str, params: dict[str, str], paged: bool, next_field: str, graph: bool = False) -> Any:
        from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
        from azure.core.rest import HttpRequest
        from azure.mgmt.core.exceptions import ARMErrorFormat

        items: list[Any] = []
        request: HttpRequest | None = HttpRequest("GET", url, params=params)
        while request is not None:
            response = client.send_request(request)
            if response.status_code >= 400:
                error_type = ResourceNotFoundError if response.status_code == 404 else HttpResponseError
                if graph:
                    raise error_type(response=response)
                raise error_type(response=response, error_format=ARMErrorFormat)
            body = response.json() if response.content else {}
            if not paged:
                return body
            items.extend(body.get("value") or [])
            next_link = body.get(next_field)
            request = HttpRequest("GET", next_link) if next_link else None
        return items


    # -- identity and subscriptions --------------------------------------------------------------
    def identity(self) -> Identity:
        from azure.core.exceptions import ClientAuthenticationError

        try:
            token = self.credential.get_token(self.arm_scope, tenant_id=self.tenant) if self.tenant else self.credential.get_token(self.arm_scope)
        except ClientAuthenticationError as exc:
            raise ConfigurationError(
                "no usable Azure credentials (set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET, use workload or "
                f"managed identity, or `az login`): {_first_line(exc)}"
            ) from exc
        claims = _jwt_claims(token.token)
        tenant = self.tenant or claims.get("tid")
        principal = claims.get("upn") or claims.get("appid") or claims.get("oid")
        return Identity(account=tenant or "unknown-tenant", principal=principal, partition=f"azure-{self.cloud.name}")

    def subscriptions(self) -> list[dict[str, Any]]:
        try:
            return self.call("subscriptions", "", "subscriptions.list", lambda c: [wire(s) for s in c.subscriptions.list()])
        except Exception as exc:  # noqa: BLE001
            reason = classify(exc, "subscriptions", "global", "subscriptions.list").reason
            raise ConfigurationError(f"cannot list the subscriptions ({reason}); pass --subscriptions") from exc


def _jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT access token (not verified: only to name the tenant and principal)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}


MANAGEMENT_GROUPS_API = "2023-04-01"


class AzureCollection:
    """An Azure scan as an organization: the Entra ID tenant (the organization scope: Microsoft Graph)
    and one member scope per subscription (ARM), sharing one AzureApi, its clients and call cache.

    Subscriptions: `--subscriptions`, the enabled subscriptions under `--management-group` (nested
    groups included), or every enabled subscription the principal can read.
    """

    provider = "azure"

    def __init__(self, api: AzureApi, subscriptions: list[str] | None = None, management_group: str | None = None) -> None:
        self.api = api
        self.identity = api.identity()
        self.management_group = management_group
        self.names: dict[str, str] = {}
        if subscriptions:
            ids = sorted(set(subscriptions))
        else:
            every = api.subscriptions()
            listed = self._enabled(every)
            if self.identity.account == "unknown-tenant" and listed:
                tenant = listed[0].get("tenantId") or "unknown-tenant"
                self.identity = self.identity.model_copy(update={"account": tenant})
            self.names = {_subscription_id(s): s.get("displayName") or "" for s in listed}
            ids = sorted(self.names)
            if management_group:
                under = self._under_management_group(management_group)
                # The descendants API gives no state: the subscription list does. One under the group
                # that the list does not show is scanned too (and is ERROR if it refuses access), never
                # silently left out; a Disabled or Deleted one is.
                known = {_subscription_id(s) for s in every}
                self.names.update({i: name for i, name in under.items() if i not in known})
                ids = sorted(i for i in under if i in self.names)
                if not ids:
                    raise ConfigurationError(f"management group {management_group!r} holds no enabled subscription")
        if not ids:
            raise ConfigurationError("these credentials can read no Azure subscription; pass --subscriptions or grant Reader")
        self.scope_ids = ids
        self.organization: str | None = self.identity.account

    @staticmethod
    def _enabled(subscriptions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [s for s in subscriptions if (s.get("state") or "Enabled") not in ("Disabled", "Deleted")]

    def _under_management_group(self, group: str) -> dict[str, str]:
        """Every subscription below a management group, at any depth (the descendants API walks nested groups)."""
        path = f"/providers/Microsoft.Management/managementGroups/{group}/descendants"
        try:
            descendants = self.api.arm("managementgroups", "", "managementGroups.getDescendants", path, MANAGEMENT_GROUPS_API, paged=True)
        except Exception as exc:  # noqa: BLE001 - an unknown or unreadable group is a usage error
            failure = classify(exc, "managementgroups", "global", "managementGroups.getDescendants")
            raise ConfigurationError(
                f"management group {group!r} was not found or cannot be read ({failure.code}); check the group id "
                "(not its display name) and grant Reader (or Management Group Reader) on it"
            ) from exc
        return {
            d["id"].rsplit("/", 1)[-1]: (d.get("properties") or {}).get("displayName") or ""
            for d in descendants
            if str(d.get("id", "")).lower().startswith("/subscriptions/")
        }

    @property
    def subscriptions(self) -> list[str]:
        return list(self.scope_ids)

    # -- the organization protocol (scanner.engine.organization) ----------------------------------
    def discover(self) -> list[ScopeRef]:
        tenant = ScopeRef(provider="azure", kind="organization", id=self.identity.account, name="Entra ID tenant")
        members = [ScopeRef(provider="azure", kind="subscription", id=i, name=self.names.get(i) or None) for i in self.scope_ids]
        return [tenant, *sorted(members, key=lambda s: s.id)]

    def member(self, scope: ScopeRef) -> AzureMember:
        return AzureMember(self.api, scope, self.identity)

    def plan_options(self) -> dict[str, Any]:
        return {"cloud": self.api.cloud.name, "management_group": self.management_group}

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self.api.calls.items()))


def _subscription_id(subscription: dict[str, Any]) -> str:
    return subscription.get("subscriptionId") or subscription["id"].rsplit("/", 1)[-1]


class AzureMember:
    """One scope of an Azure scan: a subscription (ARM collectors run in it), or the tenant (Graph)."""

    provider = "azure"
    scope_field = "account"
    regions: list[str] = []

    def __init__(self, api: AzureApi, scope: ScopeRef, caller: Identity) -> None:
        self.api = api
        self.ref = scope
        self.tenant = caller.account
        self.identity = caller.model_copy(update={"account": scope.id})
        self.scope_ids = [scope.id] if scope.kind == "subscription" else []

    def scopes(self, regional: bool) -> list[str]:
        """A subscription's collectors run once in it; the tenant's once, "global"."""
        return [self.ref.id] if self.ref.kind == "subscription" else ["global"]

    def unsupported_reason(self, service: str, scope: str) -> str | None:
        return None

    def context(self, scope: str) -> AzureScope:
        return AzureScope(api=self.api, subscription=scope, tenant=self.tenant)

    def classify(self, exc: BaseException, service: str, scope: str) -> CallFailed:
        return classify(exc, service, scope)

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self.api.calls.items()))

    def new_inventory(self) -> Any:
        from scanner.models.azure import AzureInventory

        return AzureInventory()


def read_facets(scope: AzureScope, service: str, getters: dict[str, Callable[[], dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Run each per-resource getter; merge the fields they return, and record a reason for each that failed."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    plan = scope.facets
    for facet, getter in getters.items():
        if plan is not None and not plan.reads(facet):
            continue  # no selected check reads it: its fields stay unset (coverage says so)
        try:
            values = getter()
            if plan is not None:
                plan.check_fields(facet, values)
            fields.update(values)
        except Exception as exc:  # noqa: BLE001 - one unreadable facet must not lose the resource
            errors[facet] = classify(exc, service, scope.subscription).reason
    return fields, errors


class TenantCredential:
    """Asks the wrapped credential for tokens in one tenant (`--tenant`)."""

    def __init__(self, inner: Any, tenant: str) -> None:
        self.inner = inner
        self.tenant = tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs.setdefault("tenant_id", self.tenant)
        return self.inner.get_token(*scopes, **kwargs)

    def close(self) -> None:
        self.inner.close()
