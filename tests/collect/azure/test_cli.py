"""`trustscan demo --provider azure`, then `evaluate` on its snapshot, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys


def run(*args: str, cwd: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scanner.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def test_demo_then_evaluate_offline(tmp_path):
    demo = run("demo", "--provider", "azure", "-q", "--snapshot", "snap.json", "--format", "json=demo.json", "--format", "sarif=demo.sarif", cwd=str(tmp_path))
    assert demo.returncode == 1, demo.stderr  # the demo tenant has failing findings
    report = json.loads((tmp_path / "demo.json").read_text())
    assert report["metadata"]["provider"] == "azure" and report["metadata"]["source"] == "demo"
    assert len(report["metadata"]["scopes"]) == 2 and report["metadata"]["regions"] == []
    assert report["collection_errors"] == []
    assert report["summary"]["FAIL"] > 0 and report["summary"]["PASS"] > 0 and report["summary"]["ERROR"] == 0
    assert len({f["check_id"] for f in report["findings"]}) >= 45
    sarif = json.loads((tmp_path / "demo.sarif").read_text())
    assert sarif["runs"][0]["results"]

    again = run("evaluate", "snap.json", "--format", "json=again.json", cwd=str(tmp_path))
    assert again.returncode == 1, again.stderr
    offline = json.loads((tmp_path / "again.json").read_text())
    assert offline["findings"] == report["findings"]
    assert offline["metadata"]["source"] == "snapshot"


def test_permissions_lists_roles_actions_and_graph_permissions(tmp_path):
    result = run("permissions", "azure", cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["azureRoles"]["builtIn"] == ["Reader", "Security Reader"]
    assert "Microsoft.Insights/diagnosticSettings/read" in document["customRole"]["Actions"]
    assert {"Policy.Read.All", "AuditLog.Read.All", "UserAuthenticationMethod.Read.All", "RoleManagement.Read.Directory"} <= set(
        document["microsoftGraph"]["permissions"]
    )


def test_demo_replays_a_recorded_directory(tmp_path):
    """TRUSTSCAN_FAKECLOUD_DIR: the Azure demo serves a user's recorded responses instead of the bundled tenant."""
    import os

    subscription = "33333333-3333-4333-8333-333333333333"
    contact = {
        "id": f"/subscriptions/{subscription}/providers/Microsoft.Security/securityContacts/default",
        "name": "default",
        "type": "Microsoft.Security/securityContacts",
        "properties": {"emails": "soc@example.com", "isEnabled": True, "notificationsByRole": {"state": "On", "roles": ["Owner"]},
                       "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "Medium"}]},
    }
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    (recorded / "subscriptions.json").write_text(json.dumps({"value": [
        {"id": f"/subscriptions/{subscription}", "subscriptionId": subscription, "displayName": "recorded", "state": "Enabled"}]}))
    (recorded / "routes.json").write_text(json.dumps([
        {"method": "GET", "path": "/subscriptions", "body_file": "subscriptions.json", "paging": "value"},
        {"method": "GET", "path": f"/subscriptions/{subscription}/providers/Microsoft.Security/securityContacts", "body": {"value": [contact]}},
    ]))
    env = {**os.environ, "TRUSTSCAN_FAKECLOUD_DIR": str(recorded)}
    result = subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "demo", "--provider", "azure", "--checks", "azure.security.contact_email", "-q", "--format", "json=r.json"],
        capture_output=True, text=True, cwd=str(tmp_path), timeout=120, env=env,
    )
    assert result.returncode == 0, result.stderr
    findings = json.loads((tmp_path / "r.json").read_text())["findings"]
    assert [(f["resource_id"], f["status"]) for f in findings] == [(contact["id"], "PASS")]

    env["TRUSTSCAN_FAKECLOUD_DIR"] = str(tmp_path / "nowhere")
    bad = subprocess.run([sys.executable, "-m", "scanner.cli.main", "demo", "--provider", "azure", "-q"], capture_output=True, text=True, cwd=str(tmp_path), timeout=120, env=env)
    assert bad.returncode == 2 and "TRUSTSCAN_FAKECLOUD_DIR" in bad.stderr and "Traceback" not in bad.stderr
