"""Clients and service models of an organization scan: counted, for M member accounts x R regions.

moto (a child process of its own) holds an organization of M members (the estate of
scanner/demo/aws_org.py, seeded in two regions; the other regions are scanned empty, which costs
the same clients and requests). One `scan aws --org` runs in this process under a client census
(scanner/demo/client_census.py), which counts the botocore clients created (per service and
region), the ServiceModel objects built and the service model files parsed, and how many loaders
read them. Printed beside them: what one client per account, service and region would have built.

    python bench/clients_bench.py                       # 50 members x 17 regions
    python bench/clients_bench.py --members 10 --regions 4 --json out.json

Counts do not depend on the machine; the wall and CPU figures do (moto shares the cores).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.demo.aws_org import ROLE_NAME, MemberSpec, moto_process, seed_organization
from scanner.demo.client_census import client_census

# The 17 regions enabled by default in the aws partition (no opt-in).
REGIONS = (
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
)  # fmt: skip
SEEDED_REGIONS = ("eu-west-1", "us-east-1")
# Regional and global collections the seeded estate fills (no credential report: moto makes its
# generation take a second per account, which would measure moto).
CHECKS = (
    "aws.ec2.volume_encrypted",
    "aws.iam.password_policy_min_length",
    "aws.kms.cmk_rotation_enabled",
    "aws.logs.log_group_retention",
    "aws.s3.bucket_versioning",
)


def scan(endpoint_url: str, regions: tuple[str, ...], out: Path) -> tuple[int, dict, float, float]:
    from scanner.cli.main import main

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(env)
    argv = ["scan", "aws", "--org", "--endpoint-url", endpoint_url, "--role-name", ROLE_NAME, "--regions", ",".join(regions),
            "--checks", ",".join(CHECKS), "-q", "--format", f"json={out}"]  # fmt: skip
    previous = signal.getsignal(signal.SIGTERM)  # scan turns SIGTERM into an interrupt
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    try:
        main(argv)
    except SystemExit as done:
        code = done.code
    finally:
        signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return int(code or 0), json.loads(out.read_text()), wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--regions", type=int, default=len(REGIONS), help=f"how many of the {len(REGIONS)} default regions")
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    regions = tuple(sorted(set(REGIONS[: args.regions]) | set(SEEDED_REGIONS)))
    members = [MemberSpec(f"member-{i:03d}", ("Production", "Sandbox")[i % 2], variant=i) for i in range(args.members)]
    with moto_process() as moto, tempfile.TemporaryDirectory() as tmp:
        seed_organization(moto, members, regions=SEEDED_REGIONS)
        with client_census() as census:
            code, report, wall, cpu = scan(moto, regions, Path(tmp) / "report.json")
    if code not in (0, 1):
        raise SystemExit(f"the scan exited {code}")
    accounts = len(report["metadata"].get("scopes") or []) or args.members + 1
    counts = census.as_dict()
    per_account = accounts * counts["distinct_service_regions"]
    row = {
        "accounts": accounts,
        "regions": len(regions),
        "checks": len(CHECKS),
        "api_calls": sum((report["metadata"].get("api_calls") or {}).values()),
        **counts,
        "clients_if_one_per_account": per_account,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"{row['accounts']} accounts x {row['regions']} regions, {row['checks']} checks, {row['api_calls']} API calls: "
        f"{row['clients_created']} clients created for {row['distinct_service_regions']} (service, region) pairs "
        f"(one per account would be {per_account}), {row['service_models_built']} ServiceModel objects, "
        f"{row['model_files_parsed']} model files parsed for {row['services']} services through {row['loaders']} loader(s); "
        f"wall {row['wall_s']} s, CPU {row['cpu_s']} s (scanner, moto apart), peak RSS {row['peak_rss_mib']} MiB (this process, seeding included)"
    )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
