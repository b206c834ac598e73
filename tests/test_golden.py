"""Golden files for the demo's JSON and SARIF, and SARIF validity (schema + GitHub upload rules).

Regenerate after an intended change: UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.demo.aws import DEMO_REGIONS, NOT_EMULATED, seed_demo_account
from scanner.formatters import json_format, sarif

GOLDEN = Path(__file__).parent / "golden"
SHARED = Path(__file__).resolve().parents[2] / "shared"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")


# moto draws resource ids from a seeded generator, but how many draws happen before the demo is
# seeded depends on which backends earlier tests in the same worker touched; ids are masked and
# findings ordered by name so the golden file pins behaviour, not moto's random state.
MOTO_IDS = re.compile(
    r"\b(vol|vpc|snap|i|fl|sg|subnet|ami|ssoins|acl|aclassoc)-[0-9a-z]{8,17}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)
# automated snapshot names carry the minute they were taken (rds:db-2026-11-25-13-44)
MINUTE_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}")
FINDING_ID = re.compile(r"\b[0-9a-f]{32}\b")


def normalise(text: str) -> str:
    """Times, timings and moto's generated ids change between runs; everything else must not."""
    text = TIMESTAMP.sub("<time>", text)
    text = MOTO_IDS.sub(lambda m: (m.group(1) or "uuid") + "-<id>", text)
    text = MINUTE_STAMP.sub("<minute>", text)
    data = json.loads(FINDING_ID.sub("<finding-id>", text))
    if "metadata" in data:
        data["metadata"]["elapsed_seconds"] = 0
        data["metadata"]["api_calls"] = sorted(data["metadata"]["api_calls"])  # which calls, not how many polls
        data["findings"].sort(key=lambda f: (f["check_id"], f["region"], f["resource_name"], json.dumps(f, sort_keys=True)))
    for run in data.get("runs", []):
        run["results"].sort(key=lambda r: json.dumps(r, sort_keys=True))
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.fixture
def demo_report(aws):
    """What `trustscan demo` reports: every AWS check except those reading APIs moto lacks."""
    seed_demo_account(aws.session(), aws.endpoint_url)
    from scanner.registry import load_checks

    emulated = [c.id for c in load_checks().values() if c.provider == "aws" and not set(c.collection_keys) & NOT_EMULATED]
    return aws.collect(emulated, regions=DEMO_REGIONS)[1]


def _compare(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual)
    assert path.exists(), f"{path} missing: run with UPDATE_GOLDEN=1"
    assert actual == path.read_text()


def test_demo_json_golden(demo_report):
    _compare("demo-report.json", normalise(json_format.render(demo_report)))


def test_demo_sarif_golden_and_valid(demo_report, tmp_path):
    text = sarif.render(demo_report)
    _compare("demo-report.sarif", normalise(text))
    document = json.loads(text)
    results = document["runs"][0]["results"]
    assert results and all(r["level"] for r in results)  # explicit levels survive serialisation
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("arn:") for r in results)
    schema_path = SHARED / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("../shared is not beside the project: schema validation skipped")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(document, json.loads(schema_path.read_text()))
    out = tmp_path / "demo.sarif"
    out.write_text(text)
    checked = subprocess.run(
        [sys.executable, str(SHARED / "tools" / "validate_sarif.py"), "--strict", str(out)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sarif_serialiser_keeps_values_equal_to_defaults():
    import sarif_om as om

    result = om.Result(message=om.Message(text="x"), level="warning", kind="fail")
    assert sarif.to_dict(result) == {"kind": "fail", "level": "warning", "message": {"text": "x"}}


def test_artifact_uri_is_relative_and_encoded():
    from scanner.models.report import Finding

    finding = Finding.model_construct(
        provider="aws", account="111122223333", region="global", service="iam", resource_name="arn:aws:iam::1:user/a b"
    )
    assert sarif.artifact_uri(finding) == "cloud/aws/111122223333/global/iam/arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fa%20b"
