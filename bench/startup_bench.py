"""Start-up benchmark: how long `trustscan scan aws` takes to send its first request.

Runs moto's server in this process on 127.0.0.1, behind a WSGI wrapper that notes when each
request arrives and what it asks for, then starts `trustscan scan aws --endpoint-url ...` as a
child process several times per scenario and reports medians of:

- first request: from starting the child to the first request moto sees (the caller's identity,
  STS GetCallerIdentity): interpreter start-up, imports, check selection, the first client;
- first collector request: to the first request that is not discovery (STS, DescribeRegions);
- the child's CPU seconds (user + system, from /proc) when each of those requests arrives: other
  processes on the machine inflate wall time, hardly CPU time, so on a shared machine the CPU
  figure is the better estimate of the wall time on an idle one;
- total wall time, and the child's CPU seconds for the whole run.

    python bench/startup_bench.py                      # 7 runs per scenario
    python bench/startup_bench.py --runs 11 --json out.json
    python bench/startup_bench.py --tree /path/to/other/checkout   # the same, for another version
    python bench/startup_bench.py --against /path/to/old/checkout  # paired: runs alternate, ratios printed
    python bench/startup_bench.py --latency-ms 50      # each answer 50 ms late, as a real endpoint's

Each tree is byte-compiled first (as an installed package is): a checkout without __pycache__
compiles ~100 modules on every run, which is not start-up. The machine's speed is printed beside the
figures (calibration: the median time of a pure-Python loop of 10,000,000 additions, in a child
process, before and after): figures taken at different hours compare through it.

Scenarios: one check over 9 buckets (`--checks aws.s3.bucket_default_encryption`, the pull-request
gate case), and every AWS check in one region (the default `scan aws`; moto lacks some APIs, so
that run is stopped at its first collector request and has no total).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUCKETS = 9
DISCOVERY = {"sts:GetCallerIdentity", "ec2:DescribeRegions"}


class Arrivals:
    """What reached the server, and when (time.monotonic, the same clock in every process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[float, str, float | None]] = []
        self.pid: int | None = None  # the scanner process: its CPU time is read as each request arrives

    def clear(self, pid: int | None = None) -> None:
        with self.lock:
            self.seen = []
            self.pid = pid

    def note(self, operation: str) -> None:
        at = time.monotonic()
        cpu = cpu_seconds(self.pid) if self.pid else None
        with self.lock:
            self.seen.append((at, operation, cpu))

    def first(self, predicate) -> float | None:
        with self.lock:
            return next((at for at, op, _ in self.seen if predicate(op)), None)

    def first_cpu(self, predicate) -> float | None:
        with self.lock:
            return next((cpu for _, op, cpu in self.seen if predicate(op)), None)


def cpu_seconds(pid: int) -> float | None:
    """A live process's user + system CPU seconds (/proc/PID/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def operation(environ: dict) -> str:
    """A request's service:operation as far as the wire tells (enough to tell discovery apart)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.replace("_20", ":")  # good enough: only DISCOVERY names are compared
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    action = parse_qs(body.decode("latin-1")).get("Action", [""])[0]
    auth = environ.get("HTTP_AUTHORIZATION", "")
    service = auth.split("/")[3] if auth.count("/") >= 4 else "?"
    return f"{service}:{action}" if action else f"{service}:{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"


def start_moto(arrivals: Arrivals, latency: float = 0.0):
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto logs every request and every 404
    app = DomainDispatcherApplication(create_backend_app)

    def noted(environ, start_response):
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            arrivals.note(operation(environ))
            if latency:
                time.sleep(latency)  # a real endpoint's round trip: the scanner works on meanwhile, or waits
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, noted, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def seed(endpoint_url: str) -> None:
    import boto3

    s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint_url,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    for i in range(BUCKETS):
        name = f"startup-{i}"
        s3.create_bucket(Bucket=name)
        if i % 2:
            s3.put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            )


def run_once(tree: Path, endpoint_url: str, arrivals: Arrivals, args: list[str], complete: bool) -> dict:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--endpoint-url", endpoint_url,
               "--regions", "us-east-1", "-q", "--format", "json=/dev/null", *args]
    arrivals.clear()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    child = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    arrivals.clear(child.pid)  # nothing can have arrived yet: the child has not imported botocore
    collector = lambda op: op not in DISCOVERY  # noqa: E731
    if complete:
        _, stderr = child.communicate(timeout=600)
        if child.returncode not in (0, 1, 3):
            raise SystemExit(f"scan failed ({child.returncode}): {stderr.decode().strip()[-2000:]}")
    else:
        while arrivals.first(collector) is None and child.poll() is None:
            time.sleep(0.005)
        child.kill()
        child.communicate()
    total = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    first = arrivals.first(lambda op: True)
    first_collector = arrivals.first(collector)
    return {
        "first_request": None if first is None else first - started,
        "first_collector_request": None if first_collector is None else first_collector - started,
        "first_request_cpu": arrivals.first_cpu(lambda op: True),
        "first_collector_request_cpu": arrivals.first_cpu(collector),
        "total": total if complete else None,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) if complete else None,
        "requests": len(arrivals.seen),
    }


def load_average() -> str:
    with open("/proc/loadavg") as load:
        return load.read().split()[0]


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


CALIBRATION = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10_000_000):\n    s += i\nprint(time.perf_counter() - t)"


def calibration(runs: int = 3) -> float | None:
    """Median seconds of a pure-Python loop (10,000,000 additions) in a fresh interpreter: this
    machine's speed at the moment, to compare figures taken at different hours."""
    return median([float(subprocess.run([sys.executable, "-c", CALIBRATION], capture_output=True, text=True, check=True).stdout)
                   for _ in range(runs)])


def compile_tree(tree: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", "scanner", "checks"], cwd=tree, check=True, stdout=subprocess.DEVNULL)


SCENARIOS = {
    "one check, 9 buckets": (["--checks", "aws.s3.bucket_default_encryption"], True),
    "every AWS check": ([], False),
}
MEASURES = ["first_request", "first_request_cpu", "first_collector_request", "first_collector_request_cpu", "total", "cpu"]


def summary(name: str, tree: Path, runs: list[dict]) -> dict:
    row = {"scenario": name, "tree": str(tree), "runs": len(runs), "requests": runs[-1]["requests"]}
    row.update({f"{measure}_s": median([r[measure] for r in runs]) for measure in MEASURES})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose scanner to run (default: this one)")
    parser.add_argument("--against", type=Path, help="another checkout, run alternately with --tree (paired runs, ratios)")
    parser.add_argument("--latency-ms", type=float, default=0.0,
                        help="answer each request this much later (a real endpoint's round trip; moto's is ~1 ms)")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    trees = [args.tree] + ([args.against] if args.against else [])
    for tree in trees:
        compile_tree(tree)
    load_before, speed_before = load_average(), calibration()
    arrivals = Arrivals()
    server, endpoint_url = start_moto(arrivals, args.latency_ms / 1000)
    rows = []
    try:
        seed(endpoint_url)
        for name, (extra, complete) in SCENARIOS.items():
            for tree in trees:
                run_once(tree, endpoint_url, arrivals, extra, complete)  # warm the OS file cache
            runs: dict[Path, list[dict]] = {tree: [] for tree in trees}
            for _ in range(args.runs):
                for tree in trees:  # alternating: both see the same moments of a machine whose speed drifts
                    runs[tree].append(run_once(tree, endpoint_url, arrivals, extra, complete))
            rows_now = [summary(name, tree, runs[tree]) for tree in trees]
            rows += rows_now
            for row in rows_now:
                label = f"{name}" + (f" [{row['tree']}]" if len(trees) > 1 else "")
                print(f"{label:<22} first request {row['first_request_s']} s (CPU {row['first_request_cpu_s']} s), "
                      f"first collector request {row['first_collector_request_s']} s (CPU {row['first_collector_request_cpu_s']} s), "
                      f"total {row['total_s']} s, CPU {row['cpu_s']} s, {row['requests']} requests (medians of {args.runs})", flush=True)
            if len(trees) > 1:
                new, old = rows_now
                ratios = {m: round(new[f"{m}_s"] / old[f"{m}_s"], 2) for m in MEASURES if new[f"{m}_s"] and old[f"{m}_s"]}
                print(f"{'':<22} ratio {trees[0].name} / {trees[1].name}: " + ", ".join(f"{m} {r}" for m, r in ratios.items()), flush=True)
    finally:
        server.shutdown()
    speed_after = calibration()
    if args.latency_ms:
        print(f"each answer delayed by {args.latency_ms:g} ms")
    print(f"load average (1 min) {load_before} before, {load_average()} after (2 cores: above 2, wall times are inflated)")
    print(f"calibration (10M-addition loop, median of 3) {speed_before} s before, {speed_after} s after")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"calibration_s": [speed_before, speed_after], "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
