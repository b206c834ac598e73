"""The GCP collection over the real clients: project enumeration, paging, the call cache and call
counts, error classification per collector family (403 / API not enabled / 429), one project
denied while the others proceed, snapshots and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scanner.collect.gcp._client import GcpApiError, classify
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, report_for
from scanner.fakecloud.server import Route
from scanner.models.common import CoverageState, Status
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot
from tests.checks.gcp.conftest import by_project
from tests.conftest import finding


def test_organization_walk_follows_folders_and_skips_deleted_projects(gcp):
    pool = WorkPool(2)
    try:
        collection = gcp.collection(pool)
        assert collection.projects == ["acme-data", "acme-prod", "acme-sandbox"]  # acme-prod is in folders/2001; acme-old-poc is DELETE_REQUESTED
        assert collection.identity.account == "104729" and collection.identity.principal == "anonymous"
        assert [(s.kind, s.id) for s in collection.discover()] == [("organization", "104729"), *(("project", p) for p in collection.projects)]
        assert collection.member(collection.discover()[0]).scopes(False) == ["global"]
        assert collection.member(collection.discover()[1]).scopes(True) == ["acme-data"]
        folder = gcp.collection(pool, organization=None, folder="folders/2001")
        assert folder.projects == ["acme-prod"] and folder.organization == "104729"  # found through the folder's parent
        explicit = gcp.collection(pool, organization=None, projects=["acme-data"])
        assert explicit.projects == ["acme-data"] and explicit.organization == "104729"
    finally:
        pool.shutdown()


def test_projects_without_an_organization(gcp):
    gcp.add(Route("GET", "/v3/projects/acme-sandbox", body={"name": "projects/410000000003", "projectId": "acme-sandbox", "state": "ACTIVE"}))
    inventory, report = gcp.collect(["gcp.directory.users_2sv_enforced", "gcp.storage.bucket_versioning"], organization=None, projects=["acme-sandbox"])
    assert inventory.metadata.identity.account == "acme-sandbox" and inventory.metadata.organization is None
    # the organization scope stays, so its checks say why they are not applicable
    assert [(s.metadata.scope_kind, s.scope_id) for s in inventory.scopes] == [("project", "acme-sandbox"), ("organization", "no-organization")]
    assert report.metadata.scopes == ["acme-sandbox"]
    [two_sv] = [f for f in report.findings if f.check_id == "gcp.directory.users_2sv_enforced"]
    assert two_sv.status == Status.NOT_APPLICABLE and "no organization in scope" in two_sv.message and two_sv.account == "no-organization"
    assert finding(report, "gcp.storage.bucket_versioning", "acme-sandbox-scratch").status == Status.FAIL


def test_paging_call_counts_and_the_call_cache(gcp):
    inventory, report = gcp.collect(["gcp.directory.users_2sv_enforced", "gcp.storage.bucket_versioning", "gcp.kms.key_rotation_period"])
    calls = inventory.metadata.api_calls
    assert calls["admin:users.list"] == 4  # 7 users over pages of 2
    assert calls["storage:buckets.list"] == 3  # one page per project (<= 2 buckets each)
    assert calls["cloudkms:projects.locations.list"] == 4  # acme-prod has 3 locations: 2 pages
    # the organization is read once although the directory collectors both look up its customer id
    assert calls["cloudresourcemanager:organizations.getOrganization"] == 1
    page_tokens = [r.query.get("pageToken") for r in gcp.cloud.requests if r.path == "/admin/directory/v1/users"]
    assert page_tokens == [None, "2", "4", "6"]
    assert sum(calls.values()) == len(gcp.cloud.requests)  # every HTTP request is counted, nothing else


def test_one_project_denied_while_the_others_proceed(gcp):
    for path in ("/storage/v1/b", "/v1/projects/acme-data/instances"):
        query = {"project": "acme-data"} if path == "/storage/v1/b" else None
        gcp.fail(path, "permission_denied", query=query, service="storage.googleapis.com")
    report = gcp.scan("gcp.storage.bucket_versioning", "gcp.sql.high_availability")
    assert by_project(report, "acme-data") == {("gcp acme-data", "ERROR")}
    assert by_project(report, "acme-prod") == {("acme-prod-audit-logs", "PASS"), ("acme-prod-web-assets", "FAIL"), ("orders-pg", "PASS")}
    assert ("acme-sandbox-scratch", "FAIL") in by_project(report, "acme-sandbox")
    errors = {(e.key, e.scope, e.error_code) for e in report.collection_errors}
    assert errors == {("gcp.storage.buckets", "acme-data", "PERMISSION_DENIED"), ("gcp.sql.instances", "acme-data", "PERMISSION_DENIED")}


# (family, a check reading it, the list path that fails in acme-data, its query, the API name, the method counted)
FAMILIES = [
    ("resourcemanager", "gcp.resourcemanager.sa_no_admin_roles", "/v3/projects/acme-data", None, "cloudresourcemanager.googleapis.com", "cloudresourcemanager:projects.getProject"),
    ("iam", "gcp.iam.no_user_managed_sa_keys", "/v1/projects/acme-data/serviceAccounts", None, "iam.googleapis.com", "iam:projects.serviceAccounts.list"),
    ("compute", "gcp.compute.instance_block_project_ssh_keys", "/compute/v1/projects/acme-data/aggregated/instances", None, "compute.googleapis.com", "compute:instances.aggregatedList"),
    ("storage", "gcp.storage.bucket_versioning", "/storage/v1/b", {"project": "acme-data"}, "storage.googleapis.com", "storage:buckets.list"),
    ("sql", "gcp.sql.automated_backups", "/v1/projects/acme-data/instances", None, "sqladmin.googleapis.com", "sqladmin:instances.list"),
    ("kms", "gcp.kms.key_rotation_period", "/v1/projects/acme-data/locations", None, "cloudkms.googleapis.com", "cloudkms:projects.locations.list"),
    ("bigquery", "gcp.bigquery.dataset_cmek", "/bigquery/v2/projects/acme-data/datasets", None, "bigquery.googleapis.com", "bigquery:datasets.list"),
    ("dns", "gcp.dns.dnssec_enabled", "/dns/v1/projects/acme-data/managedZones", None, "dns.googleapis.com", "dns:managedZones.list"),
    ("logging", "gcp.logging.bucket_retention", "/v2/projects/acme-data/locations/-/buckets", None, "logging.googleapis.com", "logging:projects.locations.buckets.list"),
    ("monitoring", "gcp.monitoring.alert_route_changes", "/v3/projects/acme-data/alertPolicies", None, "monitoring.googleapis.com", "monitoring:projects.alertPolicies.list"),
    ("serviceusage", "gcp.serviceusage.cloud_asset_api_enabled", "/v1/projects/acme-data/services", None, "serviceusage.googleapis.com", "serviceusage:services.list"),
]


@pytest.mark.parametrize("kind", ["permission_denied", "service_disabled", "resource_exhausted"])
@pytest.mark.parametrize("family,check_id,path,query,api,method", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_project_collector_errors_are_error_or_not_applicable_never_pass(gcp, family, check_id, path, query, api, method, kind):
    gcp.fail(path, kind, query=query, service=api)
    report = gcp.scan(check_id)
    data = [f for f in report.findings if f.account == "acme-data"]
    if family == "monitoring" and kind == "service_disabled":
        # Evaluated per project, Monitoring off in acme-data leaves that project's alert check with
        # nothing collected to read: NOT_APPLICABLE, as a scan of acme-data alone always said (before
        # organizations it was a FAIL only when another project's alert policies had been collected).
        assert [(f.resource_name, f.status) for f in data] == [("gcp acme-data", Status.NOT_APPLICABLE)]
    assert [f.resource_name for f in data] == ["gcp acme-data"], [(f.resource_name, f.status) for f in data]
    [scope] = data
    if kind == "service_disabled":
        assert scope.status == Status.NOT_APPLICABLE
        assert scope.message == f"{api} is not enabled in project acme-data"
    elif kind == "permission_denied":
        assert scope.status == Status.ERROR
        assert scope.message.startswith(f"access denied to {method} in project acme-data: Permission ")
    else:
        assert scope.status == Status.ERROR
        assert scope.message == f"throttled on {method} in project acme-data after retries (RESOURCE_EXHAUSTED)"
        assert report.metadata.api_calls[method] >= 1 and gcp.cloud.calls("GET", path) >= 2  # retried before giving up
    # the other projects are still decided
    assert {f.status for f in report.findings if f.account == "acme-prod"} & {Status.PASS, Status.FAIL, Status.NOT_APPLICABLE}


ORG_FAMILIES = [
    ("organization", "gcp.logging.data_access_audit_logs", "/v3/organizations/104729", "cloudresourcemanager.googleapis.com"),
    ("org_sinks", "gcp.logging.sink_exports_all", "/v2/organizations/104729/sinks", "logging.googleapis.com"),
]


@pytest.mark.parametrize("kind", ["permission_denied", "service_disabled", "resource_exhausted"])
@pytest.mark.parametrize("family,check_id,path,api", ORG_FAMILIES, ids=[f[0] for f in ORG_FAMILIES])
def test_organization_collector_errors_withhold_project_verdicts(gcp, family, check_id, path, api, kind):
    gcp.fail(path, kind, service=api)
    report = gcp.scan(check_id)
    statuses = {(f.resource_name, f.status) for f in report.findings}
    expected = Status.NOT_APPLICABLE if kind == "service_disabled" else Status.ERROR
    # Each project's verdict reads the organization's facts too: each project says it cannot be decided, and why.
    assert statuses == {(f"gcp {p}", expected) for p in ("acme-data", "acme-prod", "acme-sandbox")}
    assert all("in the organization" in f.message or "not enabled in the organization" in f.message for f in report.findings)


def test_a_throttled_call_that_recovers_is_collected(gcp):
    gcp.fail("/v1/projects/acme-data/instances", "resource_exhausted", service="sqladmin.googleapis.com", times=1)
    report = gcp.scan("gcp.sql.high_availability")
    assert finding(report, "gcp.sql.high_availability", "analytics-mysql").status == Status.FAIL
    assert report.metadata.api_calls["sqladmin:instances.list"] == 3  # counted once per logical call, per project
    assert gcp.cloud.calls("GET", "/v1/projects/acme-data/instances") == 2


def test_enumeration_denied_is_a_configuration_error(gcp):
    from scanner.errors import ConfigurationError

    gcp.fail("/v3/folders", "permission_denied", query={"parent": "organizations/104729"}, service="cloudresourcemanager.googleapis.com")
    pool = WorkPool(2)
    try:
        with pytest.raises(ConfigurationError, match="cannot enumerate GCP projects: access denied to cloudresourcemanager:folders.listFolders"):
            gcp.collection(pool)
    finally:
        pool.shutdown()


def test_classify_google_error_bodies():
    from scanner.demo.gcp import error_body

    disabled = GcpApiError("sqladmin:instances.list", 403, error_body("service_disabled", service="sqladmin.googleapis.com", title="Cloud SQL Admin API", number="1"))
    assert classify(disabled, "sql", "p1").state == CoverageState.UNSUPPORTED
    assert classify(disabled, "sql", "p1").reason == "sqladmin.googleapis.com is not enabled in project p1"
    legacy = GcpApiError("sqladmin:instances.list", 403, {"error": {"code": 403, "message": "Cloud SQL Admin API has not been used in project 1 before or it is disabled."}})
    assert classify(legacy, "sql", "p1").reason == "sqladmin.googleapis.com is not enabled in project p1"
    denied = GcpApiError("compute:firewalls.list", 403, error_body("permission_denied", service="compute.googleapis.com", permission="compute.firewalls.list", resource="projects/p1"))
    assert (classify(denied, "compute", "p1").state, classify(denied, "compute", "p1").code) == (CoverageState.FAILED, "PERMISSION_DENIED")
    throttled = GcpApiError("compute:firewalls.list", 429, error_body("resource_exhausted", service="compute.googleapis.com", number="1"))
    assert classify(throttled, "compute", "global").reason == "throttled on compute:firewalls.list in the organization after retries (RESOURCE_EXHAUSTED)"


def test_snapshot_reevaluates_to_the_same_findings(gcp):
    ids = ["gcp.storage.bucket_not_public", "gcp.sql.automated_backups", "gcp.logging.data_access_audit_logs", "gcp.directory.users_2sv_enforced"]
    inventory, report = gcp.collect(ids)
    from scanner.models.inventory import Snapshot

    reloaded = Snapshot.model_validate(json.loads(dump_snapshot(inventory)))
    assert dump_snapshot(reloaded) == dump_snapshot(inventory)
    options = ScanOptions(checks=select_checks(load_checks(), provider="gcp", ids=ids))
    again = report_for(reloaded, options, source="snapshot")
    assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in report.findings]


def _cli(*args: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scanner.cli.main", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=120)


def test_cli_collect_evaluate_scan_and_permissions(gcp, tmp_path, capsys):
    snapshot = tmp_path / "gcp.json"
    collected = _cli("collect", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "--out", str(snapshot), "-q",
                     "--checks", "gcp.storage.bucket_versioning,gcp.sql.high_availability", cwd=str(tmp_path))
    assert collected.returncode == 0, collected.stderr
    code, out, err = _main(capsys, "evaluate", str(snapshot), "--format", "json")
    assert code == 1, err  # FAIL findings
    findings = json.loads(out)["findings"]
    assert {f["check_id"] for f in findings} == {"gcp.storage.bucket_versioning", "gcp.sql.high_availability"}
    code, out, err = _main(capsys, "scan", "gcp", "--projects", "acme-prod", "--endpoint-url", gcp.url,
                           "--checks", "gcp.sql.high_availability", "--format", "json", "-q")
    assert code == 0, err
    report = json.loads(out)
    assert report["metadata"]["scopes"] == ["acme-prod"] and report["summary"]["PASS"] == 1


def _main(capsys, *args: str) -> tuple[int, str, str]:
    import signal

    from scanner.cli.main import main

    previous = signal.getsignal(signal.SIGTERM)  # scan/demo turn SIGTERM into an interrupt: restore it
    try:
        with pytest.raises(SystemExit) as done:
            main(list(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_cli_permissions_and_usage_errors(gcp, capsys):
    code, out, _ = _main(capsys, "permissions", "gcp", "--checks", "gcp.storage.bucket_not_public,gcp.directory.users_2sv_enforced")
    assert code == 0
    assert "roles/iam.securityReviewer" in out and "storage.buckets.getIamPolicy" in out and "domain-wide" in out
    code, _, err = _main(capsys, "scan", "gcp", "--endpoint-url", gcp.url, "-q")
    assert code == 2 and err.startswith("trustscan: error: name what to scan: --organization")


def test_cli_demo_and_help_load_no_sdk(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = _main(capsys, "demo", "--provider", "gcp", "--format", "json", "-q")
    assert code == 1
    report = json.loads(out)
    assert report["metadata"]["provider"] == "gcp" and report["summary"]["FAIL"] > 0 and report["summary"]["PASS"] > 0
    assert report["summary"]["ERROR"] == 0 and len(report["metadata"]["scopes"]) == 3
    probe = (
        "import sys\nfrom scanner.cli.main import main\n"
        "for argv in (['scan', 'gcp', '--help'], ['checks', 'list', '--provider', 'gcp']):\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0\n"
        "sys.stderr.write(repr(sorted(m for m in sys.modules if m.split('.')[0] in ('google', 'googleapiclient', 'httplib2'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=str(tmp_path),
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert result.stderr == "[]", result.stderr
