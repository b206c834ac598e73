"""Every GCP fixture body is one the real API could send: each canned answer of fixtures/gcp/<scenario>/
is validated against the response schema of its method in the discovery document bundled with
google-api-python-client (the resource manager's against cloudresourcemanager v3's), and each error
body against google.rpc's error shape. Unknown fields, wrong JSON types and values outside an enum
fail; so do bodies that tests add with `gcp.add(...)` (checked in tests/checks/gcp/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.demo.gcp import FIXTURES, error_body, substitutions
from scanner.fakecloud.server import load_routes
from tests.gcp_discovery import FIXTURE_SERVICES, error_problems, method_for, problems, route_problems

SCENARIO_FILES = sorted(p for p in FIXTURES.glob("*/*.json") if p.parent.name != "errors")


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_bodies_follow_the_discovery_document(path: Path):
    assert path.stem in FIXTURE_SERVICES, f"{path.name}: name the discovery service of this file in FIXTURE_SERVICES"
    service = FIXTURE_SERVICES[path.stem]
    found = []
    for route in load_routes(path, **substitutions()):
        found += [f"{route.method} {route.path}: {p}" for p in route_problems(route.method, route.path, route.status, route.body, service)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("kind", ["permission_denied", "resource_exhausted", "service_disabled"])
def test_error_bodies_follow_google_rpc_status(kind):
    body = error_body(kind, service="compute.googleapis.com", title="Compute Engine API", number="410000000001",
                      permission="compute.firewalls.list", resource="projects/acme-prod")
    assert error_problems(body) == []


def _method(path: str, service: str = "compute", version: str = "v1", http_method: str = "GET"):
    method = method_for(service, version, http_method, path)
    assert method is not None, path
    return method


def test_the_validator_finds_unknown_fields_wrong_types_enums_and_formats():
    firewalls = _method("/compute/v1/projects/p/global/firewalls")
    assert firewalls.id == "compute.firewalls.list"
    good = {"kind": "compute#firewallList", "items": [{"kind": "compute#firewall", "name": "ssh", "id": "17587622333415",
                                                        "priority": 1000, "direction": "INGRESS", "disabled": False,
                                                        "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}]}]}
    assert problems(firewalls, good) == []
    bad = {"kind": "compute#firewall", "items": [{"name": "ssh", "id": 17587622333415, "priority": "1000", "direction": "IN",
                                                  "disabled": "false", "allowed": [{"protocol": "tcp"}], "enableLogging": True}]}
    assert sorted(problems(firewalls, bad)) == sorted([
        "FirewallList.kind: 'compute#firewall', the schema says 'compute#firewallList'",
        "FirewallList.items[0].id: expected a string (uint64), got 17587622333415",
        "FirewallList.items[0].priority: expected an integer, got '1000'",
        "FirewallList.items[0].direction: 'IN' is not one of ['EGRESS', 'INGRESS']",
        "FirewallList.items[0].disabled: expected a boolean, got 'false'",
        "FirewallList.items[0].allowed[0]: unknown field 'protocol'",
        "FirewallList.items[0]: unknown field 'enableLogging' (schema Firewall)",
    ])
    subnets = _method("/compute/v1/projects/p/aggregated/subnetworks")
    assert problems(subnets, {"items": {"regions/r": {"subnetworks": [{"fingerprint": "x=", "creationTimestamp": "yesterday",
                                                                        "purpose": "PRIVATE_RFC_1918"}]}}}) == [
        "SubnetworkAggregatedList.items['regions/r'].subnetworks[0].fingerprint: 'x=' is not base64",
    ]  # compute's creationTimestamp is plain text in the discovery document
    buckets = _method("/v2/projects/p/locations/-/buckets", "logging", "v2")
    assert problems(buckets, {"buckets": [{"name": "b", "retentionDays": 30, "createTime": "yesterday"}]}) == [
        "ListBucketsResponse.buckets[0].createTime: 'yesterday' is not an RFC 3339 timestamp"]


def test_a_list_item_with_get_only_fields_fails():
    """BigQuery's datasets.list returns a summary per dataset: the GET's encryption settings are
    not part of its schema, so a fixture cannot put them there."""
    listed = _method("/bigquery/v2/projects/p/datasets", "bigquery", "v2")
    assert problems(listed, {"datasets": [{"datasetReference": {"datasetId": "d", "projectId": "p"},
                                           "defaultEncryptionConfiguration": {"kmsKeyName": "k"}}]}) == [
        "DatasetList.datasets[0]: unknown field 'defaultEncryptionConfiguration'"]


def test_error_bodies_are_checked_too():
    assert error_problems({"error": {"code": 403, "status": "DENIED", "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "X", "domain": "d", "extra": 1},
        {"@type": "type.googleapis.com/google.rpc.Unknown"}]}}) == [
        "error.status: 'DENIED' is not a google.rpc.Code",
        'error.details[0] (ErrorInfo): Message type "google.rpc.ErrorInfo" has no field named "extra" at "ErrorInfo".\n'
        ' Available Fields(except extensions): "[\'reason\', \'domain\', \'metadata\']"',
        "error.details[1]: unknown @type 'type.googleapis.com/google.rpc.Unknown'",
    ]
