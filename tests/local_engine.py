"""Run an engine's own command lines here, as the engine would: the Kubernetes Indexed Job's pods
(tests/test_deploy_kubernetes.py) and the GitHub Actions matrix jobs (tests/test_workflow_org.py)
each scan one shard of the GCP fake's demo organization in its own process, all at once, and their
merge must equal one unsharded scan of the same organization.

Shared here: the installed `trustscan` command on PATH, the scan arguments, running N shards at once,
and the unsharded reference (scanned once per test worker: every caller scans the same fake data).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest

from scanner.demo.gcp import DEMO_ORGANIZATION

T = TypeVar("T")

# The second check reads organization and project facts: a shard without the organization defers it
# to the merge, so the comparison covers deferred checks too.
CHECKS = "gcp.storage.bucket_versioning,gcp.logging.sink_exports_all"
SHARDS = 2  # the demo's four scopes (the organization and three projects) in two shards: both kinds of shard


def scan_args(endpoint_url: str) -> str:
    """`scan gcp` options for the demo organization on the fake, as a deployment would configure them."""
    return f"--organization {DEMO_ORGANIZATION} --endpoint-url {endpoint_url} --checks {CHECKS}"


def trustscan_env(**extra: str) -> dict[str, str]:
    """This environment with the installed `trustscan` first on PATH (or skip when it is not installed)."""
    binary = shutil.which("trustscan", path=str(Path(sys.executable).parent)) or shutil.which("trustscan")
    if binary is None:
        pytest.skip("the trustscan command is not installed (pip install -e .)")
    return {**os.environ, "PATH": f"{Path(binary).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def all_at_once(run: Callable[[int], T], shards: Sequence[int]) -> list[T]:
    """run(shard) for every shard concurrently (each starts its own processes), results in shard order."""
    with ThreadPoolExecutor(max_workers=len(shards)) as pool:
        return list(pool.map(run, shards))


@cache
def _unsharded(args: str) -> str:
    from tests.inprocess import run

    code, out, err = run("scan", "gcp", *args.split(), "-q", "--format", "json")
    assert code == 1, err  # the demo has failing findings
    return out


def unsharded_findings(endpoint_url: str) -> list[dict]:
    """The findings of one unsharded scan of the same organization, scanned in this process."""
    return json.loads(_unsharded(scan_args(endpoint_url)))["findings"]
