"""junit, csv, markdown and ocsf: goldens on the demo (a fixed set of its checks), and each read back the way its consumer reads it
(JUnit XML with the standard library, CSV with the csv module, OCSF against py-ocsf-models).

Regenerate the goldens after an intended change: UPDATE_GOLDEN=1 pytest tests/test_formats.py
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from scanner import formatters
from scanner.baseline import compare
from scanner.engine.evaluate import finding_id
from scanner.formatters import csv_format, junit, markdown, ocsf
from scanner.models.report import Report
from scanner.waivers import apply_waivers
from tests.report_factory import finding, report
from scanner.demo.aws import DEMO_REGIONS, seed_demo_account
from tests.test_golden import GOLDEN, MOTO_IDS, TIMESTAMP
from tests.test_waivers import waiver

FIXED_TIME = "2026-01-01T00:00:00Z"
GOLDEN_FILES = {
    "junit": "demo-report.junit.xml",
    "csv": "demo-report.csv",
    "markdown": "demo-report.md",
    "ocsf": "demo-report.ocsf.jsonl",
}


def stable(report: Report) -> Report:
    """test_golden's normalisation applied to the report itself (times fixed, moto's ids masked,
    findings in name order, ids recomputed from the masked values), so every format renders stably."""
    text = TIMESTAMP.sub(FIXED_TIME, report.model_dump_json())
    data = json.loads(MOTO_IDS.sub(lambda m: (m.group(1) or "uuid") + "-x", text))
    data["metadata"].update(elapsed_seconds=0, api_calls={})
    for f in data["findings"]:
        f["finding_id"] = finding_id(f["provider"], f["account"], f["check_id"], f["resource_id"], f["region"])
    data["findings"].sort(key=lambda f: (f["check_id"], f["region"], f["resource_name"], json.dumps(f, sort_keys=True)))
    return Report.model_validate(data)


def test_formats_are_registered_with_file_extensions():
    for name in ("junit", "csv", "markdown", "ocsf", "json", "sarif", "table"):
        assert name in formatters.available() and name in formatters.EXTENSIONS
        assert callable(formatters.get(name))


# The demo's foundation checks, fixed: these goldens change when a format changes, not whenever the
# catalogue grows (tests/test_golden.py covers the whole demo). Check ids are never renamed.
GOLDEN_CHECKS = [
    "aws.backup.plan_exists", "aws.cloudtrail.log_file_validation", "aws.cloudtrail.multi_region_trail_logging",
    "aws.cloudtrail.trail_kms_encrypted", "aws.dynamodb.pitr_enabled", "aws.ec2.ebs_encryption_by_default",
    "aws.ec2.volume_encrypted", "aws.ec2.vpc_flow_logs", "aws.iam.password_policy_strong", "aws.iam.root_access_keys_absent",
    "aws.iam.root_hardware_mfa", "aws.iam.root_mfa_enabled", "aws.iam.user_console_mfa", "aws.kms.cmk_rotation_enabled",
    "aws.logs.log_group_retention", "aws.rds.backup_retention", "aws.rds.deletion_protection",
    "aws.rds.instance_storage_encrypted", "aws.rds.multi_az", "aws.s3.bucket_access_logging",
    "aws.s3.bucket_default_encryption", "aws.s3.bucket_tls_only", "aws.s3.bucket_versioning",
]  # fmt: skip


@pytest.fixture
def demo_subset(aws) -> Report:
    seed_demo_account(aws.session(), aws.endpoint_url)
    return aws.collect(GOLDEN_CHECKS, regions=DEMO_REGIONS)[1]


def test_demo_goldens(demo_subset):
    report = stable(demo_subset)
    stale = []
    for name, filename in GOLDEN_FILES.items():
        text = formatters.get(name)(report)
        path = GOLDEN / filename
        if os.environ.get("UPDATE_GOLDEN"):
            path.write_bytes(text.encode("utf-8"))
        if not path.exists() or path.read_bytes().decode("utf-8") != text:
            stale.append(filename)
    assert not stale, f"{stale} differ: UPDATE_GOLDEN=1 pytest tests/test_formats.py"
    _check_junit(report, junit.render(report))
    _check_csv(report, csv_format.render(report))
    _check_ocsf(report, ocsf.render(report))


def mixed_report() -> Report:
    base = report(
        finding("aws.s3.bucket_versioning", "fail-bucket", message='versioning <off> & "Suspended"\nsecond line'),
        finding("aws.s3.bucket_versioning", '=HYPERLINK("http://x")', "PASS"),
        finding("aws.s3.bucket_access_logging", "waived-bucket"),
        finding("aws.iam.root_mfa_enabled", "root", "ERROR", region="global", message="access denied to iam:GetAccountSummary"),
        finding("aws.ec2.volume_encrypted", "none", "NOT_APPLICABLE", message="no volumes"),
        finding("aws.ec2.volume_encrypted", "undecided", "UNKNOWN", message="state unknown\x00"),
    )
    waived = apply_waivers(base, [waiver(check="aws.s3.bucket_access_logging", ticket="SEC-1", expires=date(2026, 12, 31))])
    return compare(waived, report(finding("aws.s3.bucket_versioning", "fail-bucket")))


def _check_junit(report: Report, text: str) -> None:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(report.findings) == int(root.get("tests"))
    outcome = sorted(
        (
            case.get("classname"),
            case.get("name"),
            next((c.tag for c in case if c.tag in ("failure", "error", "skipped")), "passed"),
        )
        for case in cases
    )
    expected = {
        "FAIL": "failure",
        "ERROR": "error",
        "WAIVED": "skipped",
        "NOT_APPLICABLE": "skipped",
        "UNKNOWN": "skipped",
        "PASS": "passed",
    }
    assert outcome == sorted((f.check_id, junit.testcase_name(f), expected[f.status.value]) for f in report.findings)
    for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        assert int(root.get(key)) == sum(1 for *_, v in outcome if v == tag)
    for suite in root.findall("testsuite"):
        assert int(suite.get("tests")) == len(suite.findall("testcase"))


def _check_csv(report: Report, text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert text.endswith("\r\n") and list(rows[0]) == csv_format.COLUMNS
    assert [r["finding_id"] for r in rows] == [f.finding_id for f in report.findings]
    assert {r["status"] for r in rows} == {f.status.value for f in report.findings}  # passes included
    for row, f in zip(rows, report.findings, strict=True):
        assert row["message"].lstrip("'") == f.message and (json.loads(row["evidence"]) if row["evidence"] else {}) == f.evidence


def _check_ocsf(report: Report, text: str) -> None:
    lines = text.splitlines()
    assert len(lines) == len(report.findings)
    events = [json.loads(line) for line in lines]
    for event, f in zip(events, report.findings, strict=True):
        assert (event["class_uid"], event["category_uid"], event["activity_id"], event["type_uid"]) == (2003, 2, 1, 200301)
        assert event["metadata"]["version"] == ocsf.OCSF_VERSION and event["metadata"]["product"]["name"] == "trustscan"
        assert event["finding_info"]["uid"] == f.finding_id and event["compliance"]["control"] == f.check_id
        assert event["compliance"]["requirements"] == f.criteria.get("soc2", [])
        assert event["resources"][0]["uid"] == f.resource_id and event["cloud"]["account"]["uid"] == f.account
        assert isinstance(event["time"], int) and 1 <= event["severity_id"] <= 5
    models = pytest.importorskip("py_ocsf_models.events.findings.compliance_finding", reason="py-ocsf-models not installed")
    for event in events:
        parsed = models.ComplianceFinding.model_validate(event)
        assert parsed.class_uid == 2003 and parsed.type_uid == 200301


def test_junit_maps_every_status_and_escapes_text():
    report = mixed_report()
    text = junit.render(report)
    _check_junit(report, text)
    root = ET.fromstring(text.encode("utf-8"))
    failure = root.find("testsuite[@name='aws.s3.bucket_versioning']/testcase/failure")
    assert failure.get("message") == 'versioning <off> & "Suspended"\nsecond line'
    skipped = root.find("testsuite[@name='aws.s3.bucket_access_logging']/testcase/skipped")
    assert skipped.get("message").startswith("waived by W-1 (alice, until 2026-12-31): accepted [was FAIL")
    assert (
        root.find("testsuite[@name='aws.iam.root_mfa_enabled']/testcase/error").get("message")
        == "access denied to iam:GetAccountSummary"
    )
    assert "\x00" not in text


def test_csv_includes_passes_waivers_baseline_and_neutralises_formulas():
    report = mixed_report()
    text = csv_format.render(report)
    _check_csv(report, text)
    rows = {r["resource_name"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows['\'=HYPERLINK("http://x")']["status"] == "PASS"
    waived = rows["waived-bucket"]
    assert (waived["status"], waived["waiver_id"], waived["waiver_ticket"], waived["original_status"]) == (
        "WAIVED",
        "W-1",
        "SEC-1",
        "FAIL",
    )
    assert rows["fail-bucket"]["baseline_state"] == "unchanged" and rows["root"]["baseline_state"] == "new"
    assert rows["fail-bucket"]["criteria"] == "soc2:A1.2,CC7.5"


def test_ocsf_statuses_and_model_validation():
    report = mixed_report()
    text = ocsf.render(report)
    _check_ocsf(report, text)
    events = {e["resources"][0]["name"]: e for e in map(json.loads, text.splitlines())}
    assert (events["fail-bucket"]["compliance"]["status_id"], events["fail-bucket"]["status_id"]) == (3, 1)
    waived = events["waived-bucket"]
    assert (waived["compliance"]["status_id"], waived["status_id"], waived["status"]) == (3, 3, "Suppressed")
    assert waived["unmapped"]["trustscan"]["waiver"]["justification"] == "accepted"
    assert events["root"]["compliance"]["status_id"] == 2 and "region" not in events["root"]["cloud"]
    assert events["none"]["compliance"]["status"] == "Not Applicable"
    assert events["root"]["severity_id"] == 5 and events["root"]["severity"] == "Critical"


def test_markdown_escapes_free_text_and_lists_waivers_and_baseline():
    report = mixed_report()
    text = markdown.render(report)
    assert text.startswith("## trustscan: ❌ 1 failing finding\n")
    assert 'versioning \\<off\\> &amp; "Suspended" second line' in text  # one line, no HTML, table intact
    assert "| W-1 | `aws.s3.bucket_access_logging` | `*` | alice | 2026-12-31 | active | 1 | accepted (SEC-1) |" in text
    assert "Against the baseline collected 2026-03-31T12:00:00Z: **0 new failing**" in text
    assert "| medium | `aws.s3.bucket_versioning` | fail-bucket | us-east-1 |" in text
    for line in text.splitlines():
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) == line.count("|") - line.count("\\|")


def test_markdown_stays_under_the_step_summary_limit_for_a_huge_estate():
    findings = [
        finding("aws.s3.bucket_versioning", f"bucket-{i:06d}-" + "x" * 200, message="m" * 5000, region=f"r-{i % 7}")
        for i in range(3_000)
    ]
    big = report(*findings)
    text = markdown.render(big)
    assert len(text.encode("utf-8")) <= markdown.MAX_BYTES
    assert "Failing findings (3000, top 50 by severity)" in text and "… and 2950 more" in text
    smaller = markdown.render(big, max_bytes=20_000)
    assert len(smaller.encode("utf-8")) <= 20_000 and "Failing findings (3000, top 25 by severity)" in smaller
    cramped = markdown.render(big, max_bytes=600)
    assert len(cramped.encode("utf-8")) <= 600 and cramped.endswith("_(summary truncated to fit GitHub's step-summary limit)_\n")
