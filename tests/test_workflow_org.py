""".github/workflows/trustscan-org.yml: the reusable workflow that scans an organization in a matrix of
shard jobs and merges them (the Action's `shard` and `merge` inputs).

Checked as GitHub would check it (actionlint, with the workflow's `with:` held to action.yml's inputs),
and run here as GitHub would run it: the plan job's script (the shard list, and the trustscan commit
read from an OIDC token served on a loopback port), then the Action's own steps once per shard, all at
once, with the matrix value each job gets, the artifacts moved where upload-artifact and
download-artifact put them, and the merge job's Action run on them. The merge must equal one
unsharded scan of the same organization (tests/local_engine.py, shared with the Kubernetes test).
"""

from __future__ import annotations

import base64
import fnmatch
import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401
from tests.local_engine import SHARDS, all_at_once, scan_args, trustscan_env, unsharded_findings
from tests.test_action import ACTION, EXPRESSION, SHA_PIN, run_action, tool, with_tools_on_path
from tests.test_github import parse_outputs

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "trustscan-org.yml"
LOCAL_ACTION = "./.trustscan-src"  # where the shard and merge jobs check the action out


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def caller(**given: Any) -> dict[str, str]:
    """The expression context of a call: every `inputs.X`, the caller's value or the input's default."""
    declared = workflow()["on"]["workflow_call"]["inputs"]
    assert set(given) <= set(declared), set(given) - set(declared)
    values = {name: given.get(name, spec.get("default", "")) for name, spec in declared.items()}
    return {f"inputs.{name}": str(value).lower() if isinstance(value, bool) else str(value) for name, value in values.items()}


CHOICE = re.compile(r"^([\w.-]+) && '([^']*)' \|\| '([^']*)'$")  # the `a && 'x' || 'y'` idiom of expressions


def resolve(value: Any, context: dict[str, str]) -> str:
    """A workflow value with its `${{ }}` expressions evaluated: plain references (inputs.X, matrix.X,
    needs.JOB.outputs.X) and `ref && 'x' || 'y'`. Anything else fails the test rather than being guessed."""

    def one(match: re.Match) -> str:
        choice = CHOICE.match(match.group(1))
        if choice:
            reference, yes, no = choice.groups()
            assert reference in context, f"unexpected expression {match.group(1)}"
            return yes if context[reference] not in ("", "false", "0") and yes else no
        assert match.group(1) in context, f"unexpected expression {match.group(1)}"
        return context[match.group(1)]

    return EXPRESSION.sub(one, str(value))


def step(job: str, **where: str) -> dict:
    return next(s for s in workflow()["jobs"][job]["steps"] if all(s.get(k, "").startswith(v) for k, v in where.items()))


def test_the_workflow_is_reusable_matrixed_and_pinned():
    spec = workflow()
    inputs = spec["on"]["workflow_call"]["inputs"]
    assert inputs["provider"]["required"] is True
    assert all(value.get("description") and value["type"] in ("string", "number", "boolean") for value in inputs.values())
    jobs = spec["jobs"]
    assert jobs["shard"]["needs"] == "plan" and set(jobs["merge"]["needs"]) == {"plan", "shard"}
    assert jobs["shard"]["strategy"] == {"fail-fast": False, "matrix": {"shard": "${{ fromJSON(needs.plan.outputs.shards) }}"}}
    assert spec["permissions"] == {"contents": "read"}, "jobs ask for more only where they need it"
    assert jobs["merge"]["permissions"]["security-events"] == "write" and "security-events" not in jobs["shard"]["permissions"]
    text = WORKFLOW.read_text()
    for name, job in jobs.items():
        for each in job["steps"]:
            if "run" in each:
                assert "${{" not in each["run"], f"{name}: inputs reach scripts through env:"
                continue
            if each["uses"] == LOCAL_ACTION:
                # checked out by an earlier step of the job, at the commit the plan job resolved
                earlier = job["steps"][: job["steps"].index(each)]
                assert any(s.get("with", {}).get("path") == LOCAL_ACTION[2:] and s["with"]["ref"] == "${{ needs.plan.outputs.ref }}"
                           and s["uses"].startswith("actions/checkout@") for s in earlier), name
                continue
            assert SHA_PIN.match(each["uses"]), f"{each['uses']} is not pinned to a full commit SHA"
            line = next(line for line in text.splitlines() if each["uses"] in line)
            assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{each['uses']} lacks its version tag comment"
    # one artifact per shard, all of them downloaded by the merge; the SARIF upload is the action's own (pinned)
    assert "matrix.shard" in step("shard", uses="actions/upload-artifact")["with"]["name"]
    assert step("merge", uses="actions/download-artifact")["with"]["pattern"] == "trustscan-shard-*"
    assert step("shard", uses=LOCAL_ACTION)["with"]["upload-sarif"] == "false"
    assert step("merge", uses=LOCAL_ACTION)["with"]["merge"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in yaml.safe_load(ACTION.read_text())["runs"]["steps"])


def test_actionlint_holds_the_workflow_to_the_action_inputs(tmp_path):
    """actionlint checks a local action's `with:` against its action.yml when it finds one: put ours
    where the jobs check it out (in the repository, that folder exists only on the runner)."""
    binary = tool("actionlint")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(WORKFLOW, tmp_path / ".github" / "workflows" / WORKFLOW.name)
    (tmp_path / LOCAL_ACTION).mkdir()
    shutil.copy(ACTION, tmp_path / LOCAL_ACTION / "action.yml")
    checked = subprocess.run([binary, "-no-color"], capture_output=True, text=True, cwd=tmp_path, timeout=120, env=with_tools_on_path())
    assert checked.returncode == 0, checked.stdout + checked.stderr
    broken = (tmp_path / ".github" / "workflows" / WORKFLOW.name).read_text().replace("shard: ${{ matrix.shard }}", "shards: x")
    (tmp_path / ".github" / "workflows" / WORKFLOW.name).write_text(broken)
    checked = subprocess.run([binary, "-no-color"], capture_output=True, text=True, cwd=tmp_path, timeout=120, env=with_tools_on_path())
    assert checked.returncode == 1 and 'input "shards" is not defined in action' in checked.stdout


# -- the plan job ----------------------------------------------------------------------------------


def run_plan(tmp_path: Path, env_extra: dict[str, str] | None = None, **given: Any) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """The plan job's script under bash as the runner starts it, its env: resolved from the call."""
    plan = step("plan", id="plan")
    output = tmp_path / "plan.out"
    output.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "ACTIONS_"))}
    env.update({name: resolve(value, caller(**given)) for name, value in plan["env"].items()}, GITHUB_OUTPUT=str(output))
    env.update(env_extra or {})
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", plan["run"]], env=env,
                          capture_output=True, text=True, timeout=60)
    return done, parse_outputs(output.read_text()) if output.exists() else {}


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


class _TokenService(BaseHTTPRequestHandler):
    """The runner's ID token endpoint: GET with the request token as bearer, `audience` in the query."""

    token = _jwt({
        "job_workflow_ref": "acme-forks/trustscan/.github/workflows/trustscan-org.yml@refs/tags/v9.9.9",
        "job_workflow_sha": "4f2c9d1e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392",
        "aud": "trustscan-workflow-ref",
    })
    seen: list[tuple[str, dict]] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        query = parse_qs(urlparse(self.path).query)
        self.seen.append((self.headers.get("Authorization", ""), query))
        body = json.dumps({"value": self.token}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_the_plan_job_lists_the_shards_and_finds_the_trustscan_commit(tmp_path):
    done, outputs = run_plan(tmp_path, shards=3, **{"trustscan-ref": "v1.2.3"})
    assert done.returncode == 0, done.stderr
    assert (json.loads(outputs["shards"]), outputs["repository"], outputs["ref"]) == ([1, 2, 3], "trustscan/trustscan", "v1.2.3")
    for bad in (0, 257, "4; rm -rf /", 2.5):
        done, outputs = run_plan(tmp_path, shards=bad, **{"trustscan-ref": "v1.2.3"})
        assert done.returncode == 2 and "shards" not in outputs
        assert done.stdout.strip() == f"::error title=trustscan::shards must be a whole number from 1 to 256 (a matrix runs at most 256 jobs), not {bad}"
    # no ref given and no OIDC token to read it from: one line saying what to do
    done, outputs = run_plan(tmp_path, provider="gcp")
    assert done.returncode == 2 and "set trustscan-ref" in done.stdout and "ref" not in outputs

    server = HTTPServer(("127.0.0.1", 0), _TokenService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        secret = "request-token-of-this-job"
        oidc = {"ACTIONS_ID_TOKEN_REQUEST_URL": f"http://127.0.0.1:{server.server_port}/token?api-version=2.0",
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": secret}
        done, outputs = run_plan(tmp_path, oidc, provider="gcp")
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr
    assert (outputs["repository"], outputs["ref"]) == ("acme-forks/trustscan", "4f2c9d1e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392")
    assert _TokenService.seen == [(f"bearer {secret}", {"api-version": ["2.0"], "audience": ["trustscan-workflow-ref"]})]
    assert secret not in done.stdout + done.stderr and _TokenService.token not in done.stdout + done.stderr + str(outputs)


# -- the whole workflow as local processes ---------------------------------------------------------


def test_the_workflow_jobs_as_local_processes_merge_to_the_unsharded_scan(gcp, tmp_path):
    trustscan_env()  # skips when the command is not installed (the action runs this interpreter's trustscan)
    call = {"provider": "gcp", "args": scan_args(gcp.url), "shards": SHARDS, "snapshot": True, "fail-on": "medium",
            "formats": "markdown", "trustscan-ref": "0123456789abcdef0123456789abcdef01234567"}
    done, plan = run_plan(tmp_path, **call)
    assert done.returncode == 0, done.stderr
    context = {**caller(**call), **{f"needs.plan.outputs.{name}": value for name, value in plan.items()}}
    scan, upload = step("shard", uses=LOCAL_ACTION), step("shard", uses="actions/upload-artifact")
    download = step("merge", uses="actions/download-artifact")
    merge_workspace = tmp_path / "merge"
    artifacts = merge_workspace / resolve(download["with"]["path"], context)

    def shard_job(shard: int) -> tuple[dict, dict[str, int], str]:
        job = {**context, "matrix.shard": str(shard)}
        workspace = tmp_path / f"shard-{shard}"
        workspace.mkdir()
        outputs, codes, summary = run_action(workspace, **{name: resolve(value, job) for name, value in scan["with"].items()})
        # upload-artifact: the files its path matches, in an artifact of its name; download-artifact
        # puts each artifact matching its pattern in a folder of that name
        name = resolve(upload["with"]["name"], job)
        assert fnmatch.fnmatchcase(name, download["with"]["pattern"])
        files = sorted(workspace.glob(resolve(upload["with"]["path"], job)))
        assert [f.name for f in files] == ["trustscan.json", "trustscan.snapshot.json"]
        (artifacts / name).mkdir(parents=True)
        for file in files:
            shutil.copy(file, artifacts / name / file.name)
        return outputs, codes, summary

    for shard, (outputs, codes, summary) in zip(json.loads(plan["shards"]), all_at_once(shard_job, json.loads(plan["shards"])), strict=True):
        assert codes == {"scan": 0, "report": 0, "gate": 0}, outputs["scan"]["stdout"][-3000:]
        assert (outputs["report"]["upload-sarif"], summary) == ("false", "")
        report = json.loads((artifacts / f"trustscan-shard-{shard}" / "trustscan.json").read_text())
        assert (report["metadata"]["shard"]["index"], report["metadata"]["shard"]["count"]) == (shard, SHARDS)

    merge = step("merge", id="merge")
    outputs, codes, summary = run_action(merge_workspace, **{name: resolve(value, context) for name, value in merge["with"].items()})
    assert codes == {"scan": 0, "report": 0, "gate": 1}, outputs["scan"]["stdout"][-3000:]  # the demo fails at medium
    results = merge_workspace / "trustscan-results"
    merged = json.loads((results / "trustscan.json").read_text())
    assert merged["findings"] == unsharded_findings(gcp.url)
    assert merged["metadata"]["shard"] is None and len(merged["scopes"]) == 4  # the organization and three projects
    assert json.loads((results / "trustscan.snapshot.json").read_text())["schema_version"] == "2"
    assert (results / "trustscan.md").read_text().startswith("## trustscan")
    report = outputs["report"]
    assert (report["result"], report["upload-sarif"], report["sarif-file"]) == ("fail", "true", "trustscan-results/trustscan.sarif")
    assert report["category"] == f"trustscan/gcp/{merged['metadata']['identity']['account']}/"
    assert summary.startswith("## trustscan: ❌ fail: 4 FAIL findings at or above medium") and "::warning title=gcp." in report["stdout"]
    # the workflow's outputs are the merge step's
    job_outputs = workflow()["jobs"]["merge"]["outputs"]
    assert {name: resolve(value, {f"steps.merge.outputs.{k}": v for k, v in report.items()}) for name, value in job_outputs.items()} == {
        "result": "fail", "findings": report["findings"], "failed": report["failed"]}


def test_the_action_refuses_a_merge_without_files_and_a_sharded_terraform_scan(tmp_path):
    outputs, codes, summary = run_action(tmp_path, provider="gcp", merge="downloads/*/*.json, more/*.json")
    assert codes == {"scan": 2, "report": 0, "gate": 2}
    assert "::error title=trustscan::merge: no file matches downloads/*/*.json (were the shards' artifacts downloaded?)" in outputs["scan"]["stdout"]
    assert outputs["report"]["result"] == "error" and "before writing a report" in summary
    outputs, codes, _ = run_action(tmp_path, provider="terraform", shard="1/2", **{"output-dir": "tf"})
    assert codes == {"scan": 2, "report": 0, "gate": 2}
    assert "::error title=trustscan::shard and snapshot apply to cloud scans" in outputs["scan"]["stdout"]


def test_the_demo_scans_one_shard(tmp_path):
    """`provider: demo` runs shards too (the selftest runs this workflow on the GCP demo organization);
    a bad K/N is refused before the demo's server starts."""
    from tests.inprocess import one_error_line, run

    code, _, err = run("demo", "--provider", "gcp", "--shard", "2/2", "-q", "--fail-on", "never", "--format", f"json={tmp_path / 'r.json'}")
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["metadata"]["shard"] == {"index": 2, "count": 2, "scopes": ["acme-data", "acme-sandbox"]}
    assert one_error_line(run("demo", "--shard", "3/2")) == (
        "trustscan: error: --shard 3/2: the shard number must be between 1 and 2 (shards are numbered from 1)")
