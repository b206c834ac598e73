"""The `trustscan` command as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import DEMO_ENV_KEYS

PYTHON = sys.executable


def run(*args: str, env: dict[str, str] | None = None, cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", *args], capture_output=True, text=True, env=env or os.environ.copy(), cwd=cwd, timeout=120
    )


def assert_one_line_error(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("trustscan: error: ") and text in lines[0]
    assert "Traceback" not in result.stderr


def test_help_and_checks_list_do_not_import_cloud_sdks():
    probe = (
        "import sys\n"
        "from scanner.cli.main import main\n"
        "for argv in (['--help'], ['checks', 'list', '--format', 'json'], ['scan', 'aws', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as e:\n"
        "        assert e.code == 0, (argv, e.code)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'moto', 'azure', 'google'))\n"
        "sys.stderr.write(repr(loaded))\n"
    )
    result = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "[]"


def test_the_process_ends_after_its_exit_handlers_without_tearing_the_interpreter_down():
    """`trustscan` as a process (run(): the console script, `python -m`) runs the exit handlers and
    flushes what it printed, then ends at once with main's status (os._exit: no teardown)."""
    probe = (
        "import atexit, os, sys\n"
        "from scanner.cli.main import run\n"
        "real_exit = os._exit\n"
        "def ending(code):\n"
        "    os.write(2, f'os._exit({code})'.encode())\n"
        "    real_exit(code)\n"
        "os._exit = ending\n"
        "atexit.register(print, 'exit handler ran')\n"
        "sys.argv = ['trustscan', *sys.argv[1:]]\n"
        "run()\n"
    )
    listed = subprocess.run([PYTHON, "-c", probe, "checks", "list", "--format", "json", "--provider", "aws"],
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and listed.stderr == "os._exit(0)", listed.stderr
    catalogue, handler = listed.stdout.rsplit("]", 1)
    assert len(json.loads(catalogue + "]")) > 100 and handler.strip() == "exit handler ran"
    refused = subprocess.run([PYTHON, "-c", probe, "evaluate", "/nonexistent/snapshot.json"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and refused.stderr.endswith("os._exit(2)") and refused.stdout == "exit handler ran\n", refused.stderr


def test_help_documents_exit_codes():
    result = run("scan", "aws", "--help")
    assert result.returncode == 0
    for line in ("0  no FAIL finding", "1  FAIL findings", "2  usage or configuration error", "3  the scan finished"):
        assert line in result.stdout


def test_checks_list_json_is_the_catalogue():
    result = run("checks", "list", "--format", "json", "--provider", "aws")
    catalogue = json.loads(result.stdout)
    ids = [c["id"] for c in catalogue]
    assert ids == sorted(ids) and "aws.iam.user_console_mfa" in ids
    entry = next(c for c in catalogue if c["id"] == "aws.iam.user_console_mfa")
    assert set(entry) >= {"id", "provider", "service", "title", "severity", "category", "rationale", "remediation", "criteria", "permissions"}
    assert entry["category"] == "mfa/identity"
    assert {"CC6.1", "CC6.2", "CC6.3", "CC6.6"} <= set(entry["criteria"]["soc2"])
    assert "iam:GetCredentialReport" in entry["permissions"]


def test_checks_show_and_mappings_show_and_schema():
    show = run("checks", "show", "aws.rds.backup_retention")
    assert show.returncode == 0 and "min_days=7" in show.stdout and "rds:DescribeDBInstances" in show.stdout
    assert_one_line_error(run("checks", "show", "aws.nope.nothing"), "unknown check id 'aws.nope.nothing'")
    mapping = run("mappings", "show", "soc2", "A1.2")
    assert mapping.returncode == 0 and "aws.dynamodb.pitr_enabled" in mapping.stdout and "manual evidence" in mapping.stdout
    assert_one_line_error(run("mappings", "show", "soc2", "ZZ9.9"), "no criterion 'ZZ9.9'")
    schema = json.loads(run("schema", "report").stdout)
    assert schema["title"] == "Report" and "findings" in schema["properties"]
    policy = json.loads(run("permissions", "aws", "--checks", "aws.s3.bucket_versioning").stdout)
    actions = policy["Statement"][0]["Action"]
    assert "s3:GetBucketVersioning" in actions and not any(a.startswith("rds:") for a in actions)
    # --checks takes globs as trustscan.yaml's include does
    policy = json.loads(run("permissions", "aws", "--checks", "aws.s3.bucket_version*").stdout)
    actions = policy["Statement"][0]["Action"]
    assert "s3:GetBucketVersioning" in actions and "s3:GetEncryptionConfiguration" not in actions


def test_snapshot_errors_are_one_line(tmp_path):
    assert_one_line_error(run("evaluate", str(tmp_path / "missing.json")), "snapshot file not found")
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    assert_one_line_error(run("evaluate", str(bad)), "is not valid JSON")


def test_usage_errors_are_one_line():
    assert_one_line_error(run("scan", "aws", "--checks", "aws.s3.no_such_check", "--endpoint-url", "http://127.0.0.1:9"), "unknown check id")
    assert_one_line_error(run("scan", "aws", "--checks", "aws.zzz.*", "--endpoint-url", "http://127.0.0.1:9"), "'aws.zzz.*' matches no aws check")
    assert_one_line_error(run("scan", "aws", "--fail-on", "sometimes"), "--fail-on")
    assert_one_line_error(run("scan", "aws", "--severity", "urgent", "--endpoint-url", "http://127.0.0.1:9"), "unknown severity")
    assert_one_line_error(run("nosuchcommand"), "No such command")


def test_missing_credentials_is_a_configuration_error(moto_endpoint, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in DEMO_ENV_KEYS}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"})
    result = run("scan", "aws", "--endpoint-url", moto_endpoint, "--regions", "us-east-1", env=env)
    assert_one_line_error(result, "no AWS credentials found")


@pytest.fixture
def seeded(aws):
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket="unversioned")
    return aws


def test_scan_exit_codes_follow_fail_on(seeded, tmp_path):
    base = ("scan", "aws", "--endpoint-url", seeded.endpoint_url, "--regions", "us-east-1", "-q")
    failing = run(*base, "--checks", "aws.s3.bucket_versioning", "--format", f"json={tmp_path / 'r.json'}")
    assert failing.returncode == 1, failing.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["schema_version"] == "1.1"
    assert {(f["resource_name"], f["status"]) for f in report["findings"]} == {("versioned", "PASS"), ("unversioned", "FAIL")}
    # bucket_versioning is medium: a high threshold lets it through
    assert run(*base, "--checks", "aws.s3.bucket_versioning", "--fail-on", "high", "--format", "json").returncode == 0
    assert run(*base, "--checks", "aws.s3.bucket_versioning", "--fail-on", "never", "--format", "json").returncode == 0


def test_errors_without_failures_exit_3(aws, denied_session, tmp_path):
    session = denied_session("rds:DescribeDBInstances")
    env = os.environ.copy()
    env["AWS_ACCESS_KEY_ID"] = session.get_credentials().access_key
    env["AWS_SECRET_ACCESS_KEY"] = session.get_credentials().secret_key
    result = run(
        "scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "--checks", "aws.rds.multi_az",
        "--format", "json", "-q", env=env,
    )
    assert result.returncode == 3, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [f["status"] for f in findings] == ["ERROR"]
    assert "access denied to rds:DescribeDBInstances" in findings[0]["message"]


def test_collect_then_evaluate_matches_the_live_scan(seeded, tmp_path):
    base = ("--endpoint-url", seeded.endpoint_url, "--regions", "us-east-1", "-q")
    snapshot = tmp_path / "snap.json"
    live = run("scan", "aws", *base, "--snapshot", str(snapshot), "--format", f"json={tmp_path / 'live.json'}")
    assert live.returncode == 1, live.stderr
    offline = run("evaluate", str(snapshot), "--format", f"json={tmp_path / 'offline.json'}")
    assert offline.returncode == 1, offline.stderr
    live_findings = json.loads((tmp_path / "live.json").read_text())["findings"]
    offline_findings = json.loads((tmp_path / "offline.json").read_text())["findings"]
    assert json.dumps(offline_findings) == json.dumps(live_findings)
    collected = run("collect", "aws", *base, "--checks", "aws.s3.bucket_versioning", "--out", str(tmp_path / "c.json"))
    assert collected.returncode == 0, collected.stderr
    assert json.loads((tmp_path / "c.json").read_text())["schema_version"] == "2"  # a Snapshot of the scan's scopes
