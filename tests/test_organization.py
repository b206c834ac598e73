"""Organizations as scopes: every scan is a Snapshot of scope inventories (accounts, subscriptions,
projects, the organization itself), collected and evaluated scope by scope.

Azure through the fake ARM / Graph server (tests/azure_fixtures.py), GCP through the fake Google APIs
(tests/checks/gcp/conftest.py), AWS through moto: real SDK clients over HTTP, nothing mocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.collect.registry import load_collectors
from scanner.engine.evaluate import evaluate
from scanner.engine.scan import ScanOptions, frameworks, load_snapshot, report_for
from scanner.fakecloud.server import Route
from scanner.models.common import CoverageState, Status
from scanner.models.inventory import Inventory, InventoryMetadata, Snapshot
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot
from tests.azure_fixtures import DEV, PROD, TENANT, azure, azure_server  # noqa: F401
from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401
from tests.conftest import verdicts

GCP_PROJECTS = ("acme-data", "acme-prod", "acme-sandbox")


@pytest.mark.parametrize("provider", ["azure", "gcp"])
def test_azure_and_gcp_tenant_wide_collectors_run_once_in_the_organization_scope(provider):
    """Azure subscriptions and GCP projects are member scopes: a collector is either per member
    (regional=True) or organization-level (organization=True), never "once per member, globally"."""
    for key, spec in load_collectors(provider).items():
        assert spec.regional != spec.organization, f"{key}: regional={spec.regional} organization={spec.organization}"


def test_azure_scopes_evaluate_separately(azure):
    snapshot, report = azure.collect(["azure.sql.min_tls_1_2", "azure.entra.mfa_required_for_all_users"])
    assert isinstance(snapshot, Snapshot) and {s.metadata.scope_kind for s in snapshot.scopes} == {"organization", "subscription"}
    # the tenant-wide check is decided once, in the tenant; the per-subscription check in each subscription
    assert {f.account for f in report.findings if f.check_id == "azure.entra.mfa_required_for_all_users"} == {TENANT}
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL")}
    by_scope = {s.id: s for s in report.scopes}
    assert by_scope[PROD].counts == {Status.PASS: 1} and by_scope[DEV].counts == {Status.FAIL: 1}
    assert by_scope[DEV].criteria["soc2"]["CC6.7"] == "not_satisfied" and by_scope[PROD].criteria["soc2"]["CC6.7"] == "satisfied"
    assert by_scope[TENANT].kind == "organization" and set(by_scope[TENANT].counts) <= {Status.PASS, Status.FAIL}
    # findings come scope by scope (by account), then by check and resource
    assert [f.account for f in report.findings] == sorted(f.account for f in report.findings)


def test_a_subscription_that_refuses_access_is_error_for_that_subscription_only(azure):
    for route in [r for r in azure.cloud.routes if f"/subscriptions/{DEV}/" in r.path.lower()]:
        azure.error(route.path, "denied", action="Microsoft.Resources/read")
    report = azure.scan("azure.sql.min_tls_1_2", "azure.storage.min_tls_1_2", "azure.entra.global_admins_limited")
    dev = [f for f in report.findings if f.account == DEV]
    assert {(f.resource_name, f.status) for f in dev} == {(f"azure {DEV}", Status.ERROR)}
    assert all(f"subscription {DEV}" in f.message and "AuthorizationFailed" in f.message for f in dev)
    assert Status.PASS in {f.status for f in report.findings if f.account == PROD}  # the others proceed
    assert {f.status for f in report.findings if f.account == TENANT} <= {Status.PASS, Status.FAIL}
    states = {s.id: s.state for s in report.scopes}
    assert states == {PROD: "scanned", DEV: "failed", TENANT: "scanned"}
    assert {e.account for e in report.collection_errors} == {DEV}


def test_mixed_checks_read_the_organization_facts_from_the_organization_scope(gcp):
    """gcp.logging.sink_exports_all reads each project's sinks and the organization's: evaluated per
    project with the organization's facts; without the organization scope it cannot be decided."""
    snapshot, report = gcp.collect(["gcp.logging.sink_exports_all"])
    assert verdicts(report, "gcp.logging.sink_exports_all") == {("acme-data", "FAIL"), ("acme-prod", "PASS"), ("acme-sandbox", "FAIL")}
    # an aggregated organization sink without a filter covers every project, each evaluated on its own
    sink = {"name": "all-logs", "destination": "storage.googleapis.com/acme-org-logs",
            "writerIdentity": "serviceAccount:service-org-104729@gcp-sa-logging.iam.gserviceaccount.com",
            "createTime": "2024-06-01T10:00:00.000Z", "updateTime": "2024-06-01T10:00:00.000Z", "includeChildren": True}
    gcp.add(Route("GET", "/v2/organizations/104729/sinks", body={"sinks": [sink]}, paging="sinks", paging_style="google"))
    snapshot, report = gcp.collect(["gcp.logging.sink_exports_all"])
    assert verdicts(report, "gcp.logging.sink_exports_all") == {("acme-data", "PASS"), ("acme-prod", "PASS"), ("acme-sandbox", "PASS")}
    assert all("organization/all-logs" in f.message for f in report.findings)
    organization = snapshot.organization_scope()
    assert organization is not None and [c.key for c in organization.coverage] == ["gcp.logging.org_sinks"]
    alone = Snapshot(metadata=snapshot.metadata, scopes=snapshot.members())
    findings = evaluate(alone, select_checks(load_checks(), ids=["gcp.logging.sink_exports_all"]), frameworks())
    assert {(f.account, f.status) for f in findings} == {(p, Status.ERROR) for p in GCP_PROJECTS}
    assert all("the organization scope is not part of this snapshot" in f.message for f in findings)


def _legacy(snapshot: Snapshot) -> Inventory:
    """The schema-1 form trustscan wrote before organizations: one inventory holding every scope."""
    provider = snapshot.metadata.provider
    merged = type(getattr(snapshot.scopes[0], provider))()
    for scope in snapshot.scopes:
        mine = getattr(scope, provider)
        for service in type(mine).model_fields:
            for attribute, value in getattr(mine, service):
                current = getattr(getattr(merged, service), attribute)
                if isinstance(value, list):
                    setattr(getattr(merged, service), attribute, sorted([*current, *value], key=lambda r: (r.id, r.region)))
                elif value is not None and scope.metadata.scope_kind == "organization":
                    setattr(getattr(merged, service), attribute, value)
    meta = snapshot.metadata
    return Inventory(
        metadata=InventoryMetadata(tool_version=meta.tool_version, provider=provider, collected_at=meta.collected_at,
                                   identity=meta.identity, scope_field="account", scopes=snapshot.member_ids(), checks=meta.checks),
        coverage=sorted(snapshot.coverage, key=lambda c: (c.key, c.scope)),
        **{provider: merged},
    )


def test_schema_1_snapshots_still_load_and_evaluate_as_one_scope(azure, tmp_path):
    ids = ["azure.sql.min_tls_1_2", "azure.sql.audit_retention", "azure.entra.global_admins_limited"]
    snapshot, report = azure.collect(ids)
    old = tmp_path / "schema-1.json"
    old.write_text(dump_snapshot(_legacy(snapshot)))
    assert json.loads(old.read_text())["schema_version"] == "1"
    loaded = load_snapshot(str(old))
    assert isinstance(loaded, Inventory) and loaded.metadata.scope_kind is None
    legacy = report_for(loaded, ScanOptions(checks=select_checks(load_checks(), ids=ids)), source="snapshot")
    # the same verdicts on resources; a schema-1 inventory is evaluated as one scope, as it always was:
    # one "nothing in scope" for the tenant where per-subscription evaluation says it per subscription
    resources = {(f.check_id, f.resource_id, f.status) for f in report.findings if f.resource_type != "account"}
    assert resources == {(f.check_id, f.resource_id, f.status) for f in legacy.findings if f.resource_type != "account"}
    assert verdicts(report, "azure.sql.audit_retention") == {("sql-contoso-prod", "PASS"), (f"azure {DEV}", "NOT_APPLICABLE")}
    assert verdicts(legacy, "azure.sql.audit_retention") == {("sql-contoso-prod", "PASS")}
    assert [s.id for s in legacy.scopes] == [TENANT] and legacy.metadata.scopes == [PROD, DEV]
    assert all(c.state == CoverageState.COLLECTED for c in loaded.coverage)


def test_a_single_aws_account_is_an_organization_of_one(aws):
    from scanner.engine.organization import is_organization
    from scanner.engine.pool import WorkPool
    from scanner.providers import aws as provider

    aws.client("s3").create_bucket(Bucket="plain")
    pool = WorkPool(4)
    try:
        collection = provider.open_collection(pool, regions="us-east-1", endpoint_url=aws.endpoint_url, session=aws.session())
        assert is_organization(collection)  # without --org, the caller's account is the one scope
        [scope] = collection.discover()
        assert (scope.kind, scope.id) == ("account", "123456789012")
        options = ScanOptions(checks=select_checks(load_checks(), ids=["aws.s3.bucket_versioning"]))
        from scanner.engine.scan import collect

        snapshot = collect(collection, pool, options)
    finally:
        pool.shutdown()
    [inventory] = snapshot.scopes
    assert inventory.metadata.scope_kind == "account" and inventory.metadata.regions == ["us-east-1"]
    report = report_for(snapshot, options, source="test")
    assert verdicts(report, "aws.s3.bucket_versioning") == {("plain", "FAIL")}
    assert [(s.id, s.kind, s.state) for s in report.scopes] == [("123456789012", "account", "scanned")]
    assert report.metadata.scopes == [] and report.metadata.regions == ["us-east-1"]


# -- Azure management groups ----------------------------------------------------------------------

MG = "/providers/Microsoft.Management/managementGroups"


def _management_groups(azure) -> None:
    """The descendants of mg-contoso (fixtures/azure/management-groups, the shape of the REST spec's
    GetDescendants example for 2023-04-01): nested groups, the Disabled sandbox subscription."""
    from scanner.fakecloud.azure import scenario_dir
    from scanner.fakecloud.server import load_routes

    azure.add(*load_routes(scenario_dir("management-groups") / "routes.json"))  # held to the SDK model too


def _open(azure, pool=None, **options):
    from scanner.engine.pool import WorkPool
    from scanner.providers import azure as provider

    own = pool is None
    pool = pool or WorkPool(2)
    try:
        return provider.open_collection(pool, endpoint_url=azure.cloud.url, credential=azure.credential,
                                        connection_verify=azure.cloud.ca_path, retry_total=0, **options)
    finally:
        if own:
            pool.shutdown()


def test_management_group_scans_its_enabled_subscriptions_at_any_depth(azure):
    _management_groups(azure)
    collection = _open(azure, management_group="mg-contoso")
    # PROD sits in mg-contoso-prod, DEV two levels down (mg-contoso-nonprod / mg-contoso-dev); the
    # sandbox subscription is under the group too, but Disabled
    assert [(s.kind, s.id, s.name) for s in collection.discover()] == [
        ("organization", TENANT, "Entra ID tenant"), ("subscription", PROD, "Contoso Production"), ("subscription", DEV, "Contoso Development")]
    assert azure.calls(f"{MG}/mg-contoso/descendants") == 4  # seven descendants, two a page
    assert {r.query.get("api-version") for r in azure.cloud.requests if "descendants" in r.path} == {"2023-04-01"}
    assert collection.plan_options() == {"cloud": "public", "management_group": "mg-contoso"}
    nested = _open(azure, management_group=f"{MG}/mg-contoso-nonprod")  # the full resource id works too
    assert nested.subscriptions == [DEV]


@pytest.mark.parametrize("kind", ["denied", "not_found"])
def test_an_unknown_management_group_is_one_line_and_nothing_scanned(azure, kind):
    # ARM answers a group that does not exist with 403 AuthorizationFailed ("... or the scope is
    # invalid") as often as with 404: both say the same to the user.
    azure.error(f"{MG}/mg-nowhere/descendants", kind, action="Microsoft.Management/managementGroups/descendants/read")
    from scanner.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as raised:
        _open(azure, management_group="mg-nowhere")
    message = str(raised.value)
    assert message.startswith("management group 'mg-nowhere' was not found or cannot be read (") and "\n" not in message
    assert not [r for r in azure.cloud.requests if "/providers/Microsoft.Storage" in r.path]


def test_management_group_and_subscriptions_are_exclusive(capsys):
    from scanner.cli.main import main

    with pytest.raises(SystemExit) as done:
        main(["scan", "azure", "--subscriptions", PROD, "--management-group", "mg-contoso", "-q"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "give one of them" in err and err.count("\n") == 1


def test_a_subscription_under_the_group_that_the_list_does_not_show_is_scanned_not_dropped(azure):
    """A subscription the descendants API names but GET /subscriptions does not (no role there): it is
    a scope of the scan, ERROR for what it would have filled, never silently left out."""
    from scanner.fakecloud.azure import scenario_dir
    from scanner.fakecloud.server import load_routes

    [routes, _] = load_routes(scenario_dir("management-groups") / "routes.json")
    hidden = "77777777-7777-4777-8777-777777777777"
    extra = {"name": hidden, "type": "Microsoft.Management/managementGroups/subscriptions", "id": f"/subscriptions/{hidden}",
             "properties": {"displayName": "Contoso Finance", "parent": {"id": f"{MG}/mg-contoso-prod"}}}
    routes.body = {**routes.body, "value": [*routes.body["value"], extra]}
    azure.add(routes)
    azure.error(f"/subscriptions/{hidden}/providers/Microsoft.Sql/servers", "denied", action="Microsoft.Sql/servers/read")
    from scanner.engine.pool import WorkPool
    from scanner.engine.scan import collect

    options = ScanOptions(checks=select_checks(load_checks(), ids=["azure.sql.min_tls_1_2"]))
    pool = WorkPool(4)
    try:
        collection = _open(azure, pool, management_group="mg-contoso")
        assert collection.subscriptions == sorted([PROD, DEV, hidden])
        snapshot = collect(collection, pool, options)
    finally:
        pool.shutdown()
    report = report_for(snapshot, options, source="test")
    assert verdicts(report, "azure.sql.min_tls_1_2") == {("sql-contoso-prod", "PASS"), ("sql-contoso-dev", "FAIL"), (f"azure {hidden}", "ERROR")}
    assert {s.id: s.state for s in report.scopes}[hidden] == "failed"


# -- an organization report through every output and after-evaluation step --------------------------


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    import signal

    from scanner.cli.main import main

    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as done:
            main(list(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def _gcp(gcp, *args: str) -> tuple[str, ...]:
    return ("scan", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "-q", *args)


def test_a_project_refusing_access_with_nothing_failing_exits_3(gcp, capsys):
    gcp.fail("/v1/projects/acme-data/instances", "permission_denied", service="sqladmin.googleapis.com")
    code, out, err = _cli(capsys, "scan", "gcp", "--projects", "acme-prod,acme-data", "--endpoint-url", gcp.url, "-q",
                          "--checks", "gcp.sql.high_availability", "--format", "json")
    assert code == 3, err  # ERROR for acme-data, PASS for acme-prod: nothing FAILs
    report = json.loads(out)
    assert {(f["account"], f["status"]) for f in report["findings"]} == {("acme-prod", "PASS"), ("acme-data", "ERROR")}
    assert {s["id"]: s["state"] for s in report["scopes"]} == {"acme-prod": "scanned", "acme-data": "failed"}


def test_table_markdown_and_sarif_group_an_organization_by_account(gcp, capsys, tmp_path):
    from scanner.models.report import Report

    code, out, err = _cli(capsys, *_gcp(gcp, "--format", "json", "--checks",
                                        "gcp.storage.bucket_versioning,gcp.kms.key_rotation_period,gcp.directory.users_2sv_enforced"))
    report = Report.model_validate_json(out)
    from scanner.formatters import markdown, sarif, table

    text = table.render(report)
    assert "Scopes" in text and "acme-sandbox" in text and "organization" in text and "Account" in text
    md = markdown.render(report)
    assert "### Scopes (4: 1 organization, 3 project)" in md
    assert "| `acme-data` | project | scanned |" in md and "| Account | Severity |" in md
    failing = [line for line in md.splitlines() if line.startswith("| `acme-")]
    accounts = [line.split("`")[1] for line in failing if "| project |" not in line]
    assert accounts == sorted(accounts)  # failing findings grouped by account
    document = json.loads(sarif.render(report))
    assert len(document["runs"]) == 1
    results = document["runs"][0]["results"]
    assert {r["properties"]["account"] for r in results} == {"acme-data", "acme-prod", "acme-sandbox", "104729"}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(f"cloud/gcp/{r['properties']['account']}/")
               for r in results)
    assert [s["id"] for s in document["runs"][0]["properties"]["scopes"]] == [s.id for s in report.scopes]
    validator = Path("/work/shared/tools/validate_sarif.py")
    if validator.exists():
        (tmp_path / "org.sarif").write_text(sarif.render(report))
        checked = subprocess.run([sys.executable, str(validator), str(tmp_path / "org.sarif")], capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_waivers_baseline_diff_evidence_and_period_on_an_organization_report(gcp, capsys, tmp_path):
    config = tmp_path / "trustscan.yaml"
    config.write_text(
        "waivers:\n"
        "  - id: DATA-LOG-EXPORT\n"
        "    check: gcp.logging.sink_exports_all\n"
        "    resource: '*'\n"
        "    account: acme-data\n"
        "    justification: acme-data exports its logs through the warehouse pipeline\n"
        "    owner: data-team@example.com\n"
        "    expires: 2999-12-31\n"
    )
    checks = ("--checks", "gcp.storage.bucket_versioning,gcp.logging.sink_exports_all")
    first = tmp_path / "first.json"
    code, _, err = _cli(capsys, *_gcp(gcp, *checks, "--format", f"json={first}"))
    assert code == 1, err
    bundle = tmp_path / "bundle"
    code, _, err = _cli(capsys, *_gcp(gcp, *checks, "--config", str(config), "--baseline", str(first), "--format", f"json={tmp_path / 'second.json'}",
                                      "--snapshot", str(tmp_path / "second.snapshot.json"), "--evidence-dir", str(bundle)))
    assert code == 1, err
    second = json.loads((tmp_path / "second.json").read_text())
    waived = [f for f in second["findings"] if f["status"] == "WAIVED"]
    assert waived and {f["account"] for f in waived} == {"acme-data"}  # the waiver names one project
    assert {f["account"] for f in second["findings"] if f["check_id"] == "gcp.logging.sink_exports_all" and f["status"] == "FAIL"} == {"acme-sandbox"}
    scopes = {s["id"]: s for s in second["scopes"]}
    assert scopes["acme-data"]["counts"].get("WAIVED") == len(waived) and "WAIVED" not in scopes["acme-prod"]["counts"]
    assert second["baseline"]["counts"]["new"] == 0 and second["baseline"]["new_failures"] == 0
    code, out, err = _cli(capsys, "diff", str(first), str(tmp_path / "second.json"), "--format", "json")
    assert code == 0 and json.loads(out)["new_failures"] == [], err
    code, out, err = _cli(capsys, "verify", str(bundle))
    assert code == 0, out + err
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["snapshot_schema_version"] == "2" and {"acme-data", "acme-prod", "acme-sandbox", "104729"} <= set(manifest["scope"]["accounts"])
    code, out, err = _cli(capsys, "period", str(first), str(tmp_path / "second.json"), "--format", "json")
    assert code == 0, err
    period = json.loads(out)
    assert period["inputs"]["scans"] == 2


def test_evidence_bundle_from_merged_shards_verifies(gcp, capsys, tmp_path):
    files = []
    for index in (1, 2):
        code, _, err = _cli(capsys, *_gcp(gcp, "--checks", "gcp.storage.bucket_versioning,gcp.logging.data_access_audit_logs", "--shard", f"{index}/2",
                                          "--format", f"json={tmp_path / f's{index}.json'}", "--snapshot", str(tmp_path / f's{index}.snap.json')))
        assert code == 1, err
        files += [str(tmp_path / f"s{index}.json"), str(tmp_path / f"s{index}.snap.json")]
    code, _, err = _cli(capsys, "merge", "-q", "--out", str(tmp_path / "merged.json"), "--snapshot-out", str(tmp_path / "merged.snap.json"), *files)
    assert code == 1, err
    code, _, err = _cli(capsys, "evidence", str(tmp_path / "merged.json"), str(tmp_path / "merged.snap.json"), "--out", str(tmp_path / "bundle"))
    assert code == 0, err
    code, out, err = _cli(capsys, "verify", str(tmp_path / "bundle"))
    assert code == 0, out + err
