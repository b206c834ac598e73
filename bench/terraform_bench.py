"""Terraform scan benchmark: a generated tree of .tf files, scanned by `trustscan scan terraform`.

The tree has ROOTS root modules (environments), each with files of ten resources in the styles
real code uses: S3 buckets with their split versioning / encryption / public access block
resources, KMS keys referenced by ARN, DynamoDB tables with nested blocks, log groups, EBS volumes,
a local module called with for_each, variables and locals. Every scan runs as a child process with
every check selected (the JSON report written to a file), several times; the medians are reported.

    python bench/terraform_bench.py                       # 2,000 files, 20,000 resources, 3 runs
    python bench/terraform_bench.py --files 200 --runs 5 --json out.json

Figures depend on the machine (and on what else runs on it): quote medians, compare ratios. CPU
seconds (the scan and its workers) say what the scan costs whatever else competes for the cores.
The scan's own process does the serial work (start-up, reading the tree, assembling and writing
the report) and a share of the parsing and evaluation while one worker per other core does the
rest, so on an otherwise idle machine its wall time is about that process's CPU time
(`median_parent_cpu_seconds`): the figure to argue from when other work shares the cores.
`median_others_cpu_seconds` is the CPU time other processes took on the machine during a run
(from /proc/stat): near 0, the wall time is the scan's own; `least_contended` is the run where
others took the least.
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


# Runs the CLI and, at exit, records the CPU time of the scan's own process (not its workers).
WRAPPER = """
import atexit, os, resource, sys
def record():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(os.environ["TRUSTSCAN_BENCH_CPU"], "w") as handle:
        handle.write(str(usage.ru_utime + usage.ru_stime))
atexit.register(record)
sys.argv = ["trustscan", *sys.argv[1:]]
from scanner.cli.main import main
main()
"""


def machine_cpu_seconds() -> float | None:
    """CPU seconds every process on the machine has used since boot (/proc/stat; None elsewhere)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def run_once(tree: Path, out: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds (the scan and its worker processes), CPU seconds of the scan's own
    process, CPU seconds other processes took meanwhile, and peak RSS (KiB) of one scan."""
    own = out.with_suffix(".cpu")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine = machine_cpu_seconds()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, "scan", "terraform", str(tree), "--quiet", "--format", f"json={out}", "--fail-on", "never"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TRUSTSCAN_BENCH_CPU": str(own)},
    )
    elapsed = time.perf_counter() - start
    machine_after = machine_cpu_seconds()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):
        raise SystemExit(f"scan failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = max(0.0, machine_after - machine - cpu) if machine is not None and machine_after is not None else float("nan")
    return {"wall": elapsed, "cpu": cpu, "parent": float(own.read_text()), "others": others, "rss": after.ru_maxrss}


def median(runs: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


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
        report = Path(temp) / "report.json"
        load = os.getloadavg()[0]
        runs = [run_once(tree, report) for _ in range(args.runs)]
        findings = len(json.loads(report.read_text())["findings"])
    figures = {
        "files": files,
        "resources": resources,
        "roots": args.roots,
        "runs": args.runs,
        "median_seconds": median(runs, "wall"),
        "min_seconds": round(min(r["wall"] for r in runs), 2),
        "max_seconds": round(max(r["wall"] for r in runs), 2),
        "median_cpu_seconds": median(runs, "cpu"),
        "median_parent_cpu_seconds": median(runs, "parent"),
        "median_others_cpu_seconds": median(runs, "others"),
        "least_contended": {k: round(v, 2) for k, v in min(runs, key=lambda r: r["others"]).items() if k != "rss"},
        "load_average_before": round(load, 1),
        "findings": findings,
        "peak_rss_mib": round(max(r["rss"] for r in runs) / 1024, 1),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, indent=2))
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
