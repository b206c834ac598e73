"""Ctrl-C and SIGTERM stop a scan promptly: no API call is started after the first signal, what has not
started is cancelled, in-flight calls (and their retries) are not waited for, the outputs are written
and the process exits; a second signal exits at once, without a traceback.

A real `trustscan scan aws` process talks to moto through a loopback proxy that holds every collection
request for 30 s (identity and region checks pass at once), so without prompt cancellation the process
would live on for at least that long. The bound asserted is generous for a loaded CI machine."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.slow_proxy import slow_proxy

HOLD = 30.0
BOUND = 5.0  # seconds from the first signal to exit (the issue asks for 2; CI machines are shared)
FAST = (b"Action=GetCallerIdentity", b"Action=DescribeRegions")


def is_slow(target: str, body: bytes) -> bool:
    return not any(marker in body for marker in FAST)


def start_scan(endpoint: str, out: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--endpoint-url", endpoint,
         "--regions", "us-east-1,eu-west-1,us-west-2", "--checks",
         "aws.ec2.volume_encrypted,aws.rds.multi_az,aws.kms.cmk_rotation_enabled,aws.dynamodb.pitr_enabled,aws.sqs.queue_encrypted",
         "--max-workers", "4", "-q", "--format", f"json={out}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_held_requests(proxy, process, count: int = 3, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while proxy.held() < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the scan never reached its collection calls"
        time.sleep(0.05)


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_first_signal_stops_the_scan_writes_outputs_and_exits(aws, tmp_path, sig):
    out = tmp_path / "report.json"
    with slow_proxy(aws.endpoint_url, HOLD, is_slow) as (endpoint, proxy):
        process = start_scan(endpoint, str(out))
        wait_for_held_requests(proxy, process)
        signalled = time.monotonic()
        process.send_signal(sig)
        try:
            _, stderr = process.communicate(timeout=HOLD)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the scan went on after the signal")
        elapsed = time.monotonic() - signalled
        late = [what for what in proxy.arrived_after(signalled + 0.5)]
    assert elapsed < BOUND, f"exited {elapsed:.1f} s after the signal"
    assert not late, f"API calls started after the signal: {late}"
    assert "Traceback" not in stderr, stderr
    assert process.returncode == 3, stderr  # incomplete: nothing failed, collections were interrupted
    report = json.loads(out.read_text())
    assert report["metadata"]["incomplete"] is True
    assert any(e["state"] == "not_collected" for e in report["collection_errors"])


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
def test_a_second_signal_exits_at_once_and_quietly(aws, tmp_path):
    out = tmp_path / "report.json"
    with slow_proxy(aws.endpoint_url, HOLD, is_slow) as (endpoint, proxy):
        process = start_scan(endpoint, str(out))
        wait_for_held_requests(proxy, process)
        signalled = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=HOLD)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("a second signal did not stop the scan")
        elapsed = time.monotonic() - signalled
    assert elapsed < BOUND
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) <= 2, stderr
    assert process.returncode in (3, 130), stderr
