"""Google response bodies held to the discovery documents that ship with google-api-python-client.

`method_for(service, http_method, path)` finds the discovery method a request path belongs to (the
fake serves the real paths, servicePath included); `problems(service, method, body)` walks the body
against the method's response schema and lists every field the schema does not know, every value
of the wrong JSON type (int64 travels as a string, int32 as a number), every value outside its
enum, every malformed timestamp / duration / bytes field and every `kind` that is not the one the
schema declares. An empty list means the body is one the real API could have sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

# Fixture file (fixtures/gcp/<scenario>/<file>.json) -> (discovery service, version).
FIXTURE_SERVICES = {
    "bigquery": ("bigquery", "v2"),
    "compute": ("compute", "v1"),
    "directory": ("admin", "directory_v1"),
    "dns": ("dns", "v1"),
    "iam": ("iam", "v1"),
    "kms": ("cloudkms", "v1"),
    "logging": ("logging", "v2"),
    "monitoring": ("monitoring", "v3"),
    "resourcemanager": ("cloudresourcemanager", "v3"),
    "securitycenter": ("securitycenter", "v1"),
    "serviceusage": ("serviceusage", "v1"),
    "sql": ("sqladmin", "v1"),
    "storage": ("storage", "v1"),
}
INT_FORMATS = {"int64", "uint64"}  # JSON strings in Google's REST encoding
DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")
BASE64 = re.compile(r"^[A-Za-z0-9+/_-]*={0,2}$")


@dataclass(frozen=True)
class Method:
    service: str
    version: str
    id: str  # "compute.instances.aggregatedList"
    http_method: str
    template: str  # the path it serves, with its service path
    response: str | None  # schema name of the response body

    @property
    def literal_length(self) -> int:
        return len(re.sub(r"\{[^}]*\}", "", self.template))


@cache
def document(service: str, version: str) -> dict:
    from googleapiclient import discovery_cache

    text = discovery_cache.get_static_doc(service, version)
    if text is None:
        raise LookupError(f"google-api-python-client ships no discovery document for {service} {version}")
    return json.loads(text)


@cache
def _methods(service: str, version: str) -> list[tuple[Method, re.Pattern[str]]]:
    doc = document(service, version)
    service_path = doc.get("servicePath", "")
    found: list[tuple[Method, re.Pattern[str]]] = []

    def walk(node: dict) -> None:
        for method in (node.get("methods") or {}).values():
            template = "/" + service_path + (method.get("flatPath") or method["path"])
            pattern = re.sub(r"\\\{\\\+[^}]*\\\}", ".+", re.escape(template))
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", pattern)
            response = (method.get("response") or {}).get("$ref")
            found.append((Method(service, version, method["id"], method["httpMethod"], template, response), re.compile(f"^{pattern}$")))
        for child in (node.get("resources") or {}).values():
            walk(child)

    walk(doc)
    return found


def method_for(service: str, version: str, http_method: str, path: str) -> Method | None:
    """The most specific method of the service serving `http_method path` (None: no such method)."""
    matches = [m for m, regex in _methods(service, version) if m.http_method == http_method.upper() and regex.match(path)]
    return max(matches, key=lambda m: m.literal_length, default=None)


def problems(method: Method, body: Any) -> list[str]:
    """Where `body` departs from the response schema of `method` (empty: it conforms)."""
    if method.response is None:
        return [] if body in (None, {}) else [f"{method.id} returns no body, got {type(body).__name__}"]
    schemas = document(method.service, method.version)["schemas"]
    found: list[str] = []
    _check(schemas, {"$ref": method.response}, body, method.response, found)
    return found


def _check(schemas: dict, spec: dict, value: Any, where: str, found: list[str]) -> None:
    if "$ref" in spec:
        spec = {**schemas[spec["$ref"]], **{k: v for k, v in spec.items() if k != "$ref"}}
    kind = spec.get("type")
    if kind == "any" or (kind is None and "properties" not in spec):
        return
    if kind == "object" or (kind is None and "properties" in spec):
        if not isinstance(value, dict):
            found.append(f"{where}: expected an object, got {json.dumps(value)[:60]}")
            return
        properties = spec.get("properties") or {}
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in properties:
                child = properties[key]
                if key == "kind" and "default" in child and item != child["default"]:
                    found.append(f"{where}.kind: {item!r}, the schema says {child['default']!r}")
                _check(schemas, child, item, f"{where}.{key}", found)
            elif extra is not None:
                _check(schemas, extra, item, f"{where}[{key!r}]", found)
            else:
                found.append(f"{where}: unknown field {key!r}" + (f" (schema {spec['id']})" if "id" in spec else ""))
        return
    if kind == "array":
        if not isinstance(value, list):
            found.append(f"{where}: expected an array, got {json.dumps(value)[:60]}")
            return
        for index, item in enumerate(value):
            _check(schemas, spec.get("items") or {"type": "any"}, item, f"{where}[{index}]", found)
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            found.append(f"{where}: expected a boolean, got {value!r}")
        return
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            found.append(f"{where}: expected an integer, got {value!r}")
        return
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            found.append(f"{where}: expected a number, got {value!r}")
        return
    if kind == "string":
        if not isinstance(value, str):
            found.append(f"{where}: expected a string ({spec.get('format', 'text')}), got {value!r}")
            return
        if "enum" in spec and value not in spec["enum"]:
            found.append(f"{where}: {value!r} is not one of {spec['enum']}")
        _check_format(spec.get("format"), value, where, found)
        return
    found.append(f"{where}: schema type {kind!r} not understood")


def _check_format(fmt: str | None, value: str, where: str, found: list[str]) -> None:
    if fmt in INT_FORMATS:
        if not re.fullmatch(r"-?\d+", value):
            found.append(f"{where}: {value!r} is not an {fmt}")
    elif fmt in ("google-datetime", "date-time"):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            found.append(f"{where}: {value!r} is not an RFC 3339 timestamp")
    elif fmt == "google-duration":
        if not DURATION.match(value):
            found.append(f"{where}: {value!r} is not a duration like '3.5s'")
    elif fmt == "byte":
        stripped = value.rstrip("=")
        if not BASE64.match(value) or len(stripped) % 4 == 1:
            found.append(f"{where}: {value!r} is not base64")
        else:
            try:
                base64.urlsafe_b64decode(stripped.replace("+", "-").replace("/", "_") + "=" * (-len(stripped) % 4))
            except (binascii.Error, ValueError):
                found.append(f"{where}: {value!r} is not base64")


def error_problems(body: Any) -> list[str]:
    """Where a Google error body departs from its documented shape: {"error": {code, message,
    status (a google.rpc.Code name), errors (the legacy list), details (google.rpc error_details
    messages, each parsed strictly from its @type)}}."""
    from google.protobuf import json_format
    from google.rpc import code_pb2, error_details_pb2

    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return [f"an error body is {{'error': {{...}}}}, got {json.dumps(body)[:80]}"]
    error = body["error"]
    found = [f"error: unknown field {key!r}" for key in error if key not in ("code", "message", "status", "errors", "details")]
    if not isinstance(error.get("code"), int):
        found.append(f"error.code: expected the HTTP status as an integer, got {error.get('code')!r}")
    if "status" in error and error["status"] not in code_pb2.Code.keys():
        found.append(f"error.status: {error['status']!r} is not a google.rpc.Code")
    for index, legacy in enumerate(error.get("errors") or []):
        unknown = set(legacy) - {"message", "domain", "reason", "location", "locationType", "extendedHelp", "sendReport", "debugInfo"}
        found += [f"error.errors[{index}]: unknown field {key!r}" for key in sorted(unknown)]
    for index, detail in enumerate(error.get("details") or []):
        type_name = str(detail.get("@type", "")).rsplit("/", 1)[-1]
        message = error_details_pb2.DESCRIPTOR.message_types_by_name.get(type_name.removeprefix("google.rpc."))
        if not type_name.startswith("google.rpc.") or message is None:
            found.append(f"error.details[{index}]: unknown @type {detail.get('@type')!r}")
            continue
        cls = getattr(error_details_pb2, message.name)
        try:
            json_format.ParseDict({k: v for k, v in detail.items() if k != "@type"}, cls())
        except json_format.ParseError as exc:
            found.append(f"error.details[{index}] ({message.name}): {exc}")
    return found


def services_serving(http_method: str, path: str) -> list[Method]:
    """Every fixture service's method that serves `http_method path` (a path such as
    /v1/projects/p/... can belong to several services whose service path is empty)."""
    found = []
    for service, version in FIXTURE_SERVICES.values():
        method = method_for(service, version, http_method, path)
        if method is not None:
            found.append(method)
    return found


def route_problems(http_method: str, path: str, status: int, body: Any, service: tuple[str, str] | None = None) -> list[str]:
    """Problems of one canned answer: an error body against the error shape, a success body
    against the response schema of the method serving the path (of `service` when given; else the
    body must conform to some fixture service's method for that path)."""
    if status >= 400:
        return error_problems(body)
    candidates = [m for m in [method_for(*service, http_method, path)] if m] if service else services_serving(http_method, path)
    if not candidates:
        where = f"{service[0]} {service[1]}" if service else "any fixture service"
        return [f"no method of {where} serves {http_method} {path}"]
    results = [problems(m, body) for m in candidates]
    if any(not r for r in results):
        return []
    return [f"{candidates[0].id}: {p}" for p in results[0]]
