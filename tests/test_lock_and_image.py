"""The Action and the image install from one dependency lock (constraints.txt), the Action caches pip,
`provider: demo` runs each cloud's demo, `fail-on-errors: false` tolerates collection errors, and the
Dockerfile pins its base image by digest and names no version of its own (scanner/__init__.py holds it).
The image is built and run where a Docker engine answers; elsewhere that test skips with the reason."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from importlib.metadata import PackageNotFoundError, distribution

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from scanner import __version__
from tests.test_action import ROOT, action, run_action

LOCK = ROOT / "constraints.txt"
DOCKERFILE = ROOT / "Dockerfile"
SHA256_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}\b")


def pins() -> dict[str, Version]:
    found = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"constraints.txt: {line!r} is not pinned with =="
        found[canonicalize_name(name)] = Version(version)
    return found


def runtime_closure(extras: tuple[str, ...] = ("azure", "gcp", "demo")) -> set[str]:
    """Every distribution `pip install trustscan[azure,gcp,demo]` brings in (from the installed metadata)."""
    seen: set[str] = set()
    todo = [(Requirement(f"trustscan[{','.join(extras)}]"), extras)]
    while todo:
        requirement, wanted_extras = todo.pop()
        name = canonicalize_name(requirement.name)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        for text in dist.requires or []:
            child = Requirement(text)
            environments = [{**default_environment(), "extra": e} for e in ("", *wanted_extras)]
            if child.marker is not None and not any(child.marker.evaluate(env) for env in environments):
                continue
            child_name = canonicalize_name(child.name)
            if child_name == "trustscan":
                todo.append((child, tuple(child.extras)))
                continue
            if child_name not in seen:
                seen.add(child_name)
                todo.append((child, tuple(child.extras)))
    return seen


def test_the_lock_pins_everything_the_action_and_image_install():
    pinned = pins()
    missing = sorted(runtime_closure() - set(pinned))
    assert not missing, f"constraints.txt lacks {missing}: refresh it (docs/developing.md, 'Dependency lock')"


def test_the_lock_satisfies_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = pins()
    requirements = [*project["dependencies"], *(r for extra in ("azure", "gcp", "demo") for r in project["optional-dependencies"][extra])]
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        if name == "trustscan" or (requirement.marker is not None and not requirement.marker.evaluate()):
            continue
        assert name in pinned, f"{name} is not in constraints.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement.specifier}: refresh the lock"
        )


def test_the_action_installs_with_the_lock_and_caches_pip():
    steps = action()["runs"]["steps"]
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["cache"] == "pip"
    copy = steps[steps.index(setup) - 1]
    assert "constraints.txt" in copy["run"] and copy["id"] == "lock"
    assert setup["with"]["cache-dependency-path"] == "${{ steps.lock.outputs.cache-key-file }}"
    install = next(s for s in steps if s.get("id") == "install")
    assert '-c "$GITHUB_ACTION_PATH/constraints.txt"' in install["run"]


def test_the_dockerfile_pins_its_base_by_digest_and_takes_the_version_from_the_package():
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.M)
    assert len(froms) == 2
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base and base.group(1).startswith("python:3.12-slim@") and SHA256_DIGEST.search(base.group(1))
    assert all(f.startswith("${PYTHON_IMAGE}") for f in froms)
    assert __version__ not in text, "the version lives in scanner/__init__.py only"
    assert "-c constraints.txt" in text and re.search(r"^COPY .*\bconstraints\.txt\b", text, re.M)
    assert "!constraints.txt" in (ROOT / ".dockerignore").read_text()
    assert '--user "$(id -u):$(id -g)"' in (ROOT / "README.md").read_text()
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "scanner.__version__"}


def docker_engine() -> str:
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("no docker client: the image build is tested where Docker runs")
    probe = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"no Docker engine answers ({(probe.stderr.strip().splitlines() or ['docker info failed'])[-1]})")
    return docker


def test_the_image_builds_runs_and_writes_reports_as_the_caller(tmp_path):
    docker = docker_engine()
    tag = "trustscan-test:ci"
    built = subprocess.run([docker, "build", "--build-arg", f"VERSION={__version__}", "-t", tag, str(ROOT)],
                           capture_output=True, text=True, timeout=1800)  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    version = subprocess.run([docker, "run", "--rm", tag, "--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and __version__ in version.stdout
    shutil.copy(ROOT / "tests" / "golden" / "demo-report.json", tmp_path / "report.json")
    user = f"{os.getuid()}:{os.getgid()}"
    wrote = subprocess.run([docker, "run", "--rm", "--user", user, "-v", f"{tmp_path}:/work", tag,
                            "period", "/work/report.json", "-o", "/work/period.md"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert wrote.returncode == 0, wrote.stderr[-2000:]
    assert (tmp_path / "period.md").stat().st_uid == os.getuid(), "--user makes the report the caller's file"


# -- the action's scripts, run as GitHub runs them -------------------------------------------------------


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")
@pytest.mark.parametrize("cloud", ["azure", "gcp"])
def test_provider_demo_runs_each_clouds_demo(tmp_path, cloud):
    outputs, codes, _ = run_action(tmp_path, None, provider="demo", **{"demo-provider": cloud, "upload-sarif": "false"})
    assert codes["scan"] == 0 and codes["gate"] == 1, outputs["scan"]["stdout"][-3000:]
    report = json.loads((tmp_path / "trustscan-results" / "trustscan.json").read_text())
    assert report["metadata"]["provider"] == cloud


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not available")
def test_fail_on_errors_false_lets_the_gate_pass_with_errors_kept(tmp_path, aws, denied_session):
    credentials = denied_session("rds:DescribeDBInstances").get_credentials()
    env = {
        "AWS_ENDPOINT_URL": aws.endpoint_url,
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
    }
    scope = {"regions": "us-east-1", "checks": "aws.rds.multi_az", "upload-sarif": "false"}
    _, codes, _ = run_action(tmp_path, env, **scope, **{"output-dir": "strict"})
    assert codes["gate"] == 3
    outputs, codes, _ = run_action(tmp_path, env, **scope, **{"fail-on-errors": "false", "output-dir": "tolerant"})
    assert codes["gate"] == 0, outputs["scan"]["stdout"][-3000:]
    assert "1 ERROR finding tolerated" in outputs["scan"]["stdout"]
    report = json.loads((tmp_path / "tolerant" / "trustscan.json").read_text())
    assert [f["status"] for f in report["findings"]] == ["ERROR"]


def test_action_inputs_are_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in ("demo-provider", "fail-on-errors"):
        assert f"`{name}`" in readme
