"""The GitHub Actions writers: step summary, annotations and outputs, exercised through the files the
runner provides (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT pointed at temp files) and the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from scanner.baseline import compare
from scanner.ci import github
from scanner.formatters import sarif
from scanner.waivers import apply_waivers
from tests.report_factory import finding, report
from tests.test_waivers import waiver

PYTHON = sys.executable


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    values: dict[str, str] = {}
    lines = iter(text.split("\n"))
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
    return values


def test_workflow_command_escaping():
    assert github.escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = github.command("error", "bucket x: bad\nline", title="aws.s3.x (high)", file=None, line=None)
    assert line == "::error title=aws.s3.x (high)::bucket x: bad%0Aline"
    # a message cannot smuggle a second workflow command onto its own line
    assert "\n" not in github.command("warning", "ok\n::add-mask::secret")


def many_failures():
    findings = [finding("aws.iam.root_mfa_enabled", f"crit-{i:02d}", region=f"r{i}") for i in range(6)]
    findings += [finding("aws.ec2.volume_encrypted", f"vol-{i:02d}") for i in range(6)]
    findings += [finding("aws.s3.bucket_versioning", f"bucket-{i:02d}") for i in range(7)]
    findings += [finding("aws.s3.bucket_access_logging", f"log-{i:02d}") for i in range(6)]
    findings.append(finding("aws.s3.bucket_versioning", "fine", "PASS"))
    return report(*findings)


def test_annotations_top_ten_per_level_by_severity_and_a_notice_for_the_rest():
    lines = github.annotations(many_failures())
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == 10 and len(warnings) == 10
    assert all("aws.iam.root_mfa_enabled (critical)" in line for line in errors[:6])  # critical before high
    assert all("(medium)" in line for line in warnings[:7]) and "(low)" in warnings[7]
    assert (
        lines[-1]
        == "::notice title=trustscan::5 more failing finding(s) not annotated: see the step summary, code scanning or the JSON report"
    )
    assert not any("file=" in line for line in lines)  # cloud resources have no repository file


def test_new_failures_are_annotated_first_against_a_baseline():
    current = many_failures()
    old = report(*[f for f in current.findings if f.resource_name != "log-05"])
    lines = github.annotations(compare(current, old))
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert warnings[0].startswith("::warning title=new%3A aws.s3.bucket_access_logging (low)::log-05")


def test_file_and_line_only_for_a_file_in_the_workspace(tmp_path):
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "bucket.tf").write_text('resource "aws_s3_bucket" "x" {}\n')
    in_repo = finding("aws.s3.bucket_versioning", "x", evidence={"file": "infra/bucket.tf", "line": 12})
    missing = finding("aws.s3.bucket_versioning", "y", evidence={"file": "infra/nope.tf", "line": 3})
    escaping = finding("aws.s3.bucket_versioning", "z", evidence={"file": "../../etc/passwd"})
    assert github.repository_location(in_repo, tmp_path) == ("infra/bucket.tf", 12)
    assert github.repository_location(missing, tmp_path) is None
    assert github.repository_location(escaping, tmp_path) is None
    lines = github.annotations(report(in_repo, missing), workspace=tmp_path)
    assert any(
        line.startswith("::warning title=aws.s3.bucket_versioning (medium),file=infra/bucket.tf,line=12::x") for line in lines
    )


def test_expired_and_stale_waivers_point_at_their_line_in_the_config(tmp_path):
    config = tmp_path / "trustscan.yaml"
    config.write_text(
        "version: 1\nwaivers:\n"
        "  - {id: W-old, check: aws.s3.bucket_versioning, resource: '*', justification: j, owner: o, expires: 2020-01-01}\n"
        "  - id: W-none\n    check: aws.s3.*\n    resource: nothing\n    justification: j\n    owner: o\n    expires: 2999-01-01\n"
    )
    base = report(finding("aws.s3.bucket_versioning", "logs"))
    waived = apply_waivers(
        base, [waiver(id="W-old", expires=date(2020, 1, 1)), waiver(id="W-none", check="aws.s3.*", resource="nothing")]
    )
    lines = github.annotations(waived, workspace=tmp_path, config_path=str(config))
    assert (
        lines[0]
        == "::warning title=trustscan waiver expired,file=trustscan.yaml,line=3::waiver W-old expired on 2020-01-01: 1 finding(s) count again"
    )
    assert lines[1].startswith(
        "::warning title=trustscan waiver stale,file=trustscan.yaml,line=4::waiver W-none (aws.s3.* nothing) matches no finding"
    )


def test_outputs_use_delimited_blocks_that_values_cannot_break(tmp_path):
    path = tmp_path / "output"
    path.write_text("earlier=1\n")
    github.write_outputs(path, {"result": "fail", "note": "two\nlines", "tricky": "ghadelimiter_x\n=3"})
    assert parse_outputs(path.read_text()) == {
        "earlier": "1",
        "result": "fail",
        "note": "two\nlines",
        "tricky": "ghadelimiter_x\n=3",
    }


def test_upload_decision_and_fork_detection(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {"full_name": "someone/fork"}}}}))
    fork = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/infra"}
    same = {**fork, "GITHUB_REPOSITORY": "someone/fork"}
    assert github.is_fork_pull_request(fork) and not github.is_fork_pull_request(same)
    assert not github.should_upload("auto", fork) and github.should_upload("auto", same)
    assert github.should_upload("auto", {"GITHUB_EVENT_NAME": "push"}) and github.should_upload("true", fork)
    assert not github.should_upload("false", same)


def run_github_report(tmp_path: Path, *args: str, event: dict | None = None) -> tuple[subprocess.CompletedProcess, dict, str]:
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update(
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(output),
        GITHUB_WORKSPACE=str(tmp_path),
        GITHUB_REPOSITORY="acme/infra",
    )
    if event is not None:
        (tmp_path / "event.json").write_text(json.dumps(event))
        env.update(GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(tmp_path / "event.json"))
    result = subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", "github-report", *args], capture_output=True, text=True, env=env, timeout=60
    )
    outputs = parse_outputs(output.read_text()) if output.exists() else {}
    return result, outputs, summary.read_text() if summary.exists() else ""


def test_github_report_writes_summary_annotations_and_outputs(tmp_path):
    data = apply_waivers(many_failures(), [waiver(check="aws.s3.bucket_access_logging")])
    (tmp_path / "r.json").write_text(data.model_dump_json())
    (tmp_path / "r.sarif").write_text(sarif.render(data))
    result, outputs, summary = run_github_report(
        tmp_path, str(tmp_path / "r.json"), "--exit-code", "1", "--fail-on", "high", "--sarif-file", str(tmp_path / "r.sarif")
    )
    assert result.returncode == 0, result.stderr
    assert outputs == {
        "sarif-file": str(tmp_path / "r.sarif"),
        "json-file": str(tmp_path / "r.json"),
        "findings": "19",
        "failed": "12",
        "result": "fail",
        "category": "trustscan/aws/111122223333/",
        "upload-sarif": "true",
    }
    assert summary.startswith("## trustscan: ❌ fail: 12 FAIL findings at or above high\n")
    assert "| W-1 | `aws.s3.bucket_access_logging` | `*` | alice | 2026-03-31 | active | 6 | accepted |" in summary
    assert len([line for line in result.stdout.splitlines() if line.startswith("::error ")]) == 10


def test_github_report_never_uploads_a_shards_sarif(tmp_path):
    """One shard's SARIF under the organization's category would replace every other shard's alerts."""
    from scanner.models.inventory import ShardInfo

    data = report(finding("aws.s3.bucket_versioning", "logs", "FAIL"))
    data.metadata.shard = ShardInfo(index=2, count=4, scopes=["111122223333"])
    (tmp_path / "r.json").write_text(data.model_dump_json())
    (tmp_path / "r.sarif").write_text(sarif.render(data))
    result, outputs, _ = run_github_report(tmp_path, str(tmp_path / "r.json"), "--exit-code", "1", "--sarif-file", str(tmp_path / "r.sarif"))
    assert (outputs["upload-sarif"], outputs["sarif-file"], outputs["result"]) == ("false", str(tmp_path / "r.sarif"), "fail")
    assert "::notice title=trustscan::shard 2/4: its SARIF is not uploaded to code scanning" in result.stdout
    result, outputs, _ = run_github_report(
        tmp_path, str(tmp_path / "r.json"), "--exit-code", "1", "--sarif-file", str(tmp_path / "r.sarif"), "--upload-sarif", "false"
    )
    assert outputs["upload-sarif"] == "false" and "::notice" not in result.stdout  # nothing to explain when none was asked for


def test_github_report_on_a_fork_pull_request_and_without_a_report(tmp_path):
    (tmp_path / "r.json").write_text(report(finding("aws.s3.bucket_versioning", "ok", "PASS")).model_dump_json())
    (tmp_path / "r.sarif").write_text("{}")
    fork = {"pull_request": {"head": {"repo": {"full_name": "someone/fork"}}}}
    result, outputs, summary = run_github_report(
        tmp_path, str(tmp_path / "r.json"), "--exit-code", "0", "--sarif-file", str(tmp_path / "r.sarif"), event=fork
    )
    assert result.returncode == 0 and (outputs["result"], outputs["failed"], outputs["upload-sarif"]) == ("pass", "0", "false")
    assert summary.startswith("## trustscan: ✅ pass (no failing findings)")
    result, outputs, summary = run_github_report(
        tmp_path, str(tmp_path / "missing.json"), "--exit-code", "2", "--sarif-file", str(tmp_path / "none.sarif")
    )
    assert result.returncode == 0, result.stderr
    assert (outputs["result"], outputs["json-file"], outputs["sarif-file"], outputs["upload-sarif"]) == ("error", "", "", "false")
    assert "The scan exited with status 2 before writing a report" in summary
