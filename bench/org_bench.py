"""AWS Organization benchmark: one process, and K shards in parallel plus the merge, over M accounts.

moto (a child process of its own) holds an organization: the management account and M members,
each with a small mixed estate (IAM users and password policy, S3 buckets, and per region EBS
volumes, a log group and a KMS key) and the trustscan role. A loopback proxy in front of it adds
50 ms to every response (real AWS round trips are 50-150 ms; moto answers in about one). Then:

- one process: `trustscan scan aws --org --role-name ... --format json=...` (wall, API calls,
  peak RSS of the scanner process), compared with the bound calls x latency / workers;
- K = 1, 2, 4: `--shard K/N` processes started together, then `trustscan merge` (wall from the
  first start to the merged report; the peak RSS of the largest shard).

    python bench/org_bench.py                          # M = 10, 50; 3 runs each
    python bench/org_bench.py --members 10 --runs 1 --shards 1,2 --json out.json

Peak RSS is each child's own VmHWM (/proc), the scanner alone: not moto, not the proxy.
Figures depend on the machine (moto and the proxy share its cores): compare ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.demo.aws_org import ROLE_NAME, MemberSpec, moto_process, seed_organization
from scanner.demo.latency_proxy import LatencyProxy, latency_proxy

# Every check that reads only what the estate holds (and no credential report: moto makes each
# account's generation take a second, which would measure moto, not the scanner).
SEEDED_KEYS = {"aws.s3.buckets", "aws.ec2.volumes", "aws.kms.keys", "aws.logs.log_groups", "aws.iam.password_policy"}
REGIONS = ("eu-west-1", "us-east-1")
WORKERS = 16  # --max-workers (the default)

# Runs the CLI and reports its own peak RSS from /proc/self/status (VmHWM) and its CPU time (all threads).
RUNNER = """
import re, resource, sys
from scanner.cli.main import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
usage = resource.getrusage(resource.RUSAGE_SELF)
with open("/proc/self/status") as status:
    sys.stderr.write("\\nvmhwm_kib=%s\\n" % re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
sys.stderr.write("cpu_seconds=%.3f\\n" % (usage.ru_utime + usage.ru_stime))
sys.exit(code)
"""


def bench_checks() -> str:
    from scanner.registry import load_checks

    return ",".join(
        sorted(
            c.id
            for c in load_checks().values()
            if c.provider == "aws" and {k.split(":")[0] for k in c.collection_keys} <= SEEDED_KEYS
        )
    )


def members(count: int) -> list[MemberSpec]:
    ous = ("Production", "Production/Payments", "Sandbox", "Security")
    return [MemberSpec(f"member-{i:03d}", ous[i % len(ous)], variant=i) for i in range(count)]


def start(args: list[str], stderr_path: Path) -> subprocess.Popen:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args],
        stdout=subprocess.DEVNULL,
        stderr=stderr_path.open("w"),
        env=env,
        cwd=ROOT,
        text=True,
    )


def finish(child: subprocess.Popen, stderr_path: Path, allowed: tuple[int, ...] = (0, 1, 3)) -> tuple[float, float]:
    """(peak RSS in MiB, CPU seconds) of a finished child."""
    code = child.wait()
    err = stderr_path.read_text()
    if code not in allowed:
        raise SystemExit(f"trustscan exited {code}: {err.strip()[-2000:]}")
    return int(err.rsplit("vmhwm_kib=", 1)[1].split()[0]) / 1024, float(err.rsplit("cpu_seconds=", 1)[1].split()[0])


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Meter:
    """CPU used by moto and by this process (the latency proxy's threads) around one measurement,
    and how busy the machine's cores were."""

    def __init__(self, moto_pid: int) -> None:
        self.moto_pid = moto_pid

    def __enter__(self) -> Meter:  # noqa: PYI034
        self.moto, self.proxy, self.machine = process_cpu(self.moto_pid), time.process_time(), machine_busy()
        return self

    def __exit__(self, *_: object) -> None:
        busy, total = machine_busy()
        self.moto_cpu = process_cpu(self.moto_pid) - self.moto
        self.proxy_cpu = time.process_time() - self.proxy
        self.machine_busy = (busy - self.machine[0]) / max(1, total - self.machine[1])


def scan_args(endpoint: str, checks: str, out: Path, shard: str | None = None) -> list[str]:
    args = [
        "scan",
        "aws",
        "--org",
        "--role-name",
        ROLE_NAME,
        "--endpoint-url",
        endpoint,
        "--regions",
        ",".join(REGIONS),
        "--checks",
        checks,
        "--max-workers",
        str(WORKERS),
        "-q",
        "--format",
        f"json={out}",
    ]
    return args + (["--shard", shard] if shard else [])


def phases(proxy: LatencyProxy, started: float, ended: float) -> dict:
    """Start-up (to the first request), the API phase (first request to last answer) and the tail
    (last answer to exit: evaluation, report, interpreter exit), from the proxy's clock."""
    first, last = proxy.first_arrival or started, proxy.last_answer or ended
    return {"startup": first - started, "api_phase": last - first, "tail": ended - last}


def one_process(proxy: LatencyProxy, checks: str, workdir: Path, moto_pid: int) -> dict:
    out, err = workdir / "single.json", workdir / "single.err"
    proxy.mark()
    with Meter(moto_pid) as meter:
        started = time.monotonic()
        rss, cpu = finish(start(scan_args(proxy.url, checks, out), err), err)
        ended = time.monotonic()
    report = json.loads(out.read_text())
    calls = sum(report["metadata"]["api_calls"].values())
    return {
        "wall": ended - started,
        **phases(proxy, started, ended),
        "rss": rss,
        "cpu": cpu,
        "moto_cpu": meter.moto_cpu,
        "proxy_cpu": meter.proxy_cpu,
        "busy": meter.machine_busy,
        "calls": calls,
        "findings": len(report["findings"]),
    }


def sharded(proxy: LatencyProxy, checks: str, workdir: Path, count: int, moto_pid: int) -> dict:
    proxy.mark()
    started = time.perf_counter()
    children = []
    with Meter(moto_pid) as meter:
        for index in range(1, count + 1):
            out, err = workdir / f"shard-{index}.json", workdir / f"shard-{index}.err"
            children.append((start(scan_args(proxy.url, checks, out, f"{index}/{count}"), err), err, out))
        usage = [finish(child, err) for child, err, _ in children]
    shards_done = time.perf_counter()
    calls = sum(sum(json.loads(out.read_text())["metadata"]["api_calls"].values()) for _, _, out in children)
    merged, merge_err = workdir / "merged.json", workdir / "merge.err"
    merge_rss, merge_cpu = finish(
        start(["merge", "--out", str(merged), *[str(out) for _, _, out in children]], merge_err), merge_err, (0, 1, 3)
    )
    wall = time.perf_counter() - started
    report = json.loads(merged.read_text())
    return {
        "wall": wall,
        "shards_wall": shards_done - started,
        "calls": calls,
        "merge_wall": wall - (shards_done - started),
        "rss": max(rss for rss, _ in usage),
        "cpu": sum(cpu for _, cpu in usage) + merge_cpu,
        "moto_cpu": meter.moto_cpu,
        "busy": meter.machine_busy,
        "merge_rss": merge_rss,
        "findings": len(report["findings"]),
    }


def median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", default="10,50", help="member accounts per organization (comma-separated)")
    parser.add_argument("--shards", default="1,2,4", help="shard counts K to run as parallel processes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", dest="json_out")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="seconds added to every response (0.05; larger values show the "
        "concurrency the scan reaches when round trips, not CPU, are the limit)"
    )
    args = parser.parse_args()
    latency = args.latency
    checks = bench_checks()
    print(
        f"{len(checks.split(','))} checks, regions {', '.join(REGIONS)}, {latency * 1000:.0f} ms per response, "
        f"{WORKERS} workers, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    rows = []
    for size in (int(m) for m in args.members.split(",")):
        with moto_process() as moto, latency_proxy(moto, latency) as proxy, tempfile.TemporaryDirectory() as tmp:
            seeded = time.perf_counter()
            seed_organization(moto, members(size), regions=REGIONS)
            seeded = time.perf_counter() - seeded
            workdir = Path(tmp)
            singles = [one_process(proxy, checks, workdir, moto.pid) for _ in range(args.runs)]
            calls = singles[0]["calls"]
            bound = calls * latency / WORKERS
            row: dict = {
                "members": size,
                "accounts": size + 1,
                "seed_seconds": round(seeded, 1),
                "findings": singles[0]["findings"],
                "api_calls": calls,
                "bound_seconds": round(bound, 2),
                "one_process": {
                    "wall": median(singles, "wall"),
                    "startup": median(singles, "startup"),
                    "api_phase": median(singles, "api_phase"),
                    "tail": median(singles, "tail"),
                    "cpu_seconds": median(singles, "cpu"),
                    "moto_cpu_seconds": median(singles, "moto_cpu"),
                    "proxy_cpu_seconds": median(singles, "proxy_cpu"),
                    "machine_busy": median(singles, "busy"),
                    "peak_rss_mib": round(max(r["rss"] for r in singles), 1),
                },
                "shards": {},
            }
            single = row["one_process"]
            single["wall_over_bound"] = round(single["wall"] / bound, 2)
            single["api_phase_over_bound"] = round(single["api_phase"] / bound, 2)
            print(
                f"M={size:>3}: {row['accounts']} accounts, {calls} API calls, {row['findings']} findings; one process: "
                f"wall {single['wall']} s (bound {row['bound_seconds']} s, x{single['wall_over_bound']}; start-up "
                f"{single['startup']} s, API phase {single['api_phase']} s x{single['api_phase_over_bound']}, "
                f"tail {single['tail']} s), "
                f"CPU {single['cpu_seconds']} s (moto {single['moto_cpu_seconds']} s, proxy {single['proxy_cpu_seconds']} s, "
                f"cores {single['machine_busy']:.0%} busy), peak RSS {single['peak_rss_mib']} MiB",
                flush=True,
            )
            for count in (int(k) for k in args.shards.split(",")):
                runs = [sharded(proxy, checks, workdir, count, moto.pid) for _ in range(args.runs)]
                if any(r["findings"] != row["findings"] for r in runs):
                    raise SystemExit(f"K={count}: merged findings differ from the one-process scan")
                row["shards"][count] = {
                    "wall": median(runs, "wall"),
                    "shards_wall": median(runs, "shards_wall"),
                    "api_calls": runs[0]["calls"],
                    "cpu_seconds": median(runs, "cpu"),
                    "moto_cpu_seconds": median(runs, "moto_cpu"),
                    "machine_busy": median(runs, "busy"),
                    "merge_wall": median(runs, "merge_wall"),
                    "peak_rss_mib_per_shard": round(max(r["rss"] for r in runs), 1),
                    "merge_peak_rss_mib": round(max(r["merge_rss"] for r in runs), 1),
                }
                shard = row["shards"][count]
                shard["speedup"] = round(row["one_process"]["wall"] / shard["wall"], 2)
                print(
                    f"        K={count}: wall {shard['wall']} s "
                    f"(shards {shard['shards_wall']} s + merge {shard['merge_wall']} s), {shard['api_calls']} API calls, "
                    f"x{shard['speedup']} vs one process, CPU {shard['cpu_seconds']} s in all "
                    f"(moto {shard['moto_cpu_seconds']} s, "
                    f"cores {shard['machine_busy']:.0%} busy), "
                    f"peak RSS per shard {shard['peak_rss_mib_per_shard']} MiB, "
                    f"merge {shard['merge_peak_rss_mib']} MiB",
                    flush=True,
                )
            row["proxy_requests"] = proxy.requests
            rows.append(row)
    if len(rows) >= 2:
        low, high = rows[0], rows[-1]
        growth = (high["one_process"]["peak_rss_mib"] - low["one_process"]["peak_rss_mib"]) / (high["members"] - low["members"])
        print(f"memory: {growth:+.2f} MiB per added account (one process, M={low['members']} -> M={high['members']})")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
