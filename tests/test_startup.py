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

# Runs the CLI with argv and notes, at the first request to each AWS service (the service named in
# the request's signature) and at exit, which of trustscan's modules (and of the SDK packages) are
# imported, and the order of the requests. Importing pydantic is held back until the first request is
# sent: a scan that needs the models (or anything built on pydantic) before its first request waits
# here, and `gate` says the request did not go first. No clock is read.
PROBE = r"""
import importlib.machinery, json, re, socket, sys, threading
seen = {"services": [], "at": {}}
first_sent = threading.Event()
OURS = ("scanner", "checks", "boto3", "pydantic")

def modules():  # imported and run (a module still being imported has __spec__._initializing set)
    return sorted(name for name, module in list(sys.modules.items())
                  if name.split(".")[0] in OURS and not getattr(getattr(module, "__spec__", None), "_initializing", False))

# pydantic's loader, made to wait for the first request before it runs pydantic's code (outside the
# import system's global lock: every other import goes on meanwhile)
class Held:
    def __init__(self, real):
        self.real = real
    def create_module(self, spec):
        return self.real.create_module(spec)
    def exec_module(self, module):
        seen["gate"] = "first request sent" if first_sent.wait(60) else "pydantic imported before the first request"
        return self.real.exec_module(module)

class HoldPydantic:
    def find_spec(self, name, path=None, target=None):
        if name != "pydantic" or "gate" in seen:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None:
            spec.loader = Held(spec.loader)
        return spec

sys.meta_path.insert(0, HoldPydantic())
real_sendall = socket.socket.sendall
def sendall(self, data, *args):
    found = re.search(rb"Credential=[^/]+/[0-9]+/[^/]+/([a-z0-9-]+)/aws4_request", bytes(data))
    if found:
        service = found.group(1).decode()
        seen["services"].append(service)
        seen["at"].setdefault(service, modules())
        first_sent.set()
    return real_sendall(self, data, *args)
socket.socket.sendall = sendall

from scanner.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    seen["code"] = done.code
seen["exit"] = modules()
sys.stderr.write("\nPROBE " + json.dumps(seen) + "\n")
"""


def probe(*argv: str) -> dict:
    env = {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1", **{k.upper(): v for k, v in DEMO_CREDENTIALS.items()}}
    result = subprocess.run([PYTHON, "-c", PROBE, *argv], capture_output=True, text=True, timeout=300, env=env)
    line = next((line for line in result.stderr.splitlines() if line.startswith("PROBE ")), None)
    assert line is not None, result.stderr
    return json.loads(line[len("PROBE "):])


def of(modules: list[str], prefix: str) -> set[str]:
    return {m for m in modules if m.startswith(prefix)}


def collectors(modules: list[str]) -> set[str]:
    return {m for m in of(modules, "scanner.collect.aws.") if not m.rsplit(".", 1)[1].startswith("_")}


def assert_first_request_went_first(seen: dict) -> None:
    """The caller's identity is the first request, sent before pydantic and anything built on it
    (models, check modules, collectors, the engine's scan side) is imported."""
    assert seen["services"][0] == "sts", seen["services"]
    assert seen.get("gate") == "first request sent", seen.get("gate")
    first = seen["at"]["sts"]
    assert not of(first, "pydantic")  # pydantic itself may be waiting at the gate, not run
    assert of(first, "scanner.models") <= {"scanner.models", "scanner.models.enums"}
    assert not of(first, "checks.aws.") and not collectors(first) and "scanner.engine.scan" not in first
    assert not of(first, "scanner.formatters.") and not of(first, "boto3")  # formats are checked by name only


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
    assert_first_request_went_first(seen)
    # the regions are checked (ec2:DescribeRegions) before anything is collected
    assert seen["services"].index("ec2") < seen["services"].index("s3"), seen["services"]
    # at the first collector request: the S3 check module (and its helpers), the S3 models and collector
    first = seen["at"]["s3"]
    assert of(first, "checks.") == {"checks.aws", "checks.aws.s3", "checks.aws._kms_refs", "checks.aws._resource_policy"}
    assert of(first, "scanner.models.aws.") == {"scanner.models.aws.s3"}
    assert not of(first, "scanner.models.azure") | of(first, "scanner.models.gcp")
    assert collectors(first) == {"scanner.collect.aws.s3"}
    assert "scanner.engine.evaluate" not in first and "scanner.mapping" not in first  # evaluation comes after collecting
    assert not of(first, "scanner.formatters.") and "scanner.models.report" not in first  # formats are checked by name only
    # the whole run: one collector module, no other provider's checks or models
    done = seen["exit"]
    assert collectors(done) == {"scanner.collect.aws.s3"}
    assert of(done, "checks.") == of(first, "checks.")
    assert not of(done, "scanner.models.azure") | of(done, "scanner.models.gcp") | of(done, "scanner.collect.azure")
    assert not of(done, "boto3")  # botocore's session serves; boto3 (s3transfer, multiprocessing) is never imported


def test_a_provider_wide_scan_imports_that_provider_only(aws, tmp_path):
    seen = probe("scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1", "-q",
                 "--severity", "critical", "--format", f"json={tmp_path / 'r.json'}")
    assert seen["code"] in (0, 1, 3), seen
    assert_first_request_went_first(seen)
    collector_request = next(service for service in seen["services"] if service not in ("sts", "ec2"))
    first = seen["at"][collector_request]
    assert "checks.aws.iam" in first and "checks.aws.s3" in first
    assert not of(first, "checks.azure") | of(first, "checks.gcp")
    assert not of(seen["exit"], "scanner.models.azure") | of(seen["exit"], "scanner.models.gcp")


def test_a_mistyped_region_is_refused_before_any_request(aws, tmp_path):
    seen = probe("scan", "aws", "--endpoint-url", aws.endpoint_url, "--regions", "us-east-1,eu-wset-1", "-q",
                 "--checks", "aws.s3.bucket_default_encryption", "--format", f"json={tmp_path / 'r.json'}")
    assert seen["code"] == 2 and seen["services"] == []


def test_an_alias_or_an_unknown_id_is_still_resolved_against_the_catalogue():
    from scanner.registry import load_checks, select_checks

    # an id whose module is not named after its service (lambda is a keyword)
    registry = load_checks(ids=["aws.lambda.function_log_retention"])
    assert [s.id for s in select_checks(registry, ids=["aws.lambda.function_log_retention"])] == ["aws.lambda.function_log_retention"]
    with pytest.raises(Exception, match="unknown check id 'aws.s3.no_such_check'"):
        select_checks(load_checks(ids=["aws.s3.no_such_check"]), ids=["aws.s3.no_such_check"])
