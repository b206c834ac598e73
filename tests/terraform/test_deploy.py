"""Before and after deploy, one definition: the deploy fixture is applied with the real Terraform CLI
and AWS provider against moto's server, then scanned three ways — the HCL, the plan
(`terraform show -json`) and the live account apply created — and the three agree per check and
resource wherever Terraform expresses the input.

The plan is `fixtures/terraform/deploy/plan.json`, recorded from these files by
tests/terraform/record_plans.py (`terraform plan` + `show -json` against moto); test_plan.py
fails when a .tf file changed since it was recorded. Each Terraform command starts the 675 MB
AWS provider again (about 3 CPU seconds each, several times per command), so the test runs
exactly two: `init` and one `apply -auto-approve`; the state is read from terraform.tfstate
rather than through `terraform show`. That is 16 CPU seconds of Terraform instead of 26 (init,
plan, show, apply, show), and one terraform process fewer waiting on a core. Most of the apply's
wall time is the provider waiting (10 s before it first looks at a new EBS volume, several seconds
of propagation checks per KMS key): the fixture keeps the volumes off the keys' path, and the HCL
and plan scans run during the apply.

Needs the terraform binary and the hashicorp/aws provider in a filesystem mirror (TRUSTSCAN_TF_PLUGINS,
default /opt/tf-plugins); skipped with the reason where they are absent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.terraform.conftest import FIXTURES

DEPLOY = FIXTURES / "deploy"
PLUGINS = Path(os.environ.get("TRUSTSCAN_TF_PLUGINS", "/opt/tf-plugins"))
TERRAFORM = shutil.which("terraform")
HAVE_PROVIDER = any((PLUGINS / "registry.terraform.io" / "hashicorp" / "aws").glob("*/*/terraform-provider-aws*"))

pytestmark = [
    pytest.mark.skipif(TERRAFORM is None, reason="the terraform CLI is not installed"),
    pytest.mark.skipif(not HAVE_PROVIDER, reason=f"no hashicorp/aws provider in the filesystem mirror {PLUGINS}"),
]

# What the comparison covers: every check Terraform expresses that reads what the fixture declares.
CHECKS = [
    "aws.s3.bucket_versioning",
    "aws.s3.bucket_default_encryption",
    "aws.s3.bucket_sse_kms_cmk",
    "aws.s3.bucket_public_access_block",
    "aws.s3.bucket_policy_not_public",
    "aws.s3.bucket_tls_only",
    "aws.s3.bucket_access_logging",
    "aws.s3.bucket_acl_not_public",
    "aws.s3.bucket_noncurrent_version_expiration",
    "aws.kms.cmk_rotation_enabled",
    "aws.kms.key_policy_not_public",
    "aws.dynamodb.pitr_enabled",
    "aws.dynamodb.deletion_protection",
    "aws.dynamodb.table_cmk_encrypted",
    "aws.logs.log_group_retention",
    "aws.logs.log_group_kms_encrypted",
    "aws.sns.topic_kms_encrypted",
    "aws.ec2.volume_encrypted",
]


def _terraform(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([TERRAFORM, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"terraform {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> dict[str, Any]:
    from scanner.demo.aws import DEMO_CREDENTIALS, moto_server, reset
    from scanner.engine.scan import frameworks
    from scanner.registry import load_checks, select_checks
    from scanner.sources.terraform import scan as tf
    from scanner.sources.terraform.plan import from_plan
    from tests.conftest import MotoAccount

    work = tmp_path_factory.mktemp("deploy")
    for path in DEPLOY.glob("*.tf"):
        shutil.copy(path, work / path.name)
    config = work / "cli.tfrc"
    config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{PLUGINS}"\n  }}\n}}\n', encoding="utf-8"
    )
    with moto_server() as endpoint:
        reset(endpoint)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(work),
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "AWS_ACCESS_KEY_ID": DEMO_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": DEMO_CREDENTIALS["aws_secret_access_key"],
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        _terraform(["init", "-input=false", "-no-color"], work, env)
        apply = ["apply", "-input=false", "-no-color", "-lock=false", "-parallelism=20", "-auto-approve", f"-var=endpoint={endpoint}"]
        with _started(apply, work, env) as applying:
            # while the provider waits on the new volumes and keys: the HCL and plan scans need no account
            checks = select_checks(load_checks(), ids=CHECKS)
            hcl_report, _ = tf.report(tf.from_tree([str(DEPLOY)], {}), checks, frameworks())
            plan_report, _ = tf.report(from_plan(str(DEPLOY / "plan.json"), [str(DEPLOY)]), checks, frameworks())
        _finished(applying)
        state = _state(json.loads((work / "terraform.tfstate").read_text(encoding="utf-8")))
        live = MotoAccount(endpoint).collect(CHECKS, regions=("us-east-1",))[1]
    return {"hcl": hcl_report, "plan": plan_report, "live": live, "state": state}


@contextmanager
def _started(args: list[str], cwd: Path, env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`terraform ARGS` running while the block runs; stopped if the block fails, waited for otherwise."""
    process = subprocess.Popen([TERRAFORM, *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    except BaseException:
        process.kill()
        process.communicate()
        raise


def _finished(process: subprocess.Popen) -> None:
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, f"terraform {' '.join(process.args[1:])} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}"


def _state(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """terraform.tfstate (format 4) as `terraform show -json` lists it: address, type and values of
    each managed resource instance (the fixture has no modules)."""
    assert raw["version"] == 4, raw["version"]
    out = []
    for resource in raw["resources"]:
        if resource["mode"] != "managed":
            continue
        for instance in resource["instances"]:
            key = instance.get("index_key")
            suffix = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
            out.append({"address": f"{resource['type']}.{resource['name']}{suffix}", "type": resource["type"], "values": instance["attributes"]})
    return out


def _address(finding: Any) -> str | None:
    if finding.location is None or not finding.location.address:
        return None
    return finding.location.resource_address or finding.location.address


def _live_ids(state: list[dict[str, Any]]) -> dict[str, str]:
    """Terraform address -> the resource's cloud id suffix (what the live finding's id ends with)."""
    out = {}
    for resource in state:
        values = resource["values"]
        arn = values.get("arn") or ""
        if resource["type"] == "aws_ebs_volume":
            out[resource["address"]] = f"volume/{values['id']}"
        elif arn:
            out[resource["address"]] = arn.split(":", 5)[-1] if ":s3:::" not in arn else arn
    return out


def test_hcl_plan_and_live_agree_per_check_and_resource(deployed):
    ids = _live_ids(deployed["state"])
    live = {}
    for finding in deployed["live"].findings:
        live[(finding.check_id, finding.resource_id)] = finding
    compared = 0
    disagreements = []
    for hcl in deployed["hcl"].findings:
        address = _address(hcl)
        if address is None or hcl.status.value in ("UNKNOWN", "NOT_APPLICABLE"):
            continue  # only where Terraform expresses the input
        plan = next(f for f in deployed["plan"].findings if f.check_id == hcl.check_id and _address(f) == address)
        suffix = ids[address]
        matches = [f for (check, rid), f in live.items() if check == hcl.check_id and (rid == suffix or rid.endswith(suffix))]
        assert len(matches) == 1, (hcl.check_id, address, suffix)
        row = (hcl.check_id, address, hcl.status.value, plan.status.value, matches[0].status.value)
        compared += 1
        if len({row[2], row[3], row[4]}) != 1:
            disagreements.append(row)
    assert disagreements == []
    assert compared >= 30  # every declared resource under every check that reads it


def test_both_sides_of_each_check_are_exercised(deployed):
    statuses = {}
    for finding in deployed["hcl"].findings:
        statuses.setdefault(finding.check_id, set()).add(finding.status.value)
    # one-sided by design here: AWS encrypts every bucket, no declared policy or ACL is public, and
    # no versioned bucket expires noncurrent versions (the HCL fixtures cover the other sides)
    one_sided = {
        "aws.s3.bucket_default_encryption",
        "aws.s3.bucket_acl_not_public",
        "aws.s3.bucket_policy_not_public",
        "aws.s3.bucket_noncurrent_version_expiration",
        "aws.kms.key_policy_not_public",
    }
    assert {c: sorted(statuses[c]) for c in CHECKS if c not in one_sided and not {"PASS", "FAIL"} <= statuses[c]} == {}


def test_plan_findings_point_at_the_same_lines_as_hcl(deployed):
    hcl = {(f.check_id, _address(f)): f.location for f in deployed["hcl"].findings if _address(f)}
    for finding in deployed["plan"].findings:
        address = _address(finding)
        if address:
            expected = hcl[(finding.check_id, address)]
            assert (finding.location.file, finding.location.start_line, finding.location.end_line) == (
                expected.file,
                expected.start_line,
                expected.end_line,
            )
