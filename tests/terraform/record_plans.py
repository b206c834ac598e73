"""Re-record the plan.json fixtures after changing a fixture tree (test_plan.py checks they match the HCL).

    .venv/bin/python tests/terraform/record_plans.py

Needs the terraform CLI and the hashicorp/aws provider mirror (TRUSTSCAN_TF_PLUGINS, default
/opt/tf-plugins). Each tree is planned in a temporary copy against moto's server (a provider override
file adds the endpoint and skips the credential checks); the plan's timestamp is dropped so that
re-recording an unchanged tree changes nothing. Beside each plan, `plan.sources` lists the
SHA-256 of the .tf files it was made from; test_plan.py fails when they no longer match.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from scanner.demo.aws import DEMO_CREDENTIALS, moto_server  # noqa: E402
from tests.terraform.conftest import plan_sources  # noqa: E402

PLUGINS = Path(os.environ.get("TRUSTSCAN_TF_PLUGINS", "/opt/tf-plugins"))
TREES = {
    ROOT / "fixtures/terraform/aws/services": [],
    ROOT / "fixtures/terraform/deploy": ["-var=endpoint={endpoint}"],
}
OVERRIDE = """provider "aws" {{
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
    sts = "{endpoint}"
  }}
}}
"""


def main() -> None:
    with moto_server() as endpoint, tempfile.TemporaryDirectory() as temp:
        config = Path(temp) / "cli.tfrc"
        config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{PLUGINS}"\n  }}\n}}\n')
        env = {
            "PATH": os.environ["PATH"],
            "HOME": temp,
            "TF_CLI_CONFIG_FILE": str(config),
            "CHECKPOINT_DISABLE": "1",
            "AWS_ACCESS_KEY_ID": DEMO_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": DEMO_CREDENTIALS["aws_secret_access_key"],
        }
        for tree, extra in TREES.items():
            work = Path(temp) / tree.name
            shutil.copytree(tree, work, ignore=shutil.ignore_patterns("plan.json"))
            if not extra:
                (work / "provider_override.tf").write_text(OVERRIDE.format(endpoint=endpoint))
            args = [a.format(endpoint=endpoint) for a in extra]
            for command in (["init", "-input=false"], ["plan", "-input=false", "-out=plan.bin", *args]):
                subprocess.run(["terraform", *command, "-no-color"], cwd=work, env=env, check=True, capture_output=True)
            shown = subprocess.run(["terraform", "show", "-json", "plan.bin"], cwd=work, env=env, check=True, capture_output=True, text=True)
            plan = json.loads(shown.stdout)
            plan.pop("timestamp", None)
            # Terraform lists these in no stable order
            plan["relevant_attributes"] = sorted(plan.get("relevant_attributes", []), key=lambda a: json.dumps(a, sort_keys=True))
            (tree / "plan.json").write_text(json.dumps(plan, indent=1, sort_keys=True), encoding="utf-8")
            (tree / "plan.sources").write_text(plan_sources(tree), encoding="utf-8")
            print(f"recorded {tree.relative_to(ROOT)}/plan.json ({len(plan['resource_changes'])} resources)")


if __name__ == "__main__":
    main()
