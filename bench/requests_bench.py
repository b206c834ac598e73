"""Requests per selection: what a narrow scan asks of AWS, against the full catalogue (counts).

moto's server runs in this process on 127.0.0.1 with 9 S3 buckets (every other one encrypted,
the estate of startup_bench.py), behind a WSGI wrapper that counts the requests that arrive
(retries included). For each selection, `trustscan scan aws --regions us-east-1` runs once as a
child process; printed: requests that arrived, API calls the scanner counted (the report's
metadata.api_calls), the S3 share of them, findings; with --tree, the operations whose counts differ.

    python bench/requests_bench.py
    python bench/requests_bench.py --tree /path/to/older/checkout --json out.json   # the same, side by side

Selections: one check (`--checks aws.s3.bucket_default_encryption`, a pull-request gate), every
S3 bucket check, one category (every AWS check of category `encryption`, given as ids: the CLI
selects by id and severity), and every AWS check. Counts do not depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from startup_bench import Arrivals, seed, start_moto  # noqa: E402


def selections() -> dict[str, list[str]]:
    from scanner.models.common import Category
    from scanner.registry import load_checks, select_checks

    aws = select_checks(load_checks(provider="aws"), provider="aws")
    s3 = sorted(c.id for c in aws if {k.split(":")[0] for k in c.collection_keys} == {"aws.s3.buckets"})
    encryption = sorted(c.id for c in aws if c.category == Category.ENCRYPTION)
    return {
        "one check (aws.s3.bucket_default_encryption)": ["--checks", "aws.s3.bucket_default_encryption"],
        f"S3 bucket checks ({len(s3)})": ["--checks", ",".join(s3)],
        f"category encryption ({len(encryption)} checks)": ["--checks", ",".join(encryption)],
        f"every AWS check ({len(aws)})": [],
    }


def run(tree: Path, endpoint_url: str, arrivals: Arrivals, args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
               "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
        command = [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--endpoint-url", endpoint_url,
                   "--regions", "us-east-1", "-q", "--format", f"json={out}", *args]  # fmt: skip
        arrivals.clear()
        done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode not in (0, 1, 3):
            raise SystemExit(f"scan failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        report = json.loads(out.read_text())
    calls = report["metadata"]["api_calls"]
    return {
        "requests": len(arrivals.seen),
        "api_calls": sum(calls.values()),
        "s3_calls": sum(n for op, n in calls.items() if op.startswith("s3:")),
        "findings": len(report["findings"]),
        "calls": calls,
    }


def differences(this: dict[str, int], other: dict[str, int]) -> str:
    """The operations whose counts differ between two trees, as op this/other."""
    changed = sorted(op for op in set(this) | set(other) if this.get(op, 0) != other.get(op, 0))
    return ", ".join(f"{op} {this.get(op, 0)}/{other.get(op, 0)}" for op in changed) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, help="another checkout to count beside this one")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    trees = {"this": ROOT, **({"other": args.tree} if args.tree else {})}
    arrivals = Arrivals()
    server, endpoint_url = start_moto(arrivals)
    rows = []
    try:
        seed(endpoint_url)
        for name, extra in selections().items():
            row = {"selection": name}
            for label, tree in trees.items():
                row[label] = run(tree, endpoint_url, arrivals, extra)
            rows.append(row)
            print(f"{name:<48} " + "; ".join(
                f"{label}: {r['requests']} requests, {r['api_calls']} API calls ({r['s3_calls']} S3), {r['findings']} findings"
                for label, r in ((label, row[label]) for label in trees)), flush=True)  # fmt: skip
            if "other" in row:
                print(f"{'':<48} calls that differ (this/other): {differences(row['this']['calls'], row['other']['calls'])}", flush=True)
    finally:
        server.shutdown()
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
