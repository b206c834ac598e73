"""Period report benchmark: a year of daily reports of a large estate, streamed in bounded memory.

Generates R report files of F findings each in a temporary folder (pretty-printed like
`--format json`, ~0.9 KB per finding: 365 x 10,000 is about 3.4 GB), with failure windows that open
and close across the year, resources added and removed, a few waived findings and a check added
mid-year. Then runs `trustscan period DIR --format json` as a child process several times and
reports wall time and the child's peak RSS (its own max RSS, from wait4), with medians.

    python bench/period_bench.py                        # 365 x 10,000, 3 runs
    python bench/period_bench.py --reports 60 --findings 2000 --runs 5
    python bench/period_bench.py --keep /tmp/history    # keep the generated reports

Figures depend on the machine and its disk cache: compare ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2025, 1, 1, 3, 0, tzinfo=timezone.utc)
ACCOUNT = "123456789012"
CHECKS = [f"aws.svc{i:02d}.setting_{i:02d}" for i in range(40)]
CRITERIA = ["CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.7", "CC7.2", "CC7.3", "CC7.5", "CC9.1", "A1.2", "C1.1"]

FINDING = """    {{
      "finding_id": "{fid}",
      "check_id": "{check}",
      "check_title": "Synthetic check {n} keeps its setting enabled",
      "provider": "aws",
      "service": "{service}",
      "severity": "medium",
      "category": "encryption",
      "resource_type": "AWS::Synthetic::Resource",
      "resource_id": "arn:aws:{service}:{region}:{account}:resource/{name}",
      "resource_name": "{name}",
      "account": "{account}",
      "region": "{region}",
      "status": "{status}",
      "message": "{message}",
      "evidence": {{
        "setting_enabled": {enabled},
        "last_changed": "2025-01-01T00:00:00+00:00"
      }},
      "criteria": {{
        "soc2": [
          "{c1}",
          "{c2}"
        ]
      }},
      "remediation": "Enable the setting on the resource (aws {service} update-setting --enabled).",
      "waiver": {waiver},
      "baseline_state": null
    }}"""
WAIVER = """{{
        "waiver_id": "W-{n}",
        "justification": "Legacy resource scheduled for retirement",
        "owner": "platform@example.com",
        "expires": "2026-06-30",
        "ticket": "PLAT-{n}",
        "original_status": "FAIL"
      }}"""


def status_for(resource: int, day: int) -> str:
    """Mostly PASS; each resource fails in a few windows of a few days, spread over the year."""
    phase = (resource * 37) % 91
    position = (day + phase) % 91
    if position < 3 + resource % 4:
        return "FAIL"
    if resource % 251 == 0 and position < 20:
        return "ERROR"
    return "PASS"


def generate(folder: Path, reports: int, findings: int) -> int:
    ids = [hashlib.sha256(f"{ACCOUNT}|{r}".encode()).hexdigest()[:32] for r in range(findings + findings // 10)]
    total = 0
    criteria_block = ",\n".join(
        f'    {{"framework": "soc2", "criterion": "{c}", "title": "Criterion {c}", "state": "not_satisfied", '
        f'"checks": ["{CHECKS[0]}"], "counts": {{"FAIL": 1}}, "manual_evidence": ["Policy document"]}}'
        for c in CRITERIA
    )
    for day in range(reports):
        collected = (START + timedelta(days=day)).isoformat().replace("+00:00", "Z")
        # Resources come and go: a tenth of the ids rotate through the estate over the year.
        offset = (day * len(ids) // 10) // max(reports, 1)
        parts = []
        for slot in range(findings):
            r = slot if slot < findings * 9 // 10 else findings * 9 // 10 + (slot + offset) % (len(ids) - findings * 9 // 10)
            check = CHECKS[r % (len(CHECKS) - 1)] if day < reports // 2 or r % 50 else CHECKS[-1]  # a check added mid-year
            status = status_for(r, day)
            waived = status == "FAIL" and r % 97 == 0
            parts.append(FINDING.format(
                fid=ids[r], check=check, n=r % len(CHECKS), service=check.split(".")[1], region="us-east-1" if r % 2 else "eu-west-1",
                account=ACCOUNT, name=f"res-{r:06d}", status="WAIVED" if waived else status,
                message=f"SettingEnabled is {'false' if status == 'FAIL' else 'true'}", enabled="false" if status == "FAIL" else "true",
                c1=CRITERIA[r % len(CRITERIA)], c2=CRITERIA[(r + 3) % len(CRITERIA)],
                waiver=WAIVER.format(n=r) if waived else "null",
            ))
        header = (
            '{\n  "schema_version": "1.0",\n  "metadata": {\n'
            f'    "tool_version": "0.1.0", "provider": "aws", "source": "live",\n'
            f'    "identity": {{"account": "{ACCOUNT}", "principal": "arn:aws:iam::{ACCOUNT}:role/ci", "partition": "aws"}},\n'
            f'    "regions": ["eu-west-1", "us-east-1"], "scopes": [], "collected_at": "{collected}", "started_at": "{collected}",\n'
            f'    "finished_at": "{collected}", "elapsed_seconds": 60.0, "checks_evaluated": {len(CHECKS)}, "incomplete": false,\n'
            '    "api_calls": {}, "parameters": {}\n  },\n'
            '  "summary": {},\n  "findings": [\n'
        )
        with open(folder / f"trustscan-report-{day + 1:03d}.json", "w", encoding="utf-8") as handle:
            handle.write(header)
            handle.write(",\n".join(parts))
            handle.write("\n  ],\n  \"criteria\": [\n" + criteria_block + "\n  ],\n  \"collection_errors\": [],\n  \"waivers\": [],\n  \"baseline\": null\n}\n")
            total += handle.tell()
    return total


def run_once(folder: Path, out: Path, jobs: int = 1) -> tuple[float, int]:
    """Wall time and peak RSS of one `trustscan period` child (with --jobs > 1, the parent's RSS only)."""
    command = [sys.executable, "-m", "scanner.cli.main", "period", str(folder), "--format", "json", "-o", str(out), "--jobs", str(jobs)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"period failed: {child.stderr.read().decode() if child.stderr else ''}")
    return wall, usage.ru_maxrss * 1024  # Linux reports KiB


def baseline_rss() -> int:
    """Peak RSS of a child that only imports what `period` imports: the interpreter's floor."""
    child = subprocess.Popen([sys.executable, "-c", "import scanner.cli.main, scanner.period.analysis, scanner.period.render"], cwd=ROOT)
    _, _, usage = os.wait4(child.pid, 0)
    return usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=365)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="`period --jobs` (worker processes parsing files).")
    parser.add_argument("--keep", type=Path, help="Generate into this folder and keep it (reused if it already holds the history).")
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON here.")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="trustscan-period-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        existing = sorted(folder.glob("trustscan-report-*.json"))
        if len(existing) == args.reports and args.keep:
            size = sum(p.stat().st_size for p in existing)
            print(f"reusing {len(existing)} reports in {folder} ({size / 1e9:.2f} GB)")
        else:
            started = time.perf_counter()
            size = generate(folder, args.reports, args.findings)
            print(f"generated {args.reports} reports x {args.findings} findings = {args.reports * args.findings:,} findings, "
                  f"{size / 1e9:.2f} GB in {time.perf_counter() - started:.1f}s ({folder})")
        out = folder.parent / f"{folder.name}-period.json"
        floor = baseline_rss()
        walls, peaks = [], []
        for i in range(args.runs):
            wall, peak = run_once(folder, out, args.jobs)
            walls.append(wall)
            peaks.append(peak)
            print(f"run {i + 1}: {wall:.1f}s wall, peak RSS {peak / 2**20:.0f} MiB")
        result = json.loads(out.read_text())
        figures = {
            "reports": args.reports, "findings_per_report": args.findings, "jobs": args.jobs, "total_findings": args.reports * args.findings,
            "bytes": size, "runs": args.runs, "wall_seconds": walls, "peak_rss_bytes": peaks,
            "median_wall_seconds": round(statistics.median(walls), 2), "median_peak_rss_mib": round(statistics.median(peaks) / 2**20, 1),
            "import_floor_rss_mib": round(floor / 2**20, 1),
            "findings_per_second": round(args.reports * args.findings / statistics.median(walls)),
            "result": {"scans": result["inputs"]["scans"], "resources": len(result["resources"]), "failure_windows": len(result["failures"]),
                       "open_at_end": len(result["open_at_end"]), "checks_added": result["checks_added"], "waivers": len(result["waivers"])},
        }
        print(f"median: {figures['median_wall_seconds']}s wall ({figures['findings_per_second']:,} findings/s), "
              f"peak RSS {figures['median_peak_rss_mib']} MiB (imports alone: {figures['import_floor_rss_mib']} MiB); "
              f"{figures['result']['resources']:,} resources, {figures['result']['failure_windows']:,} failure windows")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2) + "\n")
        out.unlink(missing_ok=True)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
