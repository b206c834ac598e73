"""A small fake cloud API server on 127.0.0.1 that serves recorded-shape JSON to the real SDKs.

The Azure and GCP tests and demos point the real azure-mgmt-* / google-cloud-* clients at it. It
routes method + path to responses loaded from fixtures, generates paging itself (Azure `nextLink`,
Google `nextPageToken`), can answer with errors (403, 404, 429...) and records every request so
tests can assert what was called and how often.

Why the details matter: azure-core refuses bearer tokens over plain http, so the server can serve
TLS with a throwaway CA (trustme) whose PEM the client trusts; every response is written in one
`sendall` with TCP_NODELAY, otherwise Nagle + delayed ACK cost ~45 ms per request.
"""

from __future__ import annotations

import json
import os
import re
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 409: "Conflict", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass
class Route:
    """One canned answer. `path` is a template: `{name}` matches one path segment; matching ignores case.

    `query` (optional) must be a subset of the request's query. `paging` names the list field the
    server pages through ("value" for Azure, e.g. "items"/"keys" for Google) with `paging_style`
    "azure" (nextLink URL), "graph" (@odata.nextLink URL) or "google" (nextPageToken / pageToken). `handler` may compute the body
    from the request instead (e.g. a token endpoint).
    """

    method: str
    path: str
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    paging: str | None = None
    paging_style: str = "azure"
    handler: Callable[[RecordedRequest], tuple[int, Any]] | None = None
    # The api-version whose response `body` is (documentation for the schema test; matching ignores it,
    # so a demo run with a newer SDK that calls a newer version is still answered).
    api_version: str | None = None

    def __post_init__(self) -> None:
        parts = [re.escape(p) if not p.startswith("{") else "[^/]+" for p in self.path.strip("/").split("/")]
        self._regex = re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE)

    def matches(self, method: str, path: str, query: dict[str, str]) -> bool:
        return (
            method.upper() == self.method.upper()
            and bool(self._regex.match(path))
            and all(query.get(k) == v for k, v in self.query.items())
        )


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


class FakeCloud:
    def __init__(self, routes: Iterable[Route] = (), *, tls: bool = False, page_size: int = 0) -> None:
        self.routes: list[Route] = list(routes)
        self.tls = tls
        self.page_size = page_size  # 0 = no server-side paging
        self.requests: list[RecordedRequest] = []
        self.unmatched: list[RecordedRequest] = []
        self.ca_path: str | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(_Handler):
            cloud = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if self.tls:
            self._server.socket = self._tls_context().wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fakecloud", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> FakeCloud:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def _tls_context(self) -> ssl.SSLContext:
        import trustme  # only needed for TLS: the Azure fake (demo extra / test extra)

        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "localhost")
        self._tmp = tempfile.TemporaryDirectory(prefix="trustscan-fakecloud-")
        self.ca_path = str(Path(self._tmp.name) / "ca.pem")
        authority.cert_pem.write_to_path(self.ca_path)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(context)
        return context

    # -- routing ---------------------------------------------------------------------------------
    def add(self, *routes: Route) -> None:
        """Routes added later win over earlier ones (a test overrides a scenario's answer)."""
        with self._lock:
            self.routes[:0] = list(reversed(routes))

    def calls(self, method: str, path_fragment: str) -> int:
        return sum(1 for r in self.requests if r.method == method and path_fragment.lower() in r.path.lower())

    def answer(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.requests.append(request)
            route = next((r for r in self.routes if r.matches(request.method, request.path, request.query)), None)
            if route is None:
                self.unmatched.append(request)
        if route is None:
            body = {"error": {"code": "NotFound", "message": f"fakecloud has no route for {request.method} {request.path}"}}
            return 404, {}, json.dumps(body).encode()
        status, payload = route.handler(request) if route.handler else (route.status, route.body)
        if route.paging and self.page_size and isinstance(payload, dict):
            payload = self._page(route, request, payload)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode() if payload is not None else b""
        return status, dict(route.headers), data

    def _page(self, route: Route, request: RecordedRequest, payload: dict) -> dict:
        items = list(payload.get(route.paging) or [])
        token_name = "$skiptoken" if route.paging_style in ("azure", "graph") else "pageToken"
        start = int(request.query.get(token_name, "0") or 0)
        end = start + self.page_size
        page = {**payload, route.paging: items[start:end]}
        if end < len(items):
            if route.paging_style in ("azure", "graph"):
                query = {**request.query, "$skiptoken": str(end)}
                page["nextLink" if route.paging_style == "azure" else "@odata.nextLink"] = f"{self.url}{request.path}?{urlencode(query)}"
            else:
                page["nextPageToken"] = str(end)
        return page


class _Handler(BaseHTTPRequestHandler):
    cloud: FakeCloud
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        status, headers, data = self.cloud.answer(request)
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers["Content-Length"] = str(len(data))
        head += [f"{k}: {v}" for k, v in headers.items()]
        # One write: status line, headers and body leave in a single segment.
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, *args: Any) -> None:
        pass


def _substitute(text: str, substitutions: dict[str, str]) -> str:
    for name, value in substitutions.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def _read_json(path: Path, substitutions: dict[str, str]) -> Any:
    from scanner.errors import ConfigurationError

    try:
        return json.loads(_substitute(path.read_text(encoding="utf-8"), substitutions))
    except OSError as exc:
        raise ConfigurationError(f"fakecloud: cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ConfigurationError(f"fakecloud: {path} is not valid JSON: {exc}") from exc


ROUTE_FIELDS = {"method", "path", "status", "body", "body_file", "headers", "query", "paging", "paging_style", "api_version"}


def load_routes(path: str | Path, **substitutions: str) -> list[Route]:
    """Routes from a fixture file: a JSON list of {method, path, status?, body?|body_file?, headers?,
    query?, paging?, paging_style?}. `body_file` is relative to the fixture file; `{{name}}` in the
    text is replaced by `substitutions[name]` (e.g. the server URL inside nextLink-free bodies).
    A malformed file is a ConfigurationError naming it (a user's replay directory is input)."""
    from scanner.errors import ConfigurationError

    source = Path(path)
    entries = _read_json(source, substitutions)
    if not isinstance(entries, list):
        raise ConfigurationError(f"fakecloud: {source} must hold a JSON list of routes")
    routes = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not {"method", "path"} <= entry.keys() or entry.keys() - ROUTE_FIELDS:
            raise ConfigurationError(
                f"fakecloud: route {number} in {source} needs method and path and may have only {', '.join(sorted(ROUTE_FIELDS))}"
            )
        entry = dict(entry)
        if "body_file" in entry:
            entry["body"] = _read_json(source.parent / entry.pop("body_file"), substitutions)
        routes.append(Route(**entry))
    return routes


# A directory of recorded responses to serve instead of the packaged scenario (see docs/developing.md).
SCENARIO_ENV = "TRUSTSCAN_FAKECLOUD_DIR"


def scenario_directory(provider: str, packaged: Path) -> Path:
    """The directory a fake cloud serves: `$TRUSTSCAN_FAKECLOUD_DIR` when set (its `<provider>/`
    subdirectory if it has one, so one directory can hold recordings for several providers), else
    `packaged` (the scenario under fixtures/)."""
    from scanner.errors import ConfigurationError

    override = os.environ.get(SCENARIO_ENV, "").strip()
    if not override:
        return packaged
    directory = Path(override).expanduser()
    if (directory / provider).is_dir():
        directory = directory / provider
    if not directory.is_dir():
        raise ConfigurationError(f"{SCENARIO_ENV}={override}: no such directory")
    return directory


def load_scenario(directory: Path, **substitutions: str) -> list[Route]:
    """Every route of a scenario directory: its `routes.json` when it has one (bodies in `body_file`s
    beside it, the Azure layout), else every top-level `*.json` file as a route list (the GCP layout)."""
    from scanner.errors import ConfigurationError

    index = directory / "routes.json"
    files = [index] if index.is_file() else sorted(directory.glob("*.json"))
    if not files:
        raise ConfigurationError(f"fakecloud: {directory} holds no routes.json and no *.json route lists")
    return [route for file in files for route in load_routes(file, **substitutions)]
