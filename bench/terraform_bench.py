"""Terraform scan benchmark: a generated tree of .tf files, scanned by `trustscan scan terraform`.

The tree has ROOTS root modules (environments), each with files of ten resources in the styles
real code uses: S3 buckets with their split versioning / encryption / public access block
resources, KMS keys referenced by ARN, DynamoDB tables with nested blocks, log groups, EBS volumes,
a local module called with for_each, variables and locals. Every scan runs as a child process with
every check selected (the JSON report written to a file), several times; the medians are reported.

    python bench/terraform_bench.py                       # 2,000 files, 20,000 resources, 3 runs
    python bench/terraform_bench.py --files 200 --runs 5 --json out.json

Figures depend on the machine (and on what else runs on it): quote medians, compare ratios. CPU
seconds (the scan and its workers) say what the scan costs whatever else competes for the cores;
on an otherwise idle 2-core machine the wall time is about CPU / 2 for the parallel parts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES_PER_FILE = 10


def _file(env: int, index: int) -> str:
    """Ten resources: a bucket and its three split settings, a key, a table, a log group, a volume,
    a queue and a topic."""
    n = f"{env:02d}x{index:04d}"
    return f'''
resource "aws_s3_bucket" "b{n}" {{
  bucket = "${{local.prefix}}-b{n}"
  tags   = merge(local.tags, {{ Name = "b{n}" }})
}}

resource "aws_s3_bucket_versioning" "b{n}" {{
  bucket = aws_s3_bucket.b{n}.id
  versioning_configuration {{
    status = var.versioning ? "Enabled" : "Suspended"
  }}
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "b{n}" {{
  bucket = aws_s3_bucket.b{n}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k{n}.arn
    }}
  }}
}}

resource "aws_s3_bucket_public_access_block" "b{n}" {{
  bucket                  = aws_s3_bucket.b{n}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = {str(index % 7 != 0).lower()}
  restrict_public_buckets = true
}}

resource "aws_kms_key" "k{n}" {{
  description         = "key {n}"
  enable_key_rotation = {str(index % 5 != 0).lower()}
}}

resource "aws_dynamodb_table" "t{n}" {{
  name         = "${{local.prefix}}-t{n}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
  point_in_time_recovery {{
    enabled = {str(index % 3 != 0).lower()}
  }}
}}

resource "aws_cloudwatch_log_group" "l{n}" {{
  name              = "/${{local.prefix}}/l{n}"
  retention_in_days = {365 if index % 4 else 7}
}}

resource "aws_ebs_volume" "v{n}" {{
  availability_zone = "${{var.region}}a"
  size              = 10
  encrypted         = {str(index % 6 != 0).lower()}
}}

resource "aws_sqs_queue" "q{n}" {{
  name = "${{local.prefix}}-q{n}"
}}

resource "aws_sns_topic" "s{n}" {{
  name              = "${{local.prefix}}-s{n}"
  kms_master_key_id = aws_kms_key.k{n}.id
}}
'''


def generate(directory: Path, files: int, roots: int) -> int:
    per_root = max(1, files // roots)
    written = 0
    for env in range(roots):
        root = directory / f"env{env:02d}"
        root.mkdir(parents=True)
        (root / "main.tf").write_text(
            f'''provider "aws" {{
  region = var.region
}}

variable "region" {{
  default = "eu-west-1"
}}

variable "versioning" {{
  type    = bool
  default = true
}}

locals {{
  prefix = "acme-env{env:02d}"
  tags   = {{ Environment = "env{env:02d}", Owner = "platform" }}
}}
''',
            encoding="utf-8",
        )
        for index in range(per_root - 1 if env == 0 else per_root):
            (root / f"r{index:04d}.tf").write_text(_file(env, index), encoding="utf-8")
            written += 1
        written += 1  # main.tf (no resources)
    return written


def run_once(tree: Path, out: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the scan and its worker processes) and peak RSS of one scan."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "scan", "terraform", str(tree), "--quiet", "--format", f"json={out}", "--fail-on", "never"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, after.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000, help="number of .tf files (default 2000)")
    parser.add_argument("--roots", type=int, default=20, help="root modules the files are spread over (default 20)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", dest="json_path", help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trustscan-tfbench-") as temp:
        tree = Path(temp) / "tree"
        files = generate(tree, args.files, args.roots)
        resources = sum(1 for p in tree.rglob("*.tf") for line in p.read_text().splitlines() if line.startswith("resource "))
        times, cpus, peaks = [], [], []
        report = Path(temp) / "report.json"
        load = os.getloadavg()[0]
        for _ in range(args.runs):
            elapsed, cpu, peak = run_once(tree, report)
            times.append(elapsed)
            cpus.append(cpu)
            peaks.append(peak)
        findings = len(json.loads(report.read_text())["findings"])
    figures = {
        "files": files,
        "resources": resources,
        "roots": args.roots,
        "runs": args.runs,
        "median_seconds": round(statistics.median(times), 2),
        "min_seconds": round(min(times), 2),
        "max_seconds": round(max(times), 2),
        "median_cpu_seconds": round(statistics.median(cpus), 2),
        "load_average_before": round(load, 1),
        "findings": findings,
        "peak_rss_mib": round(max(peaks) / 1024, 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
