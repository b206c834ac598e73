"""`--regions` (and `regions:` in trustscan.yaml) are checked before anything is collected: a mistyped
region, or one the account has not enabled, stops the run with one line and exit 2 instead of a green
run that proved nothing. moto answers DescribeRegions with opt-in regions as `not-opted-in`."""

from __future__ import annotations

import json

from tests.inprocess import one_error_line, run


def scan(aws, *extra: str):
    return run("scan", "aws", "--endpoint-url", aws.endpoint_url, "--checks", "aws.s3.bucket_versioning", "-q", *extra)


def test_a_mistyped_region_is_named_with_a_suggestion(aws, tmp_path):
    out = tmp_path / "r.json"
    line = one_error_line(scan(aws, "--regions", "us-east-1,eu-wset-1", "--format", f"json={out}"))
    assert "unknown region 'eu-wset-1'" in line and "did you mean eu-west-1" in line
    assert not out.exists(), "nothing was scanned"


def test_a_region_the_account_has_not_enabled_is_an_error(aws):
    line = one_error_line(scan(aws, "--regions", "us-east-1,me-south-1"))
    assert "me-south-1" in line and "not enabled" in line


def test_enabled_regions_scan(aws):
    aws.client("s3").create_bucket(Bucket="plain")
    code, out, err = scan(aws, "--regions", "us-east-1,eu-west-1", "--format", "json")
    assert code == 1, err
    assert json.loads(out)["metadata"]["regions"] == ["eu-west-1", "us-east-1"]


def test_an_empty_region_list_is_an_error(aws):
    assert "--regions names no region" in one_error_line(scan(aws, "--regions", " , "))


def test_config_regions_are_checked_by_config_validate_and_scan(aws, tmp_path):
    config = tmp_path / "trustscan.yaml"
    config.write_text("version: 1\nproviders:\n  aws: {regions: [us-east-1, us-est-2]}\n")
    assert "unknown region 'us-est-2'" in one_error_line(run("config", "validate", str(config)))
    assert "unknown region 'us-est-2'" in one_error_line(scan(aws, "--config", str(config)))


def test_when_describe_regions_is_denied_the_given_regions_are_scanned_with_a_warning(aws, denied_session, monkeypatch):
    session = denied_session("ec2:DescribeRegions")
    credentials = session.get_credentials()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", credentials.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", credentials.secret_key)
    code, _, err = scan(aws, "--regions", "us-east-1", "--format", "json")
    assert code in (0, 1), err
    assert "trustscan: warning: cannot check that us-east-1 is enabled" in err and "ec2:DescribeRegions" in err
    # a misspelling is still caught from botocore's own region list
    assert "unknown region 'us-easst-1'" in one_error_line(scan(aws, "--regions", "us-easst-1"))
