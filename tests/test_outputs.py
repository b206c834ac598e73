"""Output paths are checked before anything is collected (a bad path costs nothing), missing parent
folders are created, and a write that still fails at the end loses no other output and is named.

The tests run as root in CI, which may write anywhere, so unwritable paths are made the ways root
meets them too: a folder given as a file, a file where a folder should be, and /dev/full."""

from __future__ import annotations

import json
import os

import pytest

from tests.inprocess import one_error_line, run

CLOSED_PORT = ("--endpoint-url", "http://127.0.0.1:9", "--regions", "us-east-1", "-q")


@pytest.mark.parametrize(
    "option",
    [
        ["--format", "json={dir}"],
        ["--format", "sarif={file}/r.sarif"],
        ["--output", "{dir}", "--format", "json"],
        ["--snapshot", "{dir}"],
        ["--snapshot", "{file}/snap.json"],
        ["--evidence-dir", "{file}/evidence"],
        ["--evidence-dir", "{file}/nested/evidence"],
    ],
)
def test_a_bad_output_path_stops_the_scan_before_any_call(tmp_path, option):
    folder = tmp_path / "existing-folder"
    folder.mkdir()
    plain = tmp_path / "plain-file"
    plain.write_text("x")
    argv = [part.format(dir=folder, file=plain) for part in option]
    # the endpoint is a closed port: reaching it would be a credentials error, not this one
    line = one_error_line(run("scan", "aws", *CLOSED_PORT, *argv))
    assert ("is a directory" in line or "is not a directory" in line) and "cannot verify" not in line, line


def test_unknown_format_is_caught_before_the_scan():
    line = one_error_line(run("scan", "aws", *CLOSED_PORT, "--format", "yaml=r.yaml"))
    assert "unknown format 'yaml'" in line


def test_missing_parent_folders_are_created(aws, tmp_path):
    aws.client("s3").create_bucket(Bucket="plain")
    report = tmp_path / "out" / "nested" / "r.json"
    snapshot = tmp_path / "snaps" / "s.json"
    code, _, err = run(
        "scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "--checks", "aws.s3.bucket_versioning",
        "-q", "--format", f"json={report}", "--snapshot", str(snapshot),
    )  # fmt: skip
    assert code == 1, err
    assert json.loads(report.read_text())["findings"] and json.loads(snapshot.read_text())["metadata"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full (a device whose writes fail) is Linux only")
def test_a_write_that_fails_at_the_end_keeps_the_other_outputs(aws, tmp_path):
    aws.client("s3").create_bucket(Bucket="plain")
    sarif, snapshot = tmp_path / "r.sarif", tmp_path / "s.json"
    code, _, err = run(
        "scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "--checks", "aws.s3.bucket_versioning",
        "-q", "--format", "json=/dev/full", "--format", f"sarif={sarif}", "--snapshot", str(snapshot),
    )  # fmt: skip
    assert code == 2, err
    assert sarif.stat().st_size > 0 and snapshot.stat().st_size > 0, "the other outputs were written"
    errors = [line for line in err.splitlines() if line.startswith("trustscan: error:")]
    assert len(errors) == 1 and "could not write json to /dev/full" in errors[0] and "No space left" in errors[0], err
    assert "Traceback" not in err
