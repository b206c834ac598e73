"""Baselines: new / unchanged / resolved by finding id, --fail-on-new-only, and `trustscan diff`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scanner.baseline import compare, diff, load_report
from scanner.errors import ConfigurationError
from scanner.gate import gating_failures
from scanner.waivers import apply_waivers
from tests.report_factory import finding, report
from tests.test_waivers import waiver

PYTHON = sys.executable


def states(r) -> dict[str, str]:
    return {f.resource_name: f.baseline_state for f in r.findings}


def test_each_finding_is_new_unchanged_or_resolved_by_id():
    old = report(
        finding("aws.s3.bucket_versioning", "still-bad"),
        finding("aws.s3.bucket_versioning", "fixed"),
        finding("aws.s3.bucket_versioning", "regressed", "PASS"),
        finding("aws.s3.bucket_versioning", "still-good", "PASS"),
        finding("aws.s3.bucket_versioning", "deleted"),
        finding("aws.s3.bucket_versioning", "deleted-good", "PASS"),
    )
    new = report(
        finding("aws.s3.bucket_versioning", "still-bad"),
        finding("aws.s3.bucket_versioning", "fixed", "PASS"),
        finding("aws.s3.bucket_versioning", "regressed"),
        finding("aws.s3.bucket_versioning", "still-good", "PASS"),
        finding("aws.s3.bucket_versioning", "brand-new"),
        finding("aws.s3.bucket_versioning", "brand-new-good", "PASS"),
    )
    compared = compare(new, old)
    assert states(compared) == {
        "still-bad": "unchanged",
        "fixed": "resolved",
        "regressed": "new",
        "still-good": "unchanged",
        "brand-new": "new",
        "brand-new-good": "new",
    }
    assert compared.baseline.counts == {"new": 3, "unchanged": 2, "resolved": 2}
    assert compared.baseline.new_failures == 2
    assert [(f.resource_name, f.baseline_state) for f in compared.baseline.resolved_findings] == [("deleted", "resolved")]
    assert sorted(f.resource_name for f in gating_failures(compared, "any", new_only=True)) == ["brand-new", "regressed"]
    assert len(gating_failures(compared, "any")) == 3
    assert gating_failures(compared, "high", new_only=True) == []  # bucket_versioning is medium


def test_a_waiver_does_not_hide_a_failure_from_the_baseline():
    old = report(finding("aws.s3.bucket_versioning", "logs"))
    new = apply_waivers(
        report(finding("aws.s3.bucket_versioning", "logs"), finding("aws.s3.bucket_versioning", "tmp")), [waiver()]
    )
    compared = compare(new, old)
    assert states(compared) == {"logs": "unchanged", "tmp": "new"}
    assert compared.baseline.new_failures == 0  # the new failure is waived: nothing to gate on
    assert gating_failures(compared, "any", new_only=True) == []


def test_a_baseline_of_another_account_is_refused():
    with pytest.raises(ConfigurationError, match="old.json is a aws report for 999999999999; this scan is aws 111122223333"):
        compare(report(), report(account="999999999999"), "old.json")


def test_sarif_results_carry_the_baseline_state():
    from scanner.formatters import sarif

    old = report(finding("aws.s3.bucket_versioning", "a"))
    new = compare(report(finding("aws.s3.bucket_versioning", "a"), finding("aws.s3.bucket_versioning", "b")), old)
    results = json.loads(sarif.render(new))["runs"][0]["results"]
    assert sorted((r["message"]["text"].split(":")[0], r["baselineState"]) for r in results) == [("a", "unchanged"), ("b", "new")]


def test_load_report_errors_are_clear(tmp_path):
    with pytest.raises(ConfigurationError, match="report file not found"):
        load_report(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(ConfigurationError, match=r"is not valid JSON \(line 1"):
        load_report(bad)
    bad.write_text(json.dumps({"version": "2.1.0", "runs": []}))
    with pytest.raises(ConfigurationError, match="is not a trustscan JSON report"):
        load_report(bad)
    data = json.loads(report().model_dump_json())
    data["schema_version"] = "2.0"
    bad.write_text(json.dumps(data))
    with pytest.raises(ConfigurationError, match="has report schema_version '2.0'"):
        load_report(bad)


def test_diff_lists_new_and_resolved_failures():
    old = report(finding("aws.s3.bucket_versioning", "fixed"), finding("aws.s3.bucket_versioning", "gone"))
    new = report(finding("aws.s3.bucket_versioning", "fixed", "PASS"), finding("aws.iam.root_mfa_enabled", "root"))
    result = diff(old, new)
    assert result["counts"] == {"new": 1, "unchanged": 0, "resolved": 2}
    assert [(f["check_id"], f["resource_name"]) for f in result["new_failures"]] == [("aws.iam.root_mfa_enabled", "root")]
    assert sorted(f["resource_name"] for f in result["resolved_failures"]) == ["fixed", "gone"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "scanner.cli.main", *args], capture_output=True, text=True, timeout=120)


def test_cli_diff_exit_status_and_formats(tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(report(finding("aws.s3.bucket_versioning", "a")).model_dump_json())
    new.write_text(report(finding("aws.s3.bucket_versioning", "a"), finding("aws.s3.bucket_versioning", "b")).model_dump_json())
    table = run("diff", str(old), str(new))
    assert table.returncode == 1, table.stderr
    assert (
        "1 new, 1 unchanged, 0 resolved findings; 1 new failing" in table.stdout
        and "aws.s3.bucket_versioning  b [us-east-1]" in table.stdout
    )
    as_json = run("diff", str(old), str(new), "--format", "json")
    assert json.loads(as_json.stdout)["counts"] == {"new": 1, "unchanged": 1, "resolved": 0}
    markdown = run("diff", str(new), str(old), "--format", "markdown")
    assert markdown.returncode == 0 and "### Resolved failures (1)" in markdown.stdout
    missing = run("diff", str(old), str(tmp_path / "none.json"))
    assert missing.returncode == 2 and "report file not found" in missing.stderr


@pytest.fixture
def estate(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="old-unversioned")
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    return aws


def test_cli_baseline_gates_only_new_failures(estate, tmp_path):
    base = (
        "scan",
        "aws",
        "--endpoint-url",
        estate.endpoint_url,
        "--regions",
        "us-east-1",
        "--checks",
        "aws.s3.bucket_versioning",
        "-q",
    )
    first = tmp_path / "first.json"
    assert run(*base, "--format", f"json={first}").returncode == 1
    # nothing new: the old failure does not gate with --fail-on-new-only
    again = tmp_path / "again.json"
    result = run(*base, "--baseline", str(first), "--fail-on-new-only", "--format", f"json={again}")
    assert result.returncode == 0, result.stderr
    document = json.loads(again.read_text())
    assert {(f["resource_name"], f["baseline_state"]) for f in document["findings"]} == {
        ("old-unversioned", "unchanged"),
        ("versioned", "unchanged"),
    }
    # a new unversioned bucket is a new failure
    estate.client("s3").create_bucket(Bucket="new-unversioned")
    third = tmp_path / "third.json"
    result = run(*base, "--baseline", str(first), "--fail-on-new-only", "--format", f"json={third}")
    assert result.returncode == 1, result.stderr
    document = json.loads(third.read_text())
    assert document["baseline"]["new_failures"] == 1
    assert {(f["resource_name"], f["baseline_state"]) for f in document["findings"] if f["status"] == "FAIL"} == {
        ("old-unversioned", "unchanged"),
        ("new-unversioned", "new"),
    }
    assert run("diff", str(first), str(third)).returncode == 1
    usage = run(*base, "--fail-on-new-only")
    assert usage.returncode == 2 and "--fail-on-new-only needs --baseline" in usage.stderr
