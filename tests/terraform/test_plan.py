"""`scan terraform --plan` on recorded `terraform show -json` output (made with Terraform 1.11 and the
AWS provider 5.100, see test_deploy.py): the plan and the HCL give the same verdicts, module
instances included, and the plan's findings point at the same lines."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scanner.engine.scan import frameworks
from scanner.errors import ConfigurationError
from scanner.registry import load_checks
from scanner.sources.terraform import scan as tf
from scanner.sources.terraform.adapters import expressible
from scanner.sources.terraform.plan import from_plan
from tests.terraform.conftest import FIXTURES, address, plan_sources, tf_scan

TREES = [FIXTURES / "aws" / "services", FIXTURES / "deploy"]


def _verdicts(report):
    return {(f.check_id, address(f)): (f.status.value, f.location and (f.location.file, f.location.start_line, f.location.end_line)) for f in report.findings if f.location and f.location.address}


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_recorded_plans_are_of_the_current_files(tree):
    """test_deploy.py scans the recorded deploy plan next to what apply creates: it must be the plan
    of exactly these files. After changing one: `python tests/terraform/record_plans.py`."""
    assert (tree / "plan.sources").read_text(encoding="utf-8") == plan_sources(tree)


@pytest.mark.parametrize("tree", TREES, ids=lambda p: p.name)
def test_plan_and_hcl_agree(tree):
    checks = [spec for spec in load_checks().values() if spec.provider == "aws" and expressible(spec) is None]
    hcl = tf_scan(tree, ",".join(s.id for s in checks))
    plan, _ = tf.report(from_plan(str(tree / "plan.json"), [str(tree)]), checks, frameworks())
    hcl_v, plan_v = _verdicts(hcl), _verdicts(plan)
    assert len(plan_v) > 30
    # a fixture changed without re-recording its plan? `python tests/terraform/record_plans.py`
    assert {k: (hcl_v.get(k), v) for k, v in plan_v.items() if hcl_v.get(k) != v} == {}
    assert set(hcl_v) == set(plan_v)


def test_plan_module_instances_keep_their_addresses():
    plan, _ = tf.report(from_plan(str(FIXTURES / "aws" / "services" / "plan.json"), [str(FIXTURES / "aws" / "services")]),
                        [load_checks()["aws.rds.instance_storage_encrypted"]], frameworks())
    found = {(address(f), f.status.value, f.location.file) for f in plan.findings}
    assert found == {
        ('module.database["pass_db"].aws_db_instance.this', "PASS", "modules/database/main.tf"),
        ('module.database["fail_db"].aws_db_instance.this', "FAIL", "modules/database/main.tf"),
    }


def test_not_a_plan_is_a_one_line_error(tmp_path):
    (tmp_path / "binary.tfplan").write_bytes(b"PK\x03\x04\x00\xff")
    (tmp_path / "state.json").write_text(json.dumps({"format_version": "1.0", "values": {}}))
    with pytest.raises(ConfigurationError, match="not a text file|not JSON"):
        from_plan(str(tmp_path / "binary.tfplan"), [str(tmp_path)])
    with pytest.raises(ConfigurationError, match="not a Terraform plan"):
        from_plan(str(tmp_path / "state.json"), [str(tmp_path)])
    done = subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "scan", "terraform", str(tmp_path), "--plan", str(tmp_path / "state.json")],
        capture_output=True, text=True,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1
