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
