"""Start-up imports only what the plan needs: the checks, collectors and models of the selected
services (timings are bench/startup_bench.py's business; these tests look at what is imported).

Each probe runs in a fresh interpreter against moto's server, so sys.modules shows what a real
`trustscan scan aws` loads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scanner.demo.aws import DEMO_CREDENTIALS

PYTHON = sys.executable

# Runs the CLI with argv; at the first connection to moto (the first API call) and at exit, notes
# which of trustscan's modules (and of the SDK packages) are imported. The first request is let through.
PROBE = """
import json, socket, sys
from scanner.cli.main import main
seen = {}
real_connect = socket.socket.connect
def connect(self, address):
    seen.setdefault("first_request", sorted(m for m in sys.modules if m.split(".")[0] in ("scanner", "checks", "boto3")))
    return real_connect(self, address)
socket.socket.connect = connect
try:
    main(sys.argv[1:])
except SystemExit as done:
    seen["code"] = done.code
seen["exit"] = sorted(m for m in sys.modules if m.split(".")[0] in ("scanner", "checks", "boto3"))
sys.stderr.write("\\nPROBE " + json.dumps(seen) + "\\n")
"""


def probe(*argv: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1", **{k.upper(): v for k, v in DEMO_CREDENTIALS.items()}}
    result = subprocess.run([PYTHON, "-c", PROBE, *argv], capture_output=True, text=True, timeout=300, env=env)
    line = next((line for line in result.stderr.splitlines() if line.startswith("PROBE ")), None)
    assert line is not None, result.stderr
    return json.loads(line[len("PROBE "):])


def of(modules: list[str], prefix: str) -> set[str]:
    return {m for m in modules if m.startswith(prefix)}


@pytest.fixture
def buckets(aws):
    s3 = aws.client("s3")
    for name in ("startup-a", "startup-b"):
        s3.create_bucket(Bucket=name)
    return aws


def test_a_narrow_scan_imports_only_its_services(buckets, tmp_path):
    out = tmp_path / "report.json"
    seen = probe("scan", "aws", "--endpoint-url", buckets.endpoint_url, "--regions", "us-east-1", "-q",
                 "--checks", "aws.s3.bucket_default_encryption", "--format", f"json={out}")
    assert seen["code"] in (0, 1), seen
    assert {f["resource_name"] for f in json.loads(out.read_text())["findings"]} == {"startup-a", "startup-b"}
    # before the first API call: the S3 check module (and its helpers), the S3 models, no collector
    first = seen["first_request"]
    assert of(first, "checks.") == {"checks.aws", "checks.aws.s3", "checks.aws._kms_refs", "checks.aws._resource_policy"}
    assert of(first, "scanner.models.aws.") == {"scanner.models.aws.s3"}
    assert not of(first, "scanner.models.azure") | of(first, "scanner.models.gcp")
    assert not {m for m in of(first, "scanner.collect.aws.") if not m.rsplit(".", 1)[1].startswith("_")}
    assert "scanner.engine.evaluate" not in first and "scanner.mapping" not in first  # evaluation comes after collecting
    assert not of(first, "scanner.formatters.") and "scanner.models.report" not in first  # formats are checked by name only
    # the whole run: one collector module, no other provider's checks or models
    done = seen["exit"]
    assert {m for m in of(done, "scanner.collect.aws.") if not m.rsplit(".", 1)[1].startswith("_")} == {"scanner.collect.aws.s3"}
    assert of(done, "checks.") == of(first, "checks.")
    assert not of(done, "scanner.models.azure") | of(done, "scanner.models.gcp") | of(done, "scanner.collect.azure")
    assert not of(done, "boto3")  # botocore's session serves; boto3 (s3transfer, multiprocessing) is never imported


def test_a_provider_wide_scan_imports_that_provider_only(aws, tmp_path):
    seen = probe("scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "-q",
                 "--severity", "critical", "--format", f"json={tmp_path / 'r.json'}")
    first = seen["first_request"]
    assert "checks.aws.iam" in first and "checks.aws.s3" in first
    assert not of(first, "checks.azure") | of(first, "checks.gcp")
    assert not of(seen["exit"], "scanner.models.azure") | of(seen["exit"], "scanner.models.gcp")


def test_an_alias_or_an_unknown_id_is_still_resolved_against_the_catalogue():
    from scanner.registry import load_checks, select_checks

    # an id whose module is not named after its service (lambda is a keyword)
    registry = load_checks(ids=["aws.lambda.function_log_retention"])
    assert [s.id for s in select_checks(registry, ids=["aws.lambda.function_log_retention"])] == ["aws.lambda.function_log_retention"]
    with pytest.raises(Exception, match="unknown check id 'aws.s3.no_such_check'"):
        select_checks(load_checks(ids=["aws.s3.no_such_check"]), ids=["aws.s3.no_such_check"])
