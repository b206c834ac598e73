"""deploy/kubernetes: the Indexed Job that scans one shard per pod and the Job that merges them.

The manifests are validated against the Kubernetes schemas (kubernetes-validate, strict), and their
own shell command lines run here as N local processes with JOB_COMPLETION_INDEX set as Kubernetes
sets it, against the GCP fake; the merge must equal one unsharded scan.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"
CHECKS = "gcp.storage.bucket_versioning,gcp.logging.sink_exports_all"  # the second is deferred by shards without the organization


def _documents(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


def _find(documents: list[dict], kind: str, name: str) -> dict:
    return next(d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name)


@pytest.mark.parametrize("name", ["trustscan-shards.yaml", "trustscan-merge.yaml"])
def test_manifests_are_valid_kubernetes(name):
    validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed (pip install -e '.[test]')")
    for document in _documents(name):
        for version in ("1.30.0", "1.37.0"):  # backoffLimitPerIndex: beta from 1.29, GA in 1.33
            validate.validate(document, version, strict=True)


def test_the_indexed_job_and_its_settings_agree():
    shards = _documents("trustscan-shards.yaml")
    job = _find(shards, "Job", "trustscan-shards")
    settings = _find(shards, "ConfigMap", "trustscan-scan")["data"]
    merge = _find(_documents("trustscan-merge.yaml"), "Job", "trustscan-merge")
    assert job["spec"]["completionMode"] == "Indexed"
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == int(settings["TRUSTSCAN_SHARDS"])
    pod, merge_pod = job["spec"]["template"]["spec"], merge["spec"]["template"]["spec"]
    assert pod["containers"][0]["image"] == merge_pod["containers"][0]["image"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == merge_pod["volumes"][0]["persistentVolumeClaim"]["claimName"]
    assert _find(shards, "PersistentVolumeClaim", "trustscan-results")["spec"]["accessModes"] == ["ReadWriteMany"]
    for spec in (pod, merge_pod):
        assert spec["serviceAccountName"] == "trustscan" and spec["securityContext"]["runAsNonRoot"] is True
        container = spec["containers"][0]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert not container.get("env") or all("valueFrom" in e or "SECRET" not in e["name"] for e in container["env"])


def _script(name: str, job: str) -> str:
    return _find(_documents(name), "Job", job)["spec"]["template"]["spec"]["containers"][0]["args"][0]


def test_the_jobs_command_lines_as_local_processes_merge_to_the_unsharded_scan(gcp, tmp_path, capsys):
    binary = shutil.which("trustscan", path=str(Path(sys.executable).parent)) or shutil.which("trustscan")
    if binary is None:
        pytest.skip("the trustscan command is not installed (pip install -e .)")
    shards = _documents("trustscan-shards.yaml")
    settings = _find(shards, "ConfigMap", "trustscan-scan")["data"]
    count = int(settings["TRUSTSCAN_SHARDS"])
    env = {
        **os.environ,
        "PATH": f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **settings,
        # what a GCP deployment would put in the ConfigMap, pointed at the fake
        "TRUSTSCAN_PROVIDER": "gcp",
        "TRUSTSCAN_SCAN_ARGS": f"--organization 104729 --endpoint-url {gcp.url} --checks {CHECKS}",
        "RESULTS": str(tmp_path),
    }
    pods = [
        subprocess.Popen(["/bin/sh", "-c", _script("trustscan-shards.yaml", "trustscan-shards")], env={**env, "JOB_COMPLETION_INDEX": str(index)},
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for index in range(count)
    ]
    for pod in pods:
        _, err = pod.communicate(timeout=240)
        assert pod.returncode == 0, err
    assert sorted(p.name for p in tmp_path.glob("shard-*.json")) == sorted(
        [f"shard-{k}.json" for k in range(1, count + 1)] + [f"shard-{k}.snapshot.json" for k in range(1, count + 1)])
    merged = subprocess.run(["/bin/sh", "-c", _script("trustscan-merge.yaml", "trustscan-merge")], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=240)
    assert merged.returncode == 0, merged.stderr
    from scanner.cli.main import main

    with pytest.raises(SystemExit) as done:  # the same scan, unsharded, in this process
        main(["scan", "gcp", *env["TRUSTSCAN_SCAN_ARGS"].split(), "-q", "--format", "json"])
    unsharded = capsys.readouterr().out
    assert done.value.code == 1
    organization = json.loads((tmp_path / "organization.json").read_text())
    assert organization["findings"] == json.loads(unsharded)["findings"]
    assert (tmp_path / "organization.sarif").exists() and (tmp_path / "summary.md").read_text().startswith("## trustscan")
    assert json.loads((tmp_path / "organization.snapshot.json").read_text())["schema_version"] == "2"
