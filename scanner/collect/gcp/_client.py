"""The GCP side of a run: credentials from ADC, projects from Resource Manager, shared clients.

Two client families, both over REST:

- google-cloud-resource-manager (gapic, `transport="rest"`) enumerates folders and projects and
  reads project / organization IAM policies;
- google-api-python-client with its bundled discovery documents (`static_discovery=True`) for every
  other API (compute, sqladmin, storage, cloudkms, bigquery, dns, logging, monitoring, iam,
  serviceusage, admin directory, securitycenter): one package instead of a gapic library per
  service (compute_v1 alone installs 69 MB and takes 1.2 s to import).

Clients are built once per run and shared. httplib2 is not thread-safe, so every thread gets its own
authorised HTTP object. Every call goes through `call` / `pages` / `aggregated`, which memoise the
answer for the run, count requests per "service:method" and retry 429 / 5xx with backoff under our
own control (SDK retries are off, so tests can turn the delays to zero). Any failure leaves as a
`GcpApiError` carrying the HTTP status, Google's status / ErrorInfo reason and the API name, which
`classify` turns into coverage.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from scanner.collect.registry import FacetPlan
from scanner.engine.callcache import CallCache
from scanner.engine.pool import WorkPool
from scanner.errors import ConfigurationError
from scanner.models.common import CoverageState
from scanner.models.inventory import Identity, ScopeRef

T = TypeVar("T")
R = TypeVar("R")

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
DIRECTORY_SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"

# Discovery service name -> the API a project enables (for "... is not enabled" reasons).
API_NAMES = {
    "admin": "admin.googleapis.com",
    "bigquery": "bigquery.googleapis.com",
    "cloudkms": "cloudkms.googleapis.com",
    "cloudresourcemanager": "cloudresourcemanager.googleapis.com",
    "compute": "compute.googleapis.com",
    "dns": "dns.googleapis.com",
    "iam": "iam.googleapis.com",
    "logging": "logging.googleapis.com",
    "monitoring": "monitoring.googleapis.com",
    "securitycenter": "securitycenter.googleapis.com",
    "serviceusage": "serviceusage.googleapis.com",
    "sqladmin": "sqladmin.googleapis.com",
    "storage": "storage.googleapis.com",
}
RETRYABLE_STATUS = {429, 500, 502, 503, 504}


class CallFailed(Exception):
    """A collection could not be completed; carries the coverage verdict."""

    def __init__(self, state: CoverageState, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.state = state
        self.reason = reason
        self.code = code


class GcpApiError(Exception):
    """One failed Google API call, normalised across the gapic and discovery clients."""

    def __init__(self, method: str, http_status: int, payload: Any) -> None:
        error = payload.get("error", {}) if isinstance(payload, dict) else {}
        if not isinstance(error, dict):  # OAuth-style {"error": "invalid_grant"}
            error = {"status": str(error), "message": str(payload.get("error_description", error))}
        self.method = method  # "sqladmin:instances.list"
        self.http_status = http_status
        self.status = str(error.get("status") or "")  # PERMISSION_DENIED, RESOURCE_EXHAUSTED...
        self.message = str(error.get("message") or "").strip().splitlines()[0] if error.get("message") else ""
        self.reason = ""  # ErrorInfo reason: SERVICE_DISABLED, RATE_LIMIT_EXCEEDED, IAM_PERMISSION_DENIED...
        self.api = ""  # ErrorInfo metadata.service
        for detail in error.get("details") or []:
            if isinstance(detail, dict) and detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
                self.reason = str(detail.get("reason") or "")
                self.api = str((detail.get("metadata") or {}).get("service") or "")
        self.legacy_reasons = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)]
        super().__init__(f"{method}: HTTP {http_status} {self.status} {self.message}")

    @property
    def service_disabled(self) -> bool:
        text = self.message.lower()
        return self.http_status == 403 and (
            self.reason == "SERVICE_DISABLED"
            or "accessNotConfigured" in self.legacy_reasons
            or ("has not been used in project" in text and "disabled" in text)
        )

    @property
    def api_name(self) -> str:
        return self.api or API_NAMES.get(self.method.split(":", 1)[0], self.method.split(":", 1)[0])


def classify(exc: BaseException, service: str, scope: str) -> CallFailed:
    """Turn a Google client exception into a coverage verdict with a one-line reason."""
    if isinstance(exc, CallFailed):
        return exc
    where = "the organization" if scope == "global" else f"project {scope}"
    if isinstance(exc, GcpApiError):
        detail = f": {exc.message}" if exc.message else ""
        if exc.service_disabled:
            return CallFailed(CoverageState.UNSUPPORTED, f"{exc.api_name} is not enabled in {where}", "SERVICE_DISABLED")
        if exc.http_status == 403:
            return CallFailed(CoverageState.FAILED, f"access denied to {exc.method} in {where}{detail}", exc.status or "PERMISSION_DENIED")
        if exc.http_status == 429 or exc.status == "RESOURCE_EXHAUSTED":
            return CallFailed(CoverageState.FAILED, f"throttled on {exc.method} in {where} after retries (RESOURCE_EXHAUSTED)", "RESOURCE_EXHAUSTED")
        if exc.http_status == 401:
            return CallFailed(CoverageState.FAILED, f"credentials rejected by {exc.method} (UNAUTHENTICATED)", "UNAUTHENTICATED")
        code = exc.status or f"HTTP{exc.http_status}"
        return CallFailed(CoverageState.FAILED, f"{exc.method} failed in {where}: {code}{detail}", code)
    name = type(exc).__name__
    module = type(exc).__module__
    if name == "DefaultCredentialsError":
        return CallFailed(CoverageState.FAILED, "no GCP credentials found (Application Default Credentials)", name)
    if module.startswith(("google.auth", "httplib2")) or isinstance(exc, (ConnectionError, TimeoutError, OSError)):
        return CallFailed(CoverageState.FAILED, f"cannot reach the {service} API for {where}: {exc}", name)
    return CallFailed(CoverageState.FAILED, f"internal error collecting {service} in {where}: {exc!r}", name)


def _normalise(method: str, exc: BaseException) -> BaseException:
    """SDK exception -> GcpApiError where it carries an HTTP answer; anything else unchanged."""
    try:
        from googleapiclient.errors import HttpError
    except ImportError:  # pragma: no cover - the gcp extra is installed wherever this runs
        HttpError = ()  # type: ignore[assignment]  # noqa: N806
    if isinstance(exc, HttpError):
        try:
            payload = json.loads(exc.content or b"{}")
        except ValueError:
            payload = {"error": {"message": (exc.content or b"").decode("utf-8", "replace")[:200]}}
        return GcpApiError(method, int(exc.resp.status), payload)
    from google.api_core import exceptions as core_exceptions

    if isinstance(exc, core_exceptions.GoogleAPICallError) and exc.code is not None:
        response = getattr(exc, "response", None)
        payload: Any = {}
        if response is not None and hasattr(response, "json"):
            try:
                payload = response.json()
            except ValueError:
                payload = {}
        if not payload:
            payload = {"error": {"message": exc.message, "status": getattr(exc.grpc_status_code, "name", "")}}
        return GcpApiError(method, int(exc.code), payload)
    return exc


@dataclass(frozen=True)
class GcpScope:
    """What a collector receives: the project (or the organization, for org-level collectors)."""

    api: GcpApi
    project: str | None  # project id; None for organization-level collectors
    organization: str | None  # organization id ("123456789012"), None when projects have no organization
    account: str  # Resource.account for what this unit collects: the project id, or the organization id
    facets: FacetPlan | None = None  # which per-resource getters this unit reads (set by the engine)

    def call(self, service: str, method: str, **params: Any) -> dict:
        return self.api.call(service, method, **params)

    def pages(self, service: str, method: str, key: str, **params: Any) -> list:
        return self.api.pages(service, method, key, **params)

    def aggregated(self, service: str, method: str, key: str, **params: Any) -> list:
        return self.api.aggregated(service, method, key, **params)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return self.api.pool.map(fn, items)


VERSIONS = {
    "admin": "directory_v1",
    "bigquery": "v2",
    "cloudkms": "v1",
    "compute": "v1",
    "dns": "v1",
    "iam": "v1",
    "logging": "v2",
    "monitoring": "v3",
    "securitycenter": "v1",
    "serviceusage": "v1",
    "sqladmin": "v1",
    "storage": "v1",
}


class GcpApi:
    def __init__(
        self,
        pool: WorkPool,
        *,
        credentials: Any = None,
        endpoint_url: str | None = None,
        retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 32.0,
        timeout: float = 60.0,
        admin_subject: str | None = None,
    ) -> None:
        self.pool = pool
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.admin_subject = admin_subject
        self._credentials = credentials
        self.calls: Counter[str] = Counter()
        self._clients: dict[str, Any] = {}
        self._client_lock = threading.Lock()
        self._build_locks: dict[str, threading.Lock] = {}
        self._local = threading.local()
        self.call_cache = CallCache(getattr(pool, "cancelled", None))  # an interrupted scan makes no new call
        self._count_lock = threading.Lock()

    # -- credentials ---------------------------------------------------------------------------
    @property
    def credentials(self) -> Any:
        with self._client_lock:
            if self._credentials is None:
                import google.auth
                from google.auth.exceptions import DefaultCredentialsError

                try:
                    self._credentials, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
                except DefaultCredentialsError as exc:
                    raise ConfigurationError(
                        "no GCP credentials found (run `gcloud auth application-default login`, set "
                        "GOOGLE_APPLICATION_CREDENTIALS, or use workload identity federation)"
                    ) from exc
            return self._credentials

    def principal(self) -> str | None:
        credentials = self.credentials
        if type(credentials).__name__ == "AnonymousCredentials":
            return "anonymous"
        email = getattr(credentials, "service_account_email", None)
        return email if isinstance(email, str) and "@" in email else None

    def directory_credentials(self) -> Any:
        """Admin SDK calls need the directory scope, and a delegated admin for a service account."""
        credentials = self.credentials
        if self.admin_subject and hasattr(credentials, "with_subject"):
            credentials = credentials.with_subject(self.admin_subject)
        if hasattr(credentials, "with_scopes"):
            try:
                credentials = credentials.with_scopes([DIRECTORY_SCOPE])
            except (TypeError, NotImplementedError):
                pass
        return credentials

    # -- clients -------------------------------------------------------------------------------
    def _http(self, credentials: Any) -> Any:
        """A per-thread authorised httplib2 object (httplib2 is not thread-safe)."""
        import google_auth_httplib2
        import httplib2

        key = f"http-{id(credentials)}"
        http = getattr(self._local, key, None)
        if http is None:
            http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=self.timeout))
            setattr(self._local, key, http)
        return http

    def discovery(self, service: str) -> Any:
        with self._client_lock:
            client = self._clients.get(service)
            if client is not None:
                return client
            build_lock = self._build_locks.setdefault(service, threading.Lock())
        with build_lock:  # one build per service: concurrent collectors wait instead of parsing the document too
            with self._client_lock:
                if service in self._clients:
                    return self._clients[service]
            client = self._build(service)
            with self._client_lock:
                return self._clients.setdefault(service, client)

    def _build(self, service: str) -> Any:
        import re

        from googleapiclient import discovery, discovery_cache
        from googleapiclient.http import HttpRequest

        credentials = self.directory_credentials() if service == "admin" else self.credentials
        document = discovery_cache.get_static_doc(service, VERSIONS[service])
        if document is None:
            raise ConfigurationError(f"google-api-python-client has no discovery document for {service} {VERSIONS[service]}")
        options = None
        if self.endpoint_url:
            # The fake serves the real paths: keep the service path (compute/v1/, storage/v1/...).
            match = re.search(r'"servicePath":\s*"([^"]*)"', document)
            service_path = match.group(1) if match else ""
            options = {"api_endpoint": f"{self.endpoint_url}/{service_path}"}

        def request_builder(_http: Any, *args: Any, **kwargs: Any) -> Any:
            return HttpRequest(self._http(credentials), *args, **kwargs)

        return discovery.build_from_document(document, credentials=credentials, client_options=options, requestBuilder=request_builder)

    def resource_manager(self, kind: str) -> Any:
        """resourcemanager_v3 ProjectsClient / FoldersClient / OrganizationsClient over REST."""
        key = f"resourcemanager.{kind}"
        with self._client_lock:
            client = self._clients.get(key)
        if client is not None:
            return client
        from google.cloud import resourcemanager_v3

        cls = {"projects": resourcemanager_v3.ProjectsClient, "folders": resourcemanager_v3.FoldersClient,
               "organizations": resourcemanager_v3.OrganizationsClient}[kind]
        options = {"api_endpoint": self.endpoint_url} if self.endpoint_url else None
        client = cls(credentials=self.credentials, transport="rest", client_options=options)
        with self._client_lock:
            return self._clients.setdefault(key, client)

    # -- calls ---------------------------------------------------------------------------------
    def _count(self, name: str) -> None:
        with self._count_lock:
            self.calls[name] += 1

    def _attempt(self, name: str, send: Callable[[], T]) -> T:
        """One logical call (counted once), retried on 429 / 5xx with capped exponential backoff."""
        self._count(name)
        attempt = 0
        while True:
            try:
                return send()
            except Exception as exc:  # noqa: BLE001 - normalised and re-raised
                error = _normalise(name, exc)
                retryable = isinstance(error, GcpApiError) and error.http_status in RETRYABLE_STATUS
                if not retryable or attempt >= self.retries:
                    if error is exc:
                        raise
                    raise error from exc
                delay = min(self.max_backoff, self.backoff * (2**attempt)) * (0.5 + random.random() / 2)
                attempt += 1
                if delay > 0:
                    time.sleep(delay)

    def _execute(self, service: str, method: str, params: dict[str, Any]) -> dict:
        *resources, verb = method.split(".")
        node = self.discovery(service)
        for resource in resources:
            node = getattr(node, resource)()
        request = getattr(node, verb)(**params)
        return self._attempt(f"{service}:{method}", lambda: request.execute(num_retries=0))

    def call(self, service: str, method: str, **params: Any) -> dict:
        """One discovery-API call, e.g. call("sqladmin", "instances.list", project="p")."""
        return self.call_cache.get(("call", service, method, params), lambda: self._execute(service, method, params))

    def pages(self, service: str, method: str, key: str, **params: Any) -> list:
        """Every item under `key` across the nextPageToken pages of a list method."""

        def fetch() -> list:
            items: list = []
            token: str | None = None
            while True:
                page = self._execute(service, method, {**params, **({"pageToken": token} if token else {})})
                items.extend(page.get(key) or [])
                token = page.get("nextPageToken")
                if not token:
                    return items

        return self.call_cache.get(("pages", service, method, key, params), fetch)

    def aggregated(self, service: str, method: str, key: str, **params: Any) -> list:
        """Compute aggregatedList: items is {"zones/x": {key: [...]} | {"warning": ...}}, flattened."""

        def fetch() -> list:
            items: list = []
            token: str | None = None
            while True:
                page = self._execute(service, method, {**params, **({"pageToken": token} if token else {})})
                for scoped in (page.get("items") or {}).values():
                    items.extend(scoped.get(key) or [])
                token = page.get("nextPageToken")
                if not token:
                    return items

        return self.call_cache.get(("aggregated", service, method, key, params), fetch)

    def rm(self, kind: str, method: str, **request: Any) -> Any:
        """One Resource Manager call (no SDK retry: ours applies), memoised and counted."""

        def fetch() -> Any:
            client = self.resource_manager(kind)
            return self._attempt(
                f"cloudresourcemanager:{kind}.{_camel(method)}",
                lambda: getattr(client, method)(request=request, retry=None, timeout=self.timeout),
            )

        return self.call_cache.get(("rm", kind, method, request), fetch)

    def rm_pages(self, kind: str, method: str, field: str, **request: Any) -> list:
        """Every item of a Resource Manager list, paging ourselves so each page gets our retry."""

        def fetch() -> list:
            client = self.resource_manager(kind)
            items: list = []
            token = ""
            while True:
                page = self._attempt(
                    f"cloudresourcemanager:{kind}.{_camel(method)}",
                    lambda: getattr(client, method)(request={**request, "page_token": token}, retry=None, timeout=self.timeout),
                )
                items.extend(getattr(page, field))
                token = page.next_page_token
                if not token:
                    return items

        return self.call_cache.get(("rm_pages", kind, method, field, request), fetch)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


NO_ORGANIZATION = "no-organization"


class GcpCollection:
    """A GCP scan as an organization: the organization scope (its IAM policy, sinks, Security Command
    Center, Workspace directory) and one member scope per project, sharing one GcpApi."""

    provider = "gcp"

    def __init__(
        self,
        api: GcpApi,
        *,
        projects: list[str] | None = None,
        organization: str | None = None,
        folder: str | None = None,
    ) -> None:
        self.api = api
        self.organization = _strip(organization, "organizations/")
        self.folder = _strip(folder, "folders/")
        try:
            if projects:
                self.projects = sorted(set(projects))
                if self.organization is None:
                    self.organization = self._organization_of(self.projects)
            elif self.folder:
                self.projects = self._projects_under(f"folders/{self.folder}")
                if self.organization is None:
                    self.organization = self._organization_of_parent(f"folders/{self.folder}")
            elif self.organization:
                self.projects = self._projects_under(f"organizations/{self.organization}")
            else:
                raise ConfigurationError("name what to scan: --organization ORG_ID, --folder FOLDER_ID or --projects p1,p2")
        except GcpApiError as exc:
            raise ConfigurationError(f"cannot enumerate GCP projects: {classify(exc, 'cloudresourcemanager', 'global').reason}") from exc
        if not self.projects:
            raise ConfigurationError("no active projects found in the given organization / folder")
        self.customer_id: str | None = None
        if self.organization:
            account = self.organization
        elif len(self.projects) == 1:
            account = self.projects[0]
        else:
            account = NO_ORGANIZATION
        self.identity = Identity(account=account, principal=api.principal(), partition="gcp")
        self.regions: list[str] = []
        self.scope_ids = list(self.projects)

    # -- enumeration ---------------------------------------------------------------------------
    def _projects_under(self, parent: str) -> list[str]:
        """Active projects under an organization or folder, walking nested folders."""
        found: list[str] = []
        parents = [parent]
        while parents:
            current = parents.pop()
            found += [p.project_id for p in self.api.rm_pages("projects", "list_projects", "projects", parent=current)
                      if p.state.name == "ACTIVE"]
            parents += [f.name for f in self.api.rm_pages("folders", "list_folders", "folders", parent=current)
                        if f.state.name == "ACTIVE"]
        return sorted(set(found))

    def _organization_of_parent(self, parent: str) -> str | None:
        for _ in range(12):  # folders nest at most 10 deep
            if parent.startswith("organizations/"):
                return parent.split("/", 1)[1]
            if not parent.startswith("folders/"):
                return None
            parent = self.api.rm("folders", "get_folder", name=parent).parent
        return None

    def _organization_of(self, projects: list[str]) -> str | None:
        project = self.api.rm("projects", "get_project", name=f"projects/{projects[0]}")
        return self._organization_of_parent(project.parent)

    # -- the organization protocol (scanner.engine.organization) ----------------------------------
    def discover(self) -> list[ScopeRef]:
        """The organization scope (present even without an organization, so its checks say why they
        are not applicable) and the projects."""
        org = ScopeRef(provider="gcp", kind="organization", id=self.organization or NO_ORGANIZATION,
                       name=None if self.organization else "no parent organization")
        return [org, *(ScopeRef(provider="gcp", kind="project", id=p) for p in self.projects)]

    def member(self, scope: ScopeRef) -> GcpMember:
        return GcpMember(self, scope)

    def plan_options(self) -> dict[str, Any]:
        return {"folder": self.folder, "admin_subject": bool(self.api.admin_subject)}

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self.api.calls.items()))


class GcpMember:
    """One scope of a GCP scan: a project (per-project collectors), or the organization."""

    provider = "gcp"
    scope_field = "account"
    regions: list[str] = []

    def __init__(self, collection: GcpCollection, scope: ScopeRef) -> None:
        self.api = collection.api
        self.ref = scope
        self.organization = collection.organization
        self.identity = collection.identity.model_copy(update={"account": scope.id})
        self.scope_ids = [scope.id] if scope.kind == "project" else []

    def scopes(self, regional: bool) -> list[str]:
        """A project's collectors run once in it; the organization's once, "global"."""
        return [self.ref.id] if self.ref.kind == "project" else ["global"]

    def unsupported_reason(self, service: str, scope: str) -> str | None:
        if scope == "global" and self.organization is None:
            return "no organization in scope (the projects have no parent organization): organization settings not collected"
        return None

    def context(self, scope: str) -> GcpScope:
        if scope == "global":
            return GcpScope(api=self.api, project=None, organization=self.organization, account=self.ref.id)
        return GcpScope(api=self.api, project=scope, organization=self.organization, account=scope)

    def classify(self, exc: BaseException, service: str, scope: str) -> CallFailed:
        return classify(exc, service, scope)

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(self.api.calls.items()))

    def new_inventory(self) -> Any:
        from scanner.models.gcp import GcpInventory

        return GcpInventory()


def _strip(value: str | None, prefix: str) -> str | None:
    if not value:
        return None
    value = value.strip()
    return value[len(prefix):] if value.startswith(prefix) else value
