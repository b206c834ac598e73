"""Waivers and trustscan.yaml: applied after evaluation, expiry (today, time zones), overlaps, stale
globs, clear errors with file and line, SARIF suppressions, and the exit status ignoring WAIVED."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from scanner.cli.main import EXIT_FAIL, EXIT_OK, exit_status
from scanner.config import Waiver, config_schema, config_schema_json, parse_config, zone_for
from scanner.errors import ConfigurationError
from scanner.formatters import sarif
from scanner.models.common import Status
from scanner.models.report import CriterionState
from scanner.waivers import apply_waivers, warnings
from tests.report_factory import finding, report

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
PYTHON = sys.executable


def waiver(**fields) -> Waiver:
    values = {
        "id": "W-1",
        "check": "aws.s3.bucket_versioning",
        "resource": "*",
        "justification": "accepted",
        "owner": "alice",
        "expires": date(2026, 3, 31),
        **fields,
    }
    return Waiver.model_validate(values)


def statuses(r) -> dict[str, str]:
    return {f.resource_name: f.status.value for f in r.findings}


def test_waived_finding_keeps_message_and_evidence_and_records_the_waiver():
    base = report(
        finding("aws.s3.bucket_versioning", "logs", evidence={"status": "Suspended"}),
        finding("aws.s3.bucket_versioning", "data", "PASS"),
    )
    waived = apply_waivers(base, [waiver(resource="arn:aws:s3:*:logs", ticket="SEC-9")])
    logs = next(f for f in waived.findings if f.resource_name == "logs")
    assert logs.status == Status.WAIVED
    assert logs.message == "logs is fail" and logs.evidence == {"status": "Suspended"}
    assert logs.waiver.model_dump(mode="json") == {
        "waiver_id": "W-1",
        "justification": "accepted",
        "owner": "alice",
        "expires": "2026-03-31",
        "ticket": "SEC-9",
        "original_status": "FAIL",
    }
    assert waived.summary[Status.WAIVED] == 1 and waived.summary[Status.FAIL] == 0 and waived.summary[Status.PASS] == 1
    # the criteria are recounted: A1.2 no longer fails (incomplete only because its other checks did not run)
    before = next(c for c in base.criteria if c.criterion == "A1.2")
    after = next(c for c in waived.criteria if c.criterion == "A1.2")
    assert before.state == CriterionState.NOT_SATISFIED and before.counts == {Status.FAIL: 1, Status.PASS: 1}
    assert after.state == CriterionState.INCOMPLETE and after.counts == {Status.PASS: 1, Status.WAIVED: 1}
    assert [(w.waiver_id, w.state, w.matched, w.waived) for w in waived.waivers] == [("W-1", "active", 1, 1)]
    assert base.findings[1].status == Status.FAIL  # the input report is left alone


def test_resource_pattern_matches_name_or_id_and_account_region_narrow_it():
    base = report(
        finding("aws.s3.bucket_versioning", "legacy-a", region="us-east-1"),
        finding("aws.s3.bucket_versioning", "legacy-b", region="eu-west-1"),
        finding("aws.s3.bucket_versioning", "prod", region="eu-west-1"),
    )
    waived = apply_waivers(base, [waiver(resource="legacy-*", region="eu-*", account="1111*")])
    assert statuses(waived) == {"legacy-a": "FAIL", "legacy-b": "WAIVED", "prod": "FAIL"}
    other_account = apply_waivers(base, [waiver(resource="legacy-*", account="999999999999")])
    assert other_account.waivers[0].state == "stale"


def test_expiry_today_still_applies_and_yesterday_is_expired():
    base = report(finding("aws.s3.bucket_versioning", "logs"))  # collected 2026-03-31 12:00 UTC
    assert statuses(apply_waivers(base, [waiver(expires=date(2026, 3, 31))])) == {"logs": "WAIVED"}
    expired = apply_waivers(base, [waiver(expires=date(2026, 3, 30))])
    assert statuses(expired) == {"logs": "FAIL"}
    assert [(w.state, w.matched, w.waived) for w in expired.waivers] == [("expired", 1, 0)]
    assert warnings(expired) == [
        "waiver W-1 (aws.s3.bucket_versioning) expired on 2026-03-30; 1 finding(s) it covered count again: renew or remove it"
    ]


@pytest.mark.parametrize(
    ("collected", "zone", "applies"),
    [
        # 23:30 UTC on the expiry day: still that day in UTC, already the next day in Auckland (UTC+13)
        (datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc), "UTC", True),
        (datetime(2026, 3, 31, 23, 30, tzinfo=timezone.utc), "Pacific/Auckland", False),
        # 05:00 UTC the day after: expired in UTC, still 22:00 on the expiry day in Los Angeles (UTC-7)
        (datetime(2026, 4, 1, 5, 0, tzinfo=timezone.utc), "UTC", False),
        (datetime(2026, 4, 1, 5, 0, tzinfo=timezone.utc), "America/Los_Angeles", True),
        # the first instant after midnight in the zone ends it
        (datetime(2026, 4, 1, 7, 0, tzinfo=timezone.utc), "America/Los_Angeles", False),
    ],
)
def test_expiry_ends_at_midnight_in_the_configured_time_zone(collected, zone, applies):
    base = report(finding("aws.s3.bucket_versioning", "logs"), collected_at=collected)
    waived = apply_waivers(base, [waiver(expires=date(2026, 3, 31))], zone_for(zone))
    assert statuses(waived) == {"logs": "WAIVED" if applies else "FAIL"}


def test_overlapping_waivers_first_in_force_applies_and_the_other_is_not_stale():
    base = report(finding("aws.s3.bucket_versioning", "logs"), finding("aws.s3.bucket_access_logging", "logs"))
    first = waiver(id="W-narrow", resource="logs", justification="narrow")
    second = waiver(id="W-broad", check="aws.s3.*", resource="*", justification="broad")
    waived = apply_waivers(base, [first, second])
    by_check = {f.check_id: f.waiver.waiver_id for f in waived.findings}
    assert by_check == {"aws.s3.bucket_versioning": "W-narrow", "aws.s3.bucket_access_logging": "W-broad"}
    assert [(w.waiver_id, w.state, w.matched, w.waived) for w in waived.waivers] == [
        ("W-narrow", "active", 1, 1),
        ("W-broad", "active", 2, 1),
    ]
    # when the first has expired, the second takes over
    later = apply_waivers(base, [first.model_copy(update={"expires": date(2026, 1, 1)}), second])
    assert {f.waiver.waiver_id for f in later.findings} == {"W-broad"}
    assert [w.state for w in later.waivers] == ["expired", "active"]


def test_glob_matching_nothing_or_only_passing_findings_is_stale():
    base = report(finding("aws.s3.bucket_versioning", "ok", "PASS"), finding("aws.s3.bucket_versioning", "bad"))
    waived = apply_waivers(base, [waiver(id="W-none", resource="nothing-*"), waiver(id="W-pass", resource="ok")])
    assert [(w.waiver_id, w.state, w.matched) for w in waived.waivers] == [("W-none", "stale", 0), ("W-pass", "stale", 0)]
    assert statuses(waived) == {"ok": "PASS", "bad": "FAIL"}
    assert "waiver W-none (aws.s3.bucket_versioning nothing-*) matches no finding: remove it" in warnings(waived)


def test_error_and_unknown_are_waivable_pass_and_not_applicable_are_not():
    base = report(
        finding("aws.s3.bucket_versioning", "denied", "ERROR"),
        finding("aws.s3.bucket_versioning", "undecided", "UNKNOWN"),
        finding("aws.s3.bucket_versioning", "fine", "PASS"),
        finding("aws.s3.bucket_versioning", "none", "NOT_APPLICABLE"),
    )
    waived = apply_waivers(base, [waiver()])
    assert statuses(waived) == {"denied": "WAIVED", "undecided": "WAIVED", "fine": "PASS", "none": "NOT_APPLICABLE"}
    assert {f.waiver.original_status.value for f in waived.findings if f.waiver} == {"ERROR", "UNKNOWN"}


def test_applying_again_is_idempotent_and_no_waivers_restores_the_verdicts():
    base = report(finding("aws.s3.bucket_versioning", "logs"))
    once = apply_waivers(base, [waiver()])
    assert apply_waivers(once, [waiver()]).model_dump() == once.model_dump()
    restored = apply_waivers(once, [])
    assert statuses(restored) == {"logs": "FAIL"} and restored.summary == base.summary


def test_exit_status_does_not_count_waived_as_fail():
    base = report(finding("aws.iam.root_mfa_enabled", "root"), finding("aws.s3.bucket_versioning", "logs"))
    assert exit_status(base, "any") == EXIT_FAIL
    waived = apply_waivers(base, [waiver(check="aws.*")])
    assert exit_status(waived, "any") == EXIT_OK
    partly = apply_waivers(base, [waiver(check="aws.s3.*")])
    assert exit_status(partly, "any") == EXIT_FAIL and exit_status(partly, "high") == EXIT_FAIL


def test_sarif_keeps_waived_failures_as_suppressed_results(tmp_path):
    base = report(
        finding("aws.s3.bucket_versioning", "logs"),
        finding("aws.s3.bucket_versioning", "data"),
        finding("aws.s3.bucket_versioning", "denied", "ERROR"),
    )
    waived = apply_waivers(base, [waiver(resource="logs", ticket="SEC-1"), waiver(id="W-2", resource="denied")])
    document = json.loads(sarif.render(waived))
    results = document["runs"][0]["results"]
    assert len(results) == 2  # a waived ERROR was never a result
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 1 and "logs" in suppressed[0]["message"]["text"]
    assert suppressed[0]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted",
            "properties": {"waiverId": "W-1", "owner": "alice", "expires": "2026-03-31", "ticket": "SEC-1"},
        }
    ]
    if not (SHARED / "tools" / "validate_sarif.py").exists():
        pytest.skip("../shared is not beside the project: SARIF validation skipped")
    pytest.importorskip("jsonschema")
    path = tmp_path / "waived.sarif"
    path.write_text(sarif.render(waived))
    checked = subprocess.run(
        [PYTHON, str(SHARED / "tools" / "validate_sarif.py"), "--strict", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


# -- trustscan.yaml --------------------------------------------------------------------------------

VALID = """\
version: 1
providers:
  aws:
    regions: [us-east-1]
checks:
  include: ["aws.s3.*"]
  exclude: [aws.s3.bucket_tls_only]
parameters:
  aws.logs.log_group_retention: {min_days: 90}
fail_on: high
timezone: Europe/Berlin
waivers:
  - id: W-001
    check: aws.s3.bucket_versioning
    resource: "arn:aws:s3:::legacy-*"
    justification: Read-only archive
    owner: platform@example.com
    ticket: SEC-123
    expires: 2026-12-31
  - check: aws.s3.bucket_access_logging
    resource: "*"
    justification: Logged by CloudTrail data events
    owner: platform@example.com
    expires: "2026-06-30"
"""


def error_for(text: str, name: str = "trustscan.yaml") -> str:
    with pytest.raises(ConfigurationError) as caught:
        parse_config(text, name)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_valid_config_parses_with_default_waiver_ids():
    config = parse_config(VALID)
    assert [w.id for w in config.waivers] == ["W-001", "waivers[1]"]
    assert config.waivers[1].expires == date(2026, 6, 30) and config.fail_on == "high"
    assert config.providers["aws"].regions == ["us-east-1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "waivers:\n  - id: W-7\n    check: aws.s3.bucket_versioning\n    resource: '*'\n    owner: me\n    expires: 2026-01-01\n",
            "trustscan.yaml:2: waivers[0] (W-7): every waiver needs a justification: why the risk is accepted",
        ),
        (
            "version: 1\nwaivers:\n  - check: aws.s3.bucket_versioning\n    resource: '*'\n    owner: me\n    justification: ok\n",
            "trustscan.yaml:3: waivers[0]: every waiver needs an expiry date (YYYY-MM-DD): waivers must end",
        ),
        (
            "waivers:\n  - check: a\n    resource: b\n    owner: me\n    justification: '   '\n    expires: 2026-01-01\n",
            "trustscan.yaml:5: waivers[0].justification: must not be empty",
        ),
        (
            "waivers:\n  - check: a\n    resource: b\n    owner: me\n    justification: j\n    expires: 2026-01-01T10:00:00Z\n",
            "trustscan.yaml:6: waivers[0].expires: must be a date (YYYY-MM-DD)",
        ),
        ("checks:\n  include: [aws.s3.*\n  exclude: []\n", "trustscan.yaml:3:10: malformed YAML"),
        ("waivers:\n- check: a\n  resource: b\n   owner: c\n", "trustscan.yaml:4:9: malformed YAML"),
        ("fail_on: sometimes\n", "trustscan.yaml:1: fail_on: Input should be"),
        ("timezone: Mars/Olympus\n", "trustscan.yaml:1: timezone: unknown time zone 'Mars/Olympus'"),
        ("version: 1\nwaiver: []\n", "trustscan.yaml:2: waiver: unknown setting"),
        ("- just\n- a list\n", "trustscan.yaml:1: the configuration must be a mapping"),
    ],
)
def test_config_errors_are_one_line_with_file_and_line(text, expected):
    assert error_for(text).startswith(expected)


def test_duplicate_waiver_ids_are_rejected():
    text = VALID.replace("  - check: aws.s3.bucket_access_logging", "  - id: W-001\n    check: aws.s3.bucket_access_logging")
    assert "waiver id 'W-001' is used twice" in error_for(text)


def test_published_schema_is_current_and_validates_the_example(tmp_path):
    published = ROOT / "docs" / "trustscan.schema.json"
    if os.environ.get("UPDATE_GOLDEN"):
        published.write_text(config_schema_json())
    assert published.read_text() == config_schema_json(), "docs/trustscan.schema.json is stale: UPDATE_GOLDEN=1"
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = config_schema()
    jsonschema.Draft202012Validator(schema).validate(json.loads(json.dumps(yaml.safe_load(VALID), default=str)))
    missing = yaml.safe_load(VALID)
    del missing["waivers"][0]["justification"]
    assert not jsonschema.Draft202012Validator(schema).is_valid(json.loads(json.dumps(missing, default=str)))


# -- the command line ------------------------------------------------------------------------------


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "scanner.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trustscan: error: ") and text in lines[0], result.stderr


def test_cli_malformed_or_incomplete_config_exits_2_with_file_and_line(tmp_path):
    bad = tmp_path / "trustscan.yaml"
    bad.write_text("version: 1\nwaivers:\n  - check: [aws.s3\n")
    offline = ("--endpoint-url", "http://127.0.0.1:9", "--regions", "us-east-1")
    assert_one_line_error(run("scan", "aws", "--config", str(bad), *offline), f"{bad}:4:1: malformed YAML")
    bad.write_text(VALID.replace("    justification: Read-only archive\n", ""))
    assert_one_line_error(
        run("scan", "aws", "--config", str(bad), *offline), f"{bad}:13: waivers[0] (W-001): every waiver needs a justification"
    )
    bad.write_text(VALID.replace("aws.s3.bucket_versioning", "aws.s3.bucket_versionin"))
    assert_one_line_error(
        run("scan", "aws", "--config", str(bad), *offline), "waiver W-001 names unknown check id 'aws.s3.bucket_versionin'"
    )
    assert_one_line_error(run("scan", "aws", "--config", str(tmp_path / "none.yaml"), *offline), "config file not found")
    assert_one_line_error(run("config", "validate", str(tmp_path / "none.yaml")), "config file not found")


def test_cli_config_validate_and_schema(tmp_path):
    path = tmp_path / "trustscan.yaml"
    path.write_text(VALID)
    result = run("config", "validate", str(path))
    assert result.returncode == 0, result.stderr
    assert f"{path}: valid; 2 waiver(s)" in result.stdout
    path.write_text(VALID.replace("{min_days: 90}", "{min_dayz: 90}"))
    assert_one_line_error(run("config", "validate", str(path)), "check aws.logs.log_group_retention has no parameter 'min_dayz'")
    schema = json.loads(run("config", "schema").stdout)
    assert schema["title"] == "trustscan configuration" and "waivers" in schema["properties"]


@pytest.fixture
def buckets(aws):
    s3 = aws.client("s3")
    for name in ("legacy-archive", "prod-data", "open-logs"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket="prod-data", VersioningConfiguration={"Status": "Enabled"})
    return aws


def test_scan_with_config_selects_waives_and_gates(buckets, tmp_path):
    config = tmp_path / "trustscan.yaml"
    config.write_text(
        "providers:\n  aws:\n    regions: [us-east-1]\n"
        "checks:\n  include: [aws.s3.bucket_versioning, aws.s3.bucket_access_logging]\n"
        "fail_on: low\n"
        "waivers:\n"
        "  - {id: W-1, check: aws.s3.bucket_versioning, resource: 'arn:aws:s3:::legacy-*', justification: archive, owner: me, expires: 2999-01-01}\n"
        "  - {id: W-2, check: aws.s3.bucket_access_logging, resource: '*', justification: CloudTrail data events, owner: me, expires: 2999-01-01}\n"
        "  - {id: W-3, check: aws.s3.bucket_versioning, resource: gone-*, justification: old, owner: me, expires: 2999-01-01}\n"
    )
    out, snapshot = tmp_path / "r.json", tmp_path / "snapshot.json"
    result = run(
        "scan", "aws", "--config", str(config), "--endpoint-url", buckets.endpoint_url, "-q", "--format", f"json={out}",
        "--snapshot", str(snapshot),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # open-logs still fails versioning
    assert "waiver W-3 (aws.s3.bucket_versioning gone-*) matches no finding: remove it" in result.stderr
    document = json.loads(out.read_text())
    assert document["metadata"]["regions"] == ["us-east-1"]
    got = {(f["check_id"].rsplit(".", 1)[1], f["resource_name"], f["status"]) for f in document["findings"]}
    assert got == {
        ("bucket_versioning", "legacy-archive", "WAIVED"),
        ("bucket_versioning", "prod-data", "PASS"),
        ("bucket_versioning", "open-logs", "FAIL"),
        ("bucket_access_logging", "legacy-archive", "WAIVED"),
        ("bucket_access_logging", "prod-data", "WAIVED"),
        ("bucket_access_logging", "open-logs", "WAIVED"),
    }
    assert [(w["waiver_id"], w["state"], w["waived"]) for w in document["waivers"]] == [
        ("W-1", "active", 1),
        ("W-2", "active", 3),
        ("W-3", "stale", 0),
    ]
    # the snapshot re-evaluates offline, waivers included, to the same findings
    offline = tmp_path / "offline.json"
    assert run("evaluate", str(snapshot), "--config", str(config), "--format", f"json={offline}").returncode == 1
    assert json.loads(offline.read_text())["findings"] == document["findings"]
    # the command line wins over the file: --fail-on high lets the medium failure through
    assert (
        run(
            "scan",
            "aws",
            "--config",
            str(config),
            "--endpoint-url",
            buckets.endpoint_url,
            "-q",
            "--fail-on",
            "high",
            "--format",
            f"json={out}",
        ).returncode
        == 0
    )


def test_readme_configuration_example_is_valid():
    from scanner.config import validate_references
    from scanner.registry import load_checks

    readme = (ROOT / "README.md").read_text()
    blocks = [block.split("```")[0] for block in readme.split("```yaml\n")[1:]]
    config = parse_config(next(block for block in blocks if "\nwaivers:" in block), "README.md")
    validate_references(config, load_checks(), "README.md")
    assert config.waivers and config.timezone == "Europe/Berlin"
