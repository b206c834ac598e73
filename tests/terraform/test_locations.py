"""Terraform findings at file and line: SARIF physical locations (validated), the lines hold the block
the finding names, workflow annotations carry file= and line=, waivers match Terraform addresses,
and the CLI runs end to end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from scanner.ci import github
from scanner.formatters import sarif
from tests.terraform.conftest import FIXTURES, tf_scan

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent.parent / "shared" if (REPO.parent.parent / "shared").exists() else REPO.parent / "shared"
VALIDATOR = SHARED / "tools" / "validate_sarif.py"


@pytest.fixture(scope="module")
def report():
    return tf_scan(FIXTURES / "aws")


def _block_header(address: str) -> tuple[str, str]:
    """`module.x["k"].aws_s3_bucket.logs[0]` -> ("aws_s3_bucket", "logs")."""
    last = re.sub(r"\[[^\]]*\]", "", address).split(".")
    return last[-2], last[-1]


def test_each_location_lies_inside_the_resource_block_it_names(report):
    assert_locations_inside_blocks(report, minimum=100)


def assert_locations_inside_blocks(report, minimum: int) -> None:
    """Each located finding's lines lie inside the resource block its address names (the whole block,
    or lines within it)."""
    located = [f for f in report.findings if f.location is not None and f.location.address]
    assert len(located) > minimum
    cwd = Path.cwd()
    for finding in located:
        loc = finding.location
        path = cwd / loc.root / loc.file
        lines = path.read_text(encoding="utf-8").splitlines()
        kind, name = _block_header(loc.address)
        header = re.compile(rf'^\s*resource\s+"{kind}"\s+"{name}"\s*\{{')
        # the block starts at or above the location and closes at or below it
        start = next(i for i in range(loc.start_line - 1, -1, -1) if header.match(lines[i]))
        depth, end = 0, None
        for i in range(start, len(lines)):
            depth += lines[i].count("{") - lines[i].count("}")
            if depth == 0:
                end = i + 1
                break
        assert end is not None and loc.start_line >= start + 1 and loc.end_line <= end, (finding.check_id, loc)
        if loc.start_line == start + 1:  # the whole block
            assert loc.end_line == end, (finding.check_id, loc)


@pytest.mark.skipif(not VALIDATOR.exists(), reason="../shared/tools/validate_sarif.py is not available")
def test_sarif_has_real_file_locations_and_passes_strict_validation(report, tmp_path):
    text = sarif.render(report)
    document = json.loads(text)
    run = document["runs"][0]
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    results = run["results"]
    assert results
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uri = physical["artifactLocation"]["uri"]
        assert uri.startswith("fixtures/terraform/aws/") and uri.endswith(".tf")
        assert (REPO / uri).is_file()
        assert 1 <= physical["region"]["startLine"] <= physical["region"]["endLine"]
    path = tmp_path / "tf.sarif"
    path.write_text(text, encoding="utf-8")
    checked = subprocess.run([sys.executable, str(VALIDATOR), "--strict", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_workflow_annotations_carry_file_and_line(report):
    lines = github.annotations(report, workspace=Path.cwd())
    located = [line for line in lines if "file=" in line]
    assert located
    for line in located:
        match = re.search(r"file=([^,]+),line=(\d+)", line)
        assert match and (Path.cwd() / match.group(1)).is_file()


def test_waiver_matches_a_terraform_address(report):
    from scanner.config import Waiver
    from scanner.waivers import apply_waivers

    waiver = Waiver(
        id="tf-1",
        check="aws.s3.bucket_versioning",
        resource="aws_s3_bucket.fail_all",
        justification="being migrated",
        owner="platform",
        expires=date.today() + timedelta(days=30),
    )
    waived = apply_waivers(report, [waiver])
    statuses = {
        ((f.location.resource_address or f.location.address) if f.location else "", f.status.value)
        for f in waived.findings
        if f.check_id == "aws.s3.bucket_versioning"
    }
    assert ("aws_s3_bucket.fail_all", "WAIVED") in statuses
    assert waived.waivers[0].state == "active"


def test_module_addresses_and_for_each_keys_are_kept(report):
    addresses = {f.location.resource_address or f.location.address for f in report.findings if f.location}
    assert 'module.database["pass_db"].aws_db_instance.this' in addresses
    assert 'aws_s3_bucket.team["analytics"]' in addresses


def test_cli_scan_terraform_end_to_end(tmp_path):
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "scan", "terraform", "fixtures/terraform/aws/s3", "--var", "team_versioning=Enabled",
         "--checks", "aws.s3.bucket_versioning", "--format", f"json={out}", "-q"],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 1, done.stderr  # fail_all fails
    data = json.loads(out.read_text())
    assert data["metadata"]["provider"] == "terraform"
    statuses = sorted(f["status"] for f in data["findings"])
    assert statuses == ["FAIL", "FAIL", "PASS", "PASS", "PASS"]  # fail_all (Suspended) and the replica (never enabled)


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "scanner.cli.main", "scan", "terraform", str(tmp_path / "nope")], capture_output=True, text=True, cwd=REPO)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    (tmp_path / "only.tf").write_text('resource "aws_s3_bucket" "x" {\n', encoding="utf-8")
    broken = subprocess.run([sys.executable, "-m", "scanner.cli.main", "scan", "terraform", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert broken.returncode == 2 and "only.tf:2" in broken.stderr and "Traceback" not in broken.stderr


def test_baseline_gates_only_on_what_a_change_introduces(tmp_path):
    """The pull-request flow: the base scan is the baseline; only new failures fail the PR scan."""
    import shutil

    tree = tmp_path / "infra"
    shutil.copytree(FIXTURES / "aws" / "s3", tree)
    base = tmp_path / "base.json"

    def scan(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "scanner.cli.main", "scan", "terraform", "infra", "--var", "team_versioning=Enabled",
             "--checks", "aws.s3.bucket_versioning,aws.s3.bucket_tls_only", "-q", *extra],
            capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        )

    assert scan("--format", f"json={base}").returncode == 1  # existing failures
    assert scan("--baseline", str(base), "--fail-on-new-only").returncode == 0
    main = tree / "main.tf"
    main.write_text(main.read_text() + '\nresource "aws_s3_bucket" "new_one" {\n  bucket = "brand-new"\n}\n')
    introduced = scan("--baseline", str(base), "--fail-on-new-only", "--format", "json")
    assert introduced.returncode == 1
    new = [f for f in json.loads(introduced.stdout)["findings"] if f.get("baseline_state") == "new"]
    assert {(f["location"]["address"], f["status"]) for f in new} == {("aws_s3_bucket.new_one", "FAIL")}
