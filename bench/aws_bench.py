"""AWS scan benchmark: wall time, API calls by operation and peak memory as the estate grows.

Seeds moto's server (in this process, on 127.0.0.1) with N copies of a mixed account (S3, IAM,
RDS, EC2/EBS, DynamoDB, KMS, CloudWatch Logs, CloudTrail, AWS Backup), then runs
`trustscan scan aws` against it as a child process, several times, and reports medians. Peak
memory is the child's own max RSS (the scanner alone, not moto).

    python bench/aws_bench.py                 # N = 1, 10, 50; 3 runs each
    python bench/aws_bench.py --sizes 1,5 --runs 5 --json out.json

Figures depend on the machine and on moto's speed: compare ratios, not absolute seconds.
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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scanner.demo.aws import NOT_EMULATED, demo_session, moto_server, reset  # noqa: E402
from scanner.registry import load_checks  # noqa: E402

# Every AWS check whose APIs moto serves (as `trustscan demo` runs them): moto's 404/500 for the
# others would measure botocore's retry back-off, not the scanner.
CHECKS = ",".join(c.id for c in load_checks().values() if c.provider == "aws" and not set(c.collection_keys) & NOT_EMULATED)

REGIONS = ("us-east-1", "eu-west-1")


def seed_copies(endpoint_url: str, copies: int) -> dict[str, int]:
    session = demo_session()

    def client(service: str, region: str = "us-east-1"):
        return session.client(service, region_name=region, endpoint_url=endpoint_url)

    iam, s3 = client("iam"), client("s3")
    counts: Counter[str] = Counter()
    for i in range(copies):
        for user in (f"dev-{i}", f"ops-{i}"):
            iam.create_user(UserName=user)
            iam.create_login_profile(UserName=user, Password="Bench-Passw0rd!")
            counts["iam users"] += 1
        for kind in ("logs", "data", "public"):
            name = f"bench-{kind}-{i}"
            s3.create_bucket(Bucket=name)
            counts["s3 buckets"] += 1
            if kind == "data":
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
                s3.put_bucket_encryption(
                    Bucket=name,
                    ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
                )
        for region in REGIONS:
            ec2 = client("ec2", region)
            for encrypted in (True, False):
                ec2.create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=encrypted)
                counts["ebs volumes"] += 1
            client("rds", region).create_db_instance(
                DBInstanceIdentifier=f"db-{i}",
                DBInstanceClass="db.t3.micro",
                Engine="postgres",
                AllocatedStorage=20,
                MasterUsername="app",
                MasterUserPassword="bench-password-1",
                StorageEncrypted=bool(i % 2),
                BackupRetentionPeriod=i % 10,
            )
            counts["rds instances"] += 1
            client("dynamodb", region).create_table(
                TableName=f"table-{i}",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            counts["dynamodb tables"] += 1
            key = client("kms", region).create_key(Description=f"bench {i}")["KeyMetadata"]["KeyId"]
            if i % 2:
                client("kms", region).enable_key_rotation(KeyId=key)
            counts["kms keys"] += 1
            logs = client("logs", region)
            logs.create_log_group(logGroupName=f"/bench/{i}")
            logs.put_retention_policy(logGroupName=f"/bench/{i}", retentionInDays=30 if i % 2 else 400)
            counts["log groups"] += 1
            client("backup", region).create_backup_plan(
                BackupPlan={"BackupPlanName": f"plan-{i}", "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}]}
            )
            counts["backup plans"] += 1
        if i < 5:  # AWS allows five trails per region
            client("cloudtrail").create_trail(Name=f"trail-{i}", S3BucketName=f"bench-logs-{i}", IsMultiRegionTrail=i == 0)
            counts["trails"] += 1
    return dict(counts)


# Runs the CLI and reports its own peak RSS from /proc/self/status (VmHWM). getrusage's maxrss
# survives exec, so a child forked from this moto-laden process would report our size instead.
RUNNER = """
import re, sys
from scanner.cli.main import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
with open("/proc/self/status") as status:
    sys.stderr.write("\\nvmhwm_kib=%s\\n" % re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1))
sys.exit(code)
"""


def scan_once(endpoint_url: str, workdir: str) -> dict:
    out = Path(workdir) / "report.json"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, "scan", "aws", "--endpoint-url", endpoint_url,
         "--regions", ",".join(REGIONS), "--checks", CHECKS, "-q", "--format", f"json={out}"],
        capture_output=True, text=True, env=env, cwd=ROOT,
    )
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1, 3):
        raise SystemExit(f"scan failed ({result.returncode}): {result.stderr.strip()}")
    report = json.loads(out.read_text())
    peak_kib = int(result.stderr.rsplit("vmhwm_kib=", 1)[1].split()[0])
    return {
        "wall_seconds": wall,
        "scan_seconds": report["metadata"]["elapsed_seconds"],
        "peak_rss_mib": peak_kib / 1024,
        "api_calls": report["metadata"]["api_calls"],
        "findings": len(report["findings"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    rows = []
    with moto_server() as endpoint_url, tempfile.TemporaryDirectory() as workdir:
        for size in (int(s) for s in args.sizes.split(",")):
            reset(endpoint_url)
            seeded = seed_copies(endpoint_url, size)
            runs = [scan_once(endpoint_url, workdir) for _ in range(args.runs)]
            calls = runs[0]["api_calls"]
            row = {
                "copies": size,
                "resources": seeded,
                "runs": args.runs,
                "median_wall_seconds": round(statistics.median(r["wall_seconds"] for r in runs), 2),
                "median_scan_seconds": round(statistics.median(r["scan_seconds"] for r in runs), 2),
                "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
                "api_calls_total": sum(calls.values()),
                "api_calls": calls,
                "findings": runs[0]["findings"],
            }
            rows.append(row)
            print(
                f"N={size:>3}  resources={sum(seeded.values()):>5}  findings={row['findings']:>5}  "
                f"api_calls={row['api_calls_total']:>5}  median wall={row['median_wall_seconds']:>6}s  "
                f"median scan={row['median_scan_seconds']:>6}s  peak RSS={row['peak_rss_mib']} MiB",
                flush=True,
            )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
