"""The base install (no extras) says which extra a command needs, in one line with exit 2, instead of a
ModuleNotFoundError traceback. The SDKs of the extras are hidden from a real `trustscan` process by an
import hook, which is what a base install looks like to the code."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

EXTRA_PACKAGES = ["azure", "msal", "google", "googleapiclient", "google_auth_httplib2", "httplib2", "moto", "trustme"]
BASE_INSTALL = f"""
import importlib.abc, sys
HIDDEN = {EXTRA_PACKAGES!r}
class BaseInstall(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in HIDDEN:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, BaseInstall())
from scanner.cli.main import main
main(sys.argv[1:])
"""


def base_install(*argv: str, cwd: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AZURE_CLIENT_ID": "", "GOOGLE_APPLICATION_CREDENTIALS": os.devnull}
    return subprocess.run([sys.executable, "-c", BASE_INSTALL, *argv], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


@pytest.mark.parametrize(
    ("argv", "extra"),
    [
        (["scan", "azure", "--subscriptions", "00000000-0000-0000-0000-000000000000"], "azure"),
        (["scan", "gcp", "--projects", "acme-prod"], "gcp"),
        (["collect", "azure", "--out", "s.json"], "azure"),
        (["collect", "gcp", "--projects", "acme-prod", "--out", "s.json"], "gcp"),
        (["demo"], "demo"),
        (["demo", "--provider", "gcp"], "demo"),
    ],
)
def test_a_missing_extra_is_named_with_its_install_command(argv, extra, tmp_path):
    result = base_install(*argv, cwd=str(tmp_path))
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith("trustscan: error: ") and f"pip install 'trustscan[{extra}]'" in lines[0], lines[0]
    if extra != "demo":
        assert f"{ {'azure': 'Azure', 'gcp': 'GCP'}[extra]} support needs its extra" in lines[0]


def test_the_base_install_still_lists_checks_and_permissions(tmp_path):
    """What needs no SDK works without one: the catalogue and every provider's permissions."""
    listed = base_install("checks", "list", "--provider", "azure", cwd=str(tmp_path))
    assert listed.returncode == 0 and "azure.storage" in listed.stdout, listed.stderr[-2000:]
    policy = base_install("permissions", "aws", "--checks", "aws.s3.bucket_versioning", cwd=str(tmp_path))
    assert policy.returncode == 0 and "s3:GetBucketVersioning" in policy.stdout, policy.stderr[-2000:]
    for provider, needle in (("azure", "Microsoft.Storage/storageAccounts/read"), ("gcp", "roles/viewer")):
        printed = base_install("permissions", provider, cwd=str(tmp_path))
        assert printed.returncode == 0 and needle in printed.stdout, printed.stderr[-2000:]
