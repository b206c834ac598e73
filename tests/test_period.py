"""Period (Type 2) reports on synthetic histories with known answers, and the streaming reader's edge cases."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from scanner.engine.evaluate import finding_id
from scanner.errors import ConfigurationError
from scanner.mapping import criteria_index, load_framework, rollup
from scanner.models.common import Category, Severity, Status
from scanner.models.inventory import Identity
from scanner.models.report import AppliedWaiver, Finding, Report, ScanMetadata
from scanner.period import reader
from scanner.period.analysis import PeriodOptions, analyse
from scanner.period.render import render

ACCOUNT = "111122223333"
DAY0 = datetime(2026, 1, 1, 6, 0, tzinfo=timezone.utc)  # day 1 of the history is 2026-01-01
CRITERIA = criteria_index({"soc2": load_framework("soc2")})


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n - 1)


def make_finding(check_id: str, name: str, status: str, waiver: AppliedWaiver | None = None) -> Finding:
    resource_id = f"arn:aws:test:us-east-1:{ACCOUNT}:{name}"
    return Finding(
        finding_id=finding_id("aws", ACCOUNT, check_id, resource_id, "us-east-1"),
        check_id=check_id, check_title=check_id, provider="aws", service=check_id.split(".")[1], severity=Severity.HIGH,
        category=Category.BACKUP, resource_type="AWS::Test::Thing", resource_id=resource_id, resource_name=name, account=ACCOUNT,
        region="us-east-1", status=Status(status), message=f"{name} setting is {status}", evidence={"setting": status},
        criteria={k: sorted(v) for k, v in CRITERIA.get(check_id, {}).items()}, remediation="Fix it.", waiver=waiver,
    )


def make_report(n: int, findings: list[Finding]) -> Report:
    findings = sorted(findings, key=lambda f: (f.check_id, f.resource_id, f.region))
    evaluated = sorted({f.check_id for f in findings})
    summary: dict[Status, int] = {}
    for f in findings:
        summary[f.status] = summary.get(f.status, 0) + 1
    return Report(
        metadata=ScanMetadata(
            tool_version="0.1.0", provider="aws", source="test", identity=Identity(account=ACCOUNT), regions=["us-east-1"],
            collected_at=day(n), started_at=day(n), finished_at=day(n), elapsed_seconds=1.0, checks_evaluated=len(evaluated),
        ),
        summary=summary, findings=findings,
        criteria=rollup(load_framework("soc2"), findings, evaluated, {"aws"}),
    )


def write(folder: Path, n: int, findings: list[Finding]) -> Path:
    path = folder / f"report-day{n:03d}.json"
    path.write_text(make_report(n, findings).model_dump_json(indent=2) + "\n")
    return path


VERSIONING = "aws.s3.bucket_versioning"
MFA = "aws.iam.root_mfa_enabled"


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Days 1-30 and 51-60 scanned (a 20-day gap). `data` fails on days 10-14 and is fixed on day 15;
    `logs` fails from day 55 to the end; root MFA passes throughout."""
    for n in [*range(1, 31), *range(51, 61)]:
        data = "FAIL" if 10 <= n <= 14 else "PASS"
        logs = "FAIL" if n >= 55 else "PASS"
        write(tmp_path, n, [make_finding(VERSIONING, "data", data), make_finding(VERSIONING, "logs", logs), make_finding(MFA, "root", "PASS")])
    return tmp_path


def test_failure_window_and_time_to_remediate(history):
    result = analyse([str(history)], PeriodOptions(start=date(2026, 1, 1), end=date(2026, 3, 1)))
    windows = [w for w in result["failures"] if w["resource_name"] == "data"]
    assert len(windows) == 1
    window = windows[0]
    assert window["started_at"] == "2026-01-10T06:00:00Z"
    assert window["last_failed_at"] == "2026-01-14T06:00:00Z"
    assert window["remediated_at"] == "2026-01-15T06:00:00Z"
    assert window["time_to_remediate_days"] == 5.0
    assert window["failing_scans"] == 5 and window["resolution"] == "passed" and not window["open_at_period_start"]
    assert [w["resource_name"] for w in result["open_at_end"]] == ["logs"]
    assert result["open_at_end"][0]["started_at"] == "2026-02-24T06:00:00Z"
    check = next(c for c in result["checks"] if c["check_id"] == VERSIONING)
    assert check["scans"] == 40 and check["resources"] == 2
    assert check["observations"] == {"PASS": 40 + 40 - 5 - 6, "FAIL": 11}
    assert check["pass_rate"] == round(69 / 80, 4)
    assert check["clean_scan_rate"] == round(1 - 11 / 40, 4)
    assert check["failure_windows"] == 2 and check["remediated"] == 1 and check["open_at_end"] == 1
    assert check["time_to_remediate_days"] == {"median": 5.0, "mean": 5.0, "max": 5.0}
    resource = next(r for r in result["resources"] if r["resource_name"] == "data")
    assert resource["pass_rate"] == round(35 / 40, 4) and resource["observations"] == {"PASS": 35, "FAIL": 5}
    criterion = next(c for c in result["criteria"] if c["criterion"] == "A1.2")
    assert criterion["scans"] == 40 and criterion["failure_windows"] == 2 and criterion["open_at_end"] == 1
    assert criterion["states"] == {"not_satisfied": 5 + 6, "incomplete": 40 - 11}  # other A1.2 checks did not run
    manual = next(c for c in result["criteria"] if c["criterion"] == "P8.1")
    assert manual["states"] == {"manual": 40} and manual["manual_evidence"]


def test_parallel_parsing_gives_the_same_result(history):
    (history / "broken.json").write_text('{"schema_version": "1.0", "metadata": {"collected_at": "2026-01-05T00:00:00Z"}, "findings": [')
    options = {"start": date(2026, 1, 1), "end": date(2026, 3, 1), "skip_bad": True}
    one = analyse([str(history)], PeriodOptions(**options), lambda _: None)
    two = analyse([str(history)], PeriodOptions(**options, jobs=2), lambda _: None)
    assert one == two and one["inputs"]["skipped"][0]["reason"].startswith("is truncated")


def test_gaps_longer_than_n_days_are_reported(history):
    result = analyse([str(history)], PeriodOptions(start=date(2026, 1, 1), end=date(2026, 3, 1), max_gap_days=1))
    (scope,) = result["scopes"]
    assert scope["scans"] == 40 and scope["days_covered"] == 40 and scope["days_in_period"] == 60
    assert scope["gaps"] == [{"from": "2026-01-31", "to": "2026-02-19", "days": 20}]
    # A period reaching past the last scan has a trailing gap; a tolerance of 20 days hides the 20-day gap.
    longer = analyse([str(history)], PeriodOptions(start=date(2026, 1, 1), end=date(2026, 3, 31), max_gap_days=20))
    assert longer["scopes"][0]["gaps"] == [{"from": "2026-03-02", "to": "2026-03-31", "days": 30}]


def test_period_bounds_select_reports(history):
    result = analyse([str(history)], PeriodOptions(start=date(2026, 1, 12), end=date(2026, 1, 20)))
    assert result["inputs"]["scans"] == 9 and result["inputs"]["outside_period"] == 31
    (window,) = [w for w in result["failures"] if w["resource_name"] == "data"]
    assert window["open_at_period_start"] and window["started_at"] == "2026-01-12T06:00:00Z" and window["time_to_remediate_days"] == 3.0


def test_resource_that_disappears_closes_its_window_and_checks_added_removed(tmp_path):
    for n in range(1, 11):
        findings = [make_finding(MFA, "root", "PASS")]
        if n <= 4:
            findings.append(make_finding(VERSIONING, "gone", "FAIL" if n >= 3 else "PASS"))
        if n >= 2:
            findings.append(make_finding(VERSIONING, "other", "PASS"))
        if n >= 6:
            findings.append(make_finding("aws.s3.bucket_access_logging", "late", "PASS"))
        write(tmp_path, n, findings)
    result = analyse([str(tmp_path)], PeriodOptions())
    (window,) = result["failures"]
    assert window["resource_name"] == "gone" and window["resolution"] == "no_longer_reported"
    assert window["remediated_at"] == "2026-01-05T06:00:00Z" and window["time_to_remediate_days"] == 2.0
    assert result["checks_added"] == ["aws.s3.bucket_access_logging"] and result["checks_removed"] == []
    assert result["period"] == {"from": "2026-01-01", "to": "2026-01-10", "days": 10, "max_gap_days": 1}


def test_waived_failures_keep_their_window_and_the_waiver_is_listed(tmp_path):
    waiver = AppliedWaiver(waiver_id="W-7", justification="legacy bucket, retired in Q2", owner="ops@example.com",
                           expires=date(2026, 6, 30), ticket="OPS-7", original_status=Status.FAIL)
    for n in range(1, 8):
        status, applied = ("WAIVED", waiver) if 3 <= n <= 5 else ("FAIL" if n < 3 else "PASS", None)
        write(tmp_path, n, [make_finding(VERSIONING, "legacy", status, applied)])
    result = analyse([str(tmp_path)], PeriodOptions())
    (window,) = result["failures"]
    assert window["waived"] and window["failing_scans"] == 5 and window["time_to_remediate_days"] == 5.0
    (listed,) = result["waivers"]
    assert listed["waiver_id"] == "W-7" and listed["owner"] == "ops@example.com" and listed["scans"] == 3 and listed["findings"] == 1
    assert listed["first_seen"].startswith("2026-01-03") and listed["last_seen"].startswith("2026-01-05")
    # The reports' waiver records (every configured waiver and its state) are read too: a stale one is listed.
    for n in (6, 7):
        path = tmp_path / f"report-day{n:03d}.json"
        data = json.loads(path.read_text())
        data["waivers"] = [{"waiver_id": "W-9", "check": "aws.s3.*", "resource": "old-*", "justification": "decommissioning",
                            "owner": "ops@example.com", "expires": "2026-02-01", "state": "stale", "matched": 0, "waived": 0}]
        path.write_text(json.dumps(data))
    stale = next(w for w in analyse([str(tmp_path)], PeriodOptions())["waivers"] if w["waiver_id"] == "W-9")
    assert stale["states"] == {"stale": 2} and stale["findings"] == 0 and stale["justification"] == "decommissioning"


def test_corrupt_and_truncated_reports_are_named_or_skipped(history):
    truncated = history / "report-day031.json"  # not in the history: a day inside the gap
    text = make_report(31, [make_finding(VERSIONING, "data", "FAIL")] * 1).model_dump_json(indent=2)
    truncated.write_text(text[: len(text) * 2 // 3])
    with pytest.raises(ConfigurationError, match=r"report-day031\.json: is truncated"):
        analyse([str(history)], PeriodOptions())
    warnings: list[str] = []
    result = analyse([str(history)], PeriodOptions(skip_bad=True), warnings.append)
    assert result["inputs"]["scans"] == 40 and [s["path"] for s in result["inputs"]["skipped"]] == [str(truncated)]
    assert any("report-day031.json" in w for w in warnings)
    # Nothing of the skipped file was applied: the gap and the windows are as without it.
    assert result["scopes"][0]["gaps"] == [{"from": "2026-01-31", "to": "2026-02-19", "days": 20}]
    truncated.unlink()

    corrupt = history / "report-day040.json"
    good = make_report(40, [make_finding(VERSIONING, "data", "PASS")]).model_dump_json(indent=2)
    corrupt.write_text(good.replace('"status": "PASS"', '"status": PASS"', 1))
    with pytest.raises(ConfigurationError, match=r"report-day040\.json: is not valid JSON"):
        analyse([str(history)], PeriodOptions())
    corrupt.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(ConfigurationError, match=r"report-day040\.json: is not UTF-8 text"):
        analyse([str(history)], PeriodOptions())
    corrupt.write_text('{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}')
    with pytest.raises(ConfigurationError, match=r"report-day040\.json: has no schema_version"):
        analyse([str(history)], PeriodOptions())


def test_mixed_schema_versions(history):
    newer = json.loads(make_report(35, [make_finding(VERSIONING, "data", "PASS")]).model_dump_json())
    newer["schema_version"] = "1.3"
    newer["provenance"] = {"signed": True}  # a field a newer minor version might add
    newer["findings"][0]["risk_score"] = 7.5
    del newer["findings"][0]["waiver"], newer["findings"][0]["baseline_state"], newer["waivers"]  # older reports lack these
    (history / "newer.json").write_text(json.dumps(newer))
    result = analyse([str(history)], PeriodOptions())
    assert result["inputs"]["schema_versions"] == {"1.1": 40, "1.3": 1}
    assert result["inputs"]["scans"] == 41

    future = dict(newer, schema_version="2.0")
    (history / "future.json").write_text(json.dumps(future))
    with pytest.raises(ConfigurationError, match=r"future\.json: has report schema_version 2\.0; this trustscan reads 1\.x"):
        analyse([str(history)], PeriodOptions())
    (history / "future.json").unlink()
    (history / "snapshot.json").write_text(json.dumps({"schema_version": "1", "metadata": {"collected_at": "2026-01-02T00:00:00Z"}}))
    warnings: list[str] = []
    result = analyse([str(history)], PeriodOptions(skip_bad=True), warnings.append)
    assert result["inputs"]["scans"] == 41 and "is it a snapshot?" in result["inputs"]["skipped"][0]["reason"]


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_reader_is_exact_across_chunk_boundaries(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(reader, "CHUNK", chunk)
    report = make_report(3, [make_finding(VERSIONING, f"bucket-{i}", "FAIL" if i % 3 else "PASS") for i in range(25)])
    path = tmp_path / "r.json"
    path.write_text(report.model_dump_json(indent=2) + "\n")
    events = list(reader.iter_report(str(path)))
    expected = json.loads(path.read_text())
    assert [v for k, v in events if k == "finding"] == expected["findings"]
    assert dict((k, v) for k, v in events if k not in ("finding", "findings")) == {k: v for k, v in expected.items() if k != "findings"}
    assert reader.read_header(str(path))["metadata"]["collected_at"] == expected["metadata"]["collected_at"]
    path.write_text(report.model_dump_json(indent=2)[:-40])
    with pytest.raises(reader.ReportFileError, match="truncated"):
        list(reader.iter_report(str(path)))


def test_renderers_and_cli(history, tmp_path_factory):
    result = analyse([str(history)], PeriodOptions(start=date(2026, 1, 1), end=date(2026, 3, 1)))
    markdown = render(result, "markdown")
    assert "2026-01-31 to 2026-02-19 (20 days)" in markdown and "| `aws.s3.bucket_versioning` |" in markdown
    rows = render(result, "csv").splitlines()
    assert rows[0].startswith("check_id,resource_name") and len(rows) == 1 + len(result["resources"])
    assert any(r.startswith("aws.s3.bucket_versioning,data,") and ",5.0,no," in r for r in rows)
    html = render(result, "html")
    for section in ('id="coverage"', 'id="criteria"', 'id="checks"', 'id="open"', 'id="failures"', 'id="waivers"', 'id="changes"'):
        assert section in html
    out = tmp_path_factory.mktemp("out") / "period.json"
    run = subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "period", str(history / "report-day0*.json"), "--from", "2026-01-01", "--to", "2026-03-01",
         "--format", "json", "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(out.read_text())["scopes"][0]["gaps"][0]["days"] == 20
    bad = subprocess.run([sys.executable, "-m", "scanner.cli.main", "period", str(history), "--from", "2026-13-01"], capture_output=True, text=True)
    assert bad.returncode == 2 and "is not a date" in bad.stderr
    (history / "broken.json").write_text('{"schema_version": "1.0", "metadata": {"collected_at": "2026-01-05T00:00:00Z"}, "findings": [')
    failing = subprocess.run([sys.executable, "-m", "scanner.cli.main", "period", str(history)], capture_output=True, text=True)
    assert failing.returncode == 2 and "broken.json: is truncated" in failing.stderr and "--skip-bad" in failing.stderr
    skipping = subprocess.run([sys.executable, "-m", "scanner.cli.main", "period", str(history), "--skip-bad"], capture_output=True, text=True)
    assert skipping.returncode == 0 and "warning: skipping" in skipping.stderr and "## Skipped reports" in skipping.stdout
