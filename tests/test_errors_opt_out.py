"""Collection errors exit 3 by default, even with --fail-on never; `--no-fail-on-errors` (or
`fail_on_errors: false` in trustscan.yaml, or the Action's `fail-on-errors: false`) lets a team run
green while one API is denied on purpose. The ERROR findings stay in every output, and stderr says
how many were tolerated. An interrupted scan is never tolerated."""

from __future__ import annotations

import json

import pytest

from tests.inprocess import run


@pytest.fixture
def denied_rds(aws, denied_session, monkeypatch):
    aws.client("s3").create_bucket(Bucket="plain")
    credentials = denied_session("rds:DescribeDBInstances").get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
    return ("scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "-q", "--format", "json")


def test_errors_exit_3_by_default_even_with_fail_on_never(denied_rds):
    assert run(*denied_rds, "--checks", "aws.rds.multi_az")[0] == 3
    assert run(*denied_rds, "--checks", "aws.rds.multi_az", "--fail-on", "never")[0] == 3


def test_the_opt_out_keeps_the_errors_and_says_how_many(denied_rds, tmp_path):
    sarif = tmp_path / "r.sarif"
    code, out, err = run(*denied_rds, "--checks", "aws.rds.multi_az", "--no-fail-on-errors", "--format", f"sarif={sarif}")
    assert code == 0, err
    assert [f["status"] for f in json.loads(out)["findings"]] == ["ERROR"]
    assert json.loads(sarif.read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"], "still reported in SARIF"
    assert "trustscan: warning: 1 ERROR finding tolerated (--no-fail-on-errors)" in err


def test_the_opt_out_does_not_hide_failures(denied_rds):
    code, _, _ = run(*denied_rds, "--checks", "aws.rds.multi_az,aws.s3.bucket_versioning", "--no-fail-on-errors")
    assert code == 1


def test_the_config_setting_and_the_command_line_override(denied_rds, tmp_path):
    config = tmp_path / "trustscan.yaml"
    config.write_text("version: 1\nfail_on_errors: false\n")
    assert run(*denied_rds, "--checks", "aws.rds.multi_az", "--config", str(config))[0] == 0
    assert run(*denied_rds, "--checks", "aws.rds.multi_az", "--config", str(config), "--fail-on-errors")[0] == 3
