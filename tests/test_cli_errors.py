"""What a user meets when something goes wrong: a report given where a snapshot belongs, timestamps that
are not timestamps, and crashes (exit 4 with one line and a saved traceback, never exit 1)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scanner import formatters
from tests.inprocess import one_error_line, run


@pytest.fixture(scope="module")
def scanned(moto_endpoint, tmp_path_factory) -> dict[str, Path]:
    """A small real scan (moto): its snapshot and its JSON report."""
    from scanner.demo.aws import reset
    from scanner.snapshot import dump_snapshot
    from tests.conftest import MotoAccount

    reset(moto_endpoint)
    account = MotoAccount(moto_endpoint)
    account.client("s3").create_bucket(Bucket="plain")
    inventory, report = account.collect(["aws.s3.bucket_versioning"])
    root = tmp_path_factory.mktemp("scanned")
    (root / "snapshot.json").write_text(dump_snapshot(inventory))
    (root / "report.json").write_text(report.model_dump_json())
    return {"snapshot": root / "snapshot.json", "report": root / "report.json"}


def test_evaluating_a_report_says_it_is_a_report_and_how_to_make_a_snapshot(scanned):
    line = one_error_line(run("evaluate", str(scanned["report"])))
    assert "is a trustscan report, not a snapshot" in line
    assert "--snapshot" in line and "trustscan collect" in line


@pytest.mark.parametrize("value", [12345, "12345", "2026-01-01T00:00:00", "2026-01-01", "yesterday", None])
def test_snapshot_times_must_be_timezone_aware_iso8601(scanned, tmp_path, value):
    data = json.loads(scanned["snapshot"].read_text())
    data["metadata"]["collected_at"] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    line = one_error_line(run("evaluate", str(bad)))
    assert "metadata.collected_at" in line and ("ISO 8601" in line or "required" in line or "valid" in line), line


def test_a_timezone_aware_timestamp_is_read_as_given(scanned, tmp_path):
    data = json.loads(scanned["snapshot"].read_text())
    data["metadata"]["collected_at"] = "2026-01-01T09:30:00+02:00"
    good = tmp_path / "good.json"
    good.write_text(json.dumps(data))
    code, out, err = run("evaluate", str(good), "--format", "json", "-q")
    assert code == 1, err
    assert json.loads(out)["metadata"]["collected_at"].startswith("2026-01-01T07:30:00")


def boom(report):  # a formatter that breaks: stands in for any bug
    raise RuntimeError("the formatter broke")


@pytest.fixture
def broken_formatter(monkeypatch):
    monkeypatch.setitem(formatters.BUILTIN, "boom", "tests.test_cli_errors:boom")


def test_a_crash_exits_4_with_one_line_and_a_saved_traceback(scanned, broken_formatter, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # re-read TMPDIR
    code, out, err = run("evaluate", str(scanned["snapshot"]), "--format", "boom")
    assert code == 4, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("trustscan: internal error: RuntimeError: the formatter broke (traceback in ")
    saved = Path(re.search(r"traceback in (\S+?);", lines[0]).group(1))
    assert saved.parent == tmp_path and "Traceback (most recent call last)" in saved.read_text()
    assert "command: trustscan evaluate" in saved.read_text()


def test_a_crash_with_verbose_shows_the_traceback(scanned, broken_formatter):
    code, _, err = run("evaluate", str(scanned["snapshot"]), "--format", "boom", "-v")
    assert code == 4
    assert "Traceback (most recent call last)" in err and err.strip().splitlines()[-1].startswith("trustscan: internal error:")


def test_help_documents_the_crash_status():
    code, out, _ = run("scan", "aws", "--help")
    assert code == 0 and "4  trustscan crashed" in out


def test_help_says_exit_2_also_means_an_output_was_not_written():
    """tests/test_outputs.py: a write that fails at the end exits 2 after a full scan, so the help
    cannot say only "nothing scanned" (the README's table says both)."""
    code, out, _ = run("scan", "aws", "--help")
    status_2 = " ".join(re.search(r"\n\s+2  (.*?)\n\s+3  ", out, re.S).group(1).split())
    assert code == 0 and "nothing scanned" in status_2 and "an output that could not be written" in status_2
