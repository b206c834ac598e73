"""deploy/kubernetes: the Indexed Job that scans one shard per pod and the Job that merges them.

The manifests are validated against the Kubernetes schemas (kubernetes-validate, strict), and their
own shell command lines run here as N local processes with JOB_COMPLETION_INDEX set as Kubernetes
sets it, against the GCP fake; the merge must equal one unsharded scan (tests/local_engine.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401
from tests.local_engine import SHARDS, all_at_once, scan_args, trustscan_env, unsharded_findings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "kubernetes"


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


def test_the_jobs_command_lines_as_local_processes_merge_to_the_unsharded_scan(gcp, tmp_path):
    shards = _documents("trustscan-shards.yaml")
    settings = _find(shards, "ConfigMap", "trustscan-scan")["data"]
    env = trustscan_env(**{
        **settings,
        # what a GCP deployment would put in the ConfigMap, pointed at the fake; two pods (completions: 2)
        # split the demo's organization scope and three projects as four would (test_shards.py covers N)
        "TRUSTSCAN_PROVIDER": "gcp",
        "TRUSTSCAN_SCAN_ARGS": scan_args(gcp.url),
        "TRUSTSCAN_SHARDS": str(SHARDS),
        "RESULTS": str(tmp_path),
    })

    def pod(index: int) -> subprocess.CompletedProcess:
        return subprocess.run(["/bin/sh", "-c", _script("trustscan-shards.yaml", "trustscan-shards")], cwd=tmp_path,
                              env={**env, "JOB_COMPLETION_INDEX": str(index)}, capture_output=True, text=True, timeout=240)

    for done in all_at_once(pod, range(SHARDS)):
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("shard-*.json")) == sorted(
        [f"shard-{k}.json" for k in range(1, SHARDS + 1)] + [f"shard-{k}.snapshot.json" for k in range(1, SHARDS + 1)])
    merged = subprocess.run(["/bin/sh", "-c", _script("trustscan-merge.yaml", "trustscan-merge")], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=240)
    assert merged.returncode == 0, merged.stderr
    organization = json.loads((tmp_path / "organization.json").read_text())
    assert organization["findings"] == unsharded_findings(gcp.url)
    assert (tmp_path / "organization.sarif").exists() and (tmp_path / "summary.md").read_text().startswith("## trustscan")
    assert json.loads((tmp_path / "organization.snapshot.json").read_text())["schema_version"] == "2"
