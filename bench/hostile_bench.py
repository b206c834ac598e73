"""What a user meets under hostile input and interrupts, measured: `verify` of a small zip holding a huge
member (peak RSS of the child process), and how long `trustscan scan aws` lives after SIGTERM while its
API calls hang behind a slow endpoint (moto through a loopback proxy that holds each collection call).

    python bench/hostile_bench.py                    # 400 MB member, 3 verify runs, 5 interrupts
    python bench/hostile_bench.py --member-mb 200 --runs 5 --interrupts 3

Needs the test extra (moto). Figures depend on the machine: quote medians, compare ratios.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_child(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, float, float]:
    """Exit status, wall seconds and the child's peak RSS in MiB (wait4)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024


def bundle_zip(folder: Path) -> Path:
    """A real evidence bundle zip from the GCP demo (the fake cloud: no moto needed for this part)."""
    out = folder / "bundle"
    subprocess.run(
        [sys.executable, "-m", "scanner.cli.main", "demo", "--provider", "gcp", "-q", "--format", f"json={folder / 'r.json'}",
         "--evidence-dir", str(out), "--evidence-zip"],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
    )  # fmt: skip
    return Path(str(out) + ".zip")


def with_huge_member(source: Path, target: Path, megabytes: int) -> None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        top = zin.namelist()[0].split("/")[0]
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        with zout.open(f"{top}/padding.bin", "w", force_zip64=True) as handle:
            chunk = b"\0" * (1 << 20)
            for _ in range(megabytes):
                handle.write(chunk)


def bench_verify(megabytes: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bomb = folder / "bomb.zip"
        with_huge_member(bundle_zip(folder), bomb, megabytes)
        rss, wall = [], []
        for _ in range(runs):
            code, seconds, peak = run_child([sys.executable, "-m", "scanner.cli.main", "verify", str(bomb)])
            assert code == 1, f"verify exited {code}"
            rss.append(peak)
            wall.append(seconds)
        print(f"verify, {os.path.getsize(bomb) / 1024:.0f} KB zip with a {megabytes} MB member: "
              f"peak RSS median {statistics.median(rss):.0f} MiB (runs {', '.join(f'{r:.0f}' for r in rss)}), "
              f"wall median {statistics.median(wall):.2f} s")  # fmt: skip


def bench_interrupt(runs: int) -> None:
    from scanner.demo.aws import DEMO_CREDENTIALS, moto_server
    from tests.slow_proxy import slow_proxy

    fast = (b"Action=GetCallerIdentity", b"Action=DescribeRegions")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": DEMO_CREDENTIALS["aws_access_key_id"],
           "AWS_SECRET_ACCESS_KEY": DEMO_CREDENTIALS["aws_secret_access_key"], "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # fmt: skip
    after, late_calls = [], []
    with moto_server() as moto, tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            with slow_proxy(moto, 60.0, lambda target, body: not any(m in body for m in fast)) as (endpoint, proxy):
                process = subprocess.Popen(
                    [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--endpoint-url", endpoint, "--regions",
                     "us-east-1,eu-west-1,us-west-2", "--checks", "aws.ec2.volume_encrypted,aws.rds.multi_az,aws.kms.cmk_rotation_enabled",
                     "-q", "--format", f"json={tmp}/r.json"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                )  # fmt: skip
                while proxy.held() < 3:
                    time.sleep(0.05)
                signalled = time.monotonic()
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=120)
                after.append(time.monotonic() - signalled)
                late_calls.append(len(proxy.arrived_after(signalled + 0.5)))
    print(f"SIGTERM to exit with every collection call held 60 s: median {statistics.median(after):.2f} s "
          f"(runs {', '.join(f'{a:.2f}' for a in after)}); calls arriving later than 0.5 s after the signal: {sum(late_calls)}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--member-mb", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--interrupts", type=int, default=5)
    args = parser.parse_args()
    bench_verify(args.member_mb, args.runs)
    bench_interrupt(args.interrupts)


if __name__ == "__main__":
    main()
