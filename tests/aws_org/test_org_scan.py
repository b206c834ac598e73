"""`trustscan scan|collect aws --org`: every member account through its role, per-account findings,
a denied role that is ERROR for its account only, OU selection, exit codes; shards that merge to the
unsharded scan; a role session that expires mid-scan. Over the shared moto organization (IAM
enforced: the caller and the member roles hold the policies `permissions aws --org` prints)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.demo.aws_org import MANAGEMENT_ACCOUNT, ROLE_NAME, Organization
from scanner.demo.latency_proxy import latency_proxy
from scanner.engine.pool import ScanCancelled, WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.providers import aws as aws_provider
from scanner.registry import load_checks, select_checks
from tests.aws_org.conftest import DENIED, NO_REGIONS, ORG_CHECKS, REGIONS
from tests.aws_org.test_cli_org import run_main
from tests.slow_proxy import slow_proxy

ROOT = Path(__file__).resolve().parents[2]
SCAN = ["--role-name", ROLE_NAME, "--regions", ",".join(REGIONS), "--checks", ",".join(ORG_CHECKS), "-q"]


@pytest.fixture(scope="module")
def caller_env(aws_org: Organization) -> Iterator[dict[str, str]]:
    """The management account's trustscan user, as the standard credential chain finds it."""
    env = {
        "AWS_ACCESS_KEY_ID": aws_org.caller["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": aws_org.caller["aws_secret_access_key"],
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        yield {**os.environ}


def scan(capsys, aws_org: Organization, out: Path, *options: str) -> tuple[int, dict, str]:
    code, _, err = run_main(
        capsys, "scan", "aws", "--endpoint-url", aws_org.endpoint_url, *SCAN, "--format", f"json={out}", *options
    )
    return code, (json.loads(out.read_text()) if out.exists() else {}), err


@pytest.fixture(scope="module")
def org_report(aws_org: Organization, caller_env, tmp_path_factory) -> dict:
    """One scan of the whole organization, with its snapshot, shared by the assertions below."""
    import signal

    from scanner.cli.main import main

    out = tmp_path_factory.mktemp("org")
    previous = signal.getsignal(signal.SIGTERM)  # scan turns SIGTERM into an interrupt: restore it
    try:
        main(
            [
                "scan",
                "aws",
                "--org",
                "--endpoint-url",
                aws_org.endpoint_url,
                *SCAN,
                "--format",
                f"json={out / 'report.json'}",
                "--snapshot",
                str(out / "snapshot.json"),
            ]
        )
    except SystemExit as done:
        code = done.code
    finally:
        signal.signal(signal.SIGTERM, previous)
    report = json.loads((out / "report.json").read_text())
    report["_exit"] = code
    report["_snapshot"] = str(out / "snapshot.json")
    return report


def by_account(report: dict, check_id: str, aws_org: Organization) -> dict[str, set[tuple[str, str]]]:
    """{member name: {(resource name, status)}} for one check."""
    names = {account: name for name, account in aws_org.accounts.items()} | {MANAGEMENT_ACCOUNT: "master"}
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for finding in report["findings"]:
        if finding["check_id"] == check_id:
            found[names[finding["account"]]].add((finding["resource_name"], finding["status"]))
    return dict(found)


def test_each_account_is_scanned_through_its_role_with_findings_of_its_own(org_report, aws_org):
    ids = aws_org.accounts
    assert org_report["_exit"] == 1  # FAIL findings
    assert org_report["metadata"]["organization"] == aws_org.id
    active = sorted([MANAGEMENT_ACCOUNT, *(ids[n] for n in ids if n != "retired")])
    assert [s["id"] for s in org_report["scopes"]] == active
    assert by_account(org_report, "aws.s3.bucket_versioning", aws_org) == {
        "master": {(f"data-{MANAGEMENT_ACCOUNT}", "PASS"), (f"logs-{MANAGEMENT_ACCOUNT}", "FAIL")},
        "prod-web": {(f"data-{ids['prod-web']}", "FAIL")},
        "payments-api": {(f"data-{ids['payments-api']}", "PASS")},
        "payments-db": {(f"data-{ids['payments-db']}", "FAIL"), (f"logs-{ids['payments-db']}", "FAIL")},
        "sandbox-alice": {(f"data-{ids['sandbox-alice']}", "PASS")},
        "sandbox-bob": {(f"account {ids['sandbox-bob']}", "ERROR")},
        "log-archive": {(f"data-{ids['log-archive']}", "PASS"), (f"logs-{ids['log-archive']}", "FAIL")},
    }
    policy = "account password policy"
    assert by_account(org_report, "aws.iam.password_policy_min_length", aws_org) == {
        "master": {(policy, "PASS")},
        "prod-web": {(policy, "FAIL")},
        "payments-api": {(policy, "PASS")},
        "payments-db": {(policy, "FAIL")},
        "sandbox-alice": {(policy, "PASS")},
        "sandbox-bob": {(f"account {ids['sandbox-bob']}", "ERROR")},
        "log-archive": {(policy, "PASS")},
    }
    volumes = by_account(org_report, "aws.ec2.volume_encrypted", aws_org)
    assert {status for _, status in volumes["payments-api"]} == {"PASS"} and len(volumes["payments-api"]) == 2  # one per region
    assert {status for _, status in volumes["sandbox-alice"]} == {"PASS", "FAIL"}  # variant 4: one more, unencrypted


def test_a_denied_role_is_error_for_that_account_only_and_names_account_and_role(org_report, aws_org):
    denied = aws_org.accounts[DENIED]
    role = f"arn:aws:iam::{denied}:role/{ROLE_NAME}"
    errors = [f for f in org_report["findings"] if f["status"] == "ERROR"]
    assert {f["account"] for f in errors} == {denied}
    assert {f["check_id"] for f in errors} == set(ORG_CHECKS)  # every check, nothing dropped
    assert all(f["message"].startswith(f"account {denied}: cannot assume role {role} (AccessDenied") for f in errors)
    scopes = {s["id"]: s for s in org_report["scopes"]}
    assert scopes[denied]["state"] == "failed" and set(scopes[denied]["counts"]) == {"ERROR"}
    assert {s["state"] for i, s in scopes.items() if i != denied} == {"scanned"}
    assert not [f for f in org_report["findings"] if f["account"] == denied and f["status"] == "PASS"]


def test_exit_3_when_a_role_fails_and_nothing_fails_at_the_threshold(aws_org, caller_env, capsys, tmp_path):
    code, report, err = scan(capsys, aws_org, tmp_path / "r.json", "--org", "--fail-on", "critical")
    assert code == 3, err
    assert report["summary"]["ERROR"] > 0 and report["summary"]["FAIL"] > 0


def test_ous_select_their_accounts_and_exclusions_apply(aws_org, caller_env, capsys, tmp_path):
    ids = aws_org.accounts
    code, report, err = scan(
        capsys, aws_org, tmp_path / "r.json", "--org", "--ous", aws_org.ous["Sandbox"], "--exclude-accounts", ids[DENIED]
    )
    assert code == 1, err
    assert [s["id"] for s in report["scopes"]] == [ids["sandbox-alice"]]
    assert {f["account"] for f in report["findings"]} == {ids["sandbox-alice"]}
    assert report["summary"].get("ERROR", 0) == 0


def test_accounts_without_org_scan_the_listed_accounts_through_the_role(aws_org, caller_env, capsys, tmp_path):
    ids = aws_org.accounts
    code, report, err = scan(capsys, aws_org, tmp_path / "r.json", "--accounts", f"{ids['payments-api']},{MANAGEMENT_ACCOUNT}")
    assert code == 1, err
    assert [s["id"] for s in report["scopes"]] == sorted([ids["payments-api"], MANAGEMENT_ACCOUNT])
    assert report["metadata"]["organization"] is None
    assert "organizations:ListAccounts" not in report["metadata"]["api_calls"]


def test_unknown_ou_is_one_line_and_exit_2_before_collecting(aws_org, caller_env, capsys, tmp_path):
    code, _, err = scan(capsys, aws_org, tmp_path / "r.json", "--org", "--ous", "ou-zzzz-zzzzzzzz")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"trustscan: error: --ous: ou-zzzz-zzzzzzzz is not an organizational unit of organization {aws_org.id}")
    assert not (tmp_path / "r.json").exists()


def test_the_snapshot_holds_one_inventory_per_account_and_evaluates_to_the_same_findings(org_report, aws_org, capsys):
    snapshot = json.loads(Path(org_report["_snapshot"]).read_text())
    assert [s["metadata"]["identity"]["account"] for s in snapshot["scopes"]] == [s["id"] for s in org_report["scopes"]]
    member = next(s for s in snapshot["scopes"] if s["metadata"]["identity"]["account"] == aws_org.accounts["prod-web"])
    assert member["metadata"]["identity"]["principal"].endswith(f":assumed-role/{ROLE_NAME}/trustscan")
    code, out, err = run_main(capsys, "evaluate", org_report["_snapshot"], "--format", "json")
    assert code == 1, err
    assert json.loads(out)["findings"] == org_report["findings"]


def test_collect_org_writes_every_account_and_exits_3_for_the_denied_one(aws_org, caller_env, capsys, tmp_path):
    code, _, err = run_main(
        capsys, "collect", "aws", "--org", "--endpoint-url", aws_org.endpoint_url, *SCAN, "--out", str(tmp_path / "s.json")
    )
    assert code == 3, err
    snapshot = json.loads((tmp_path / "s.json").read_text())
    assert len(snapshot["scopes"]) == 7


# -- shards --------------------------------------------------------------------------------------


def test_shards_merge_to_the_unsharded_scan(org_report, aws_org, caller_env, capsys, tmp_path):
    for count in (3,):  # K = 1..3 here; two shards run as separate processes below
        files = []
        for index in range(1, count + 1):
            out = tmp_path / f"s{index}of{count}.json"
            code, shard, err = scan(capsys, aws_org, out, "--org", "--shard", f"{index}/{count}")
            assert code in (1, 3), err
            assert shard["metadata"]["shard"]["index"] == index
            files.append(str(out))
        merged = tmp_path / f"merged{count}.json"
        code, _, err = run_main(capsys, "merge", "--out", str(merged), "-q", *files)
        assert code == 1, err
        result = json.loads(merged.read_text())
        assert result["findings"] == org_report["findings"]
        for key in ("summary", "criteria", "scopes", "collection_errors"):
            assert result[key] == org_report[key], key


def test_shards_as_separate_trustscan_processes(org_report, aws_org, caller_env, tmp_path):
    """What a Kubernetes Indexed Job or a CI matrix runs: the same command in two processes, the shard
    from TRUSTSCAN_SHARD, then one merge."""
    env = {**caller_env, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--org", "--endpoint-url", aws_org.endpoint_url, *SCAN]
    pods = [
        subprocess.Popen(
            [*command, "--format", f"json={tmp_path / f'shard-{k}.json'}"],
            env={**env, "TRUSTSCAN_SHARD": f"{k}/2"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    for pod in pods:
        _, err = pod.communicate(timeout=300)
        assert pod.returncode in (1, 3), err
    merge = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner.cli.main",
            "merge",
            "--out",
            str(tmp_path / "merged.json"),
            *(str(tmp_path / f"shard-{k}.json") for k in (1, 2)),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert merge.returncode == 1, merge.stderr
    assert json.loads((tmp_path / "merged.json").read_text())["findings"] == org_report["findings"]


# -- a role session that expires mid-scan --------------------------------------------------------


def _scan_account(aws_org: Organization, endpoint_url: str, account: str, **options) -> tuple[object, object]:
    checks = select_checks(load_checks(), provider="aws", ids=list(ORG_CHECKS))
    pool = WorkPool(2)
    try:
        run = aws_provider.open_collection(
            pool,
            endpoint_url=endpoint_url,
            session=aws_org.caller_session(),
            accounts=account,
            role_name=ROLE_NAME,
            regions=",".join(REGIONS),
            **options,
        )
        snapshot = collect(run, pool, ScanOptions(checks=checks))
        return snapshot, report_for(snapshot, ScanOptions(checks=checks), source="test")
    finally:
        pool.shutdown()


def test_a_role_session_that_expires_mid_scan_is_renewed(aws_org):
    """One-second role sessions, and a proxy that makes each response take 0.1 s: two workers need
    well over a second for the account's ~25 calls, so its session expires mid-scan at least once."""
    account = aws_org.accounts["log-archive"]
    _, expected = _scan_account(aws_org, aws_org.endpoint_url, account)
    with latency_proxy(aws_org.endpoint_url, delay_seconds=0.1) as proxy:
        snapshot, report = _scan_account(aws_org, proxy.url, account, session_seconds=1)
    assert snapshot.metadata.api_calls["sts:AssumeRole"] >= 2  # renewed while collecting
    assert [(f.check_id, f.resource_id, f.status, f.message) for f in report.findings] == [
        (f.check_id, f.resource_id, f.status, f.message) for f in expected.findings
    ]
    assert report.summary.get("ERROR", 0) == 0


def test_without_regions_each_account_is_scanned_in_its_own_enabled_regions(aws_org, caller_env, capsys, tmp_path):
    prod = aws_org.accounts["prod-web"]
    code, report, err = scan(
        capsys, aws_org, tmp_path / "r.json", "--accounts", prod, "--regions", "all", "--checks", "aws.logs.log_group_retention"
    )
    assert code in (0, 1), err
    ec2 = aws_org.caller_session().client("ec2", endpoint_url=aws_org.endpoint_url)
    session = aws_org.caller_session()
    # enabled: not an opt-in region left out; and of the caller's partition (moto lists every partition's)
    enabled = sorted(
        r["RegionName"]
        for r in ec2.describe_regions(AllRegions=True)["Regions"]
        if r.get("OptInStatus") != "not-opted-in" and session.get_partition_for_region(r["RegionName"]) == "aws"
    )
    (scope,) = report["scopes"]
    assert scope["id"] == prod and scope["regions"] == enabled and len(enabled) > 2
    assert report["summary"].get("ERROR", 0) == 0  # every region read through the role
    assert {f["region"] for f in report["findings"]} == set(REGIONS)  # the regions that hold log groups


def test_an_account_whose_regions_cannot_be_listed_is_error_for_that_account_only(aws_org, caller_env, capsys, tmp_path):
    """Without --regions each account lists its own; a role that may not (ec2:DescribeRegions
    denied) makes that account ERROR, naming account, role and the option that avoids it."""
    blind, prod = aws_org.accounts[NO_REGIONS], aws_org.accounts["prod-web"]
    code, report, err = scan(
        capsys,
        aws_org,
        tmp_path / "r.json",
        "--accounts",
        f"{blind},{prod}",
        "--regions",
        "all",
        "--checks",
        "aws.logs.log_group_retention,aws.iam.password_policy_min_length",
    )
    assert code == 1, err  # prod-web's password policy FAILs; the blind account does not stop the run
    errors = [f for f in report["findings"] if f["status"] == "ERROR"]
    assert {f["account"] for f in errors} == {blind}
    assert {f["check_id"] for f in errors} == {"aws.logs.log_group_retention", "aws.iam.password_policy_min_length"}
    role = f"arn:aws:iam::{blind}:role/{ROLE_NAME}"
    assert all(
        f["message"].startswith(f"account {blind} (role {role}): cannot list the enabled regions (access denied to ec2:DescribeRegions")
        and f["message"].endswith("pass --regions")
        for f in errors
    ), errors[0]["message"]
    scopes = {s["id"]: s for s in report["scopes"]}
    assert scopes[blind]["state"] == "failed" and scopes[prod]["state"] == "scanned"
    assert {f["status"] for f in report["findings"] if f["account"] == blind} == {"ERROR"}  # never PASS unread
    assert {f["status"] for f in report["findings"] if f["account"] == prod} == {"PASS", "FAIL"}


def test_exit_3_when_an_account_cannot_list_its_regions_and_nothing_fails(aws_org, caller_env, capsys, tmp_path):
    blind, alice = aws_org.accounts[NO_REGIONS], aws_org.accounts["sandbox-alice"]
    code, report, err = scan(
        capsys,
        aws_org,
        tmp_path / "r.json",
        "--accounts",
        f"{blind},{alice}",
        "--regions",
        "all",
        "--checks",
        "aws.iam.password_policy_min_length",
    )
    assert code == 3, err
    assert {(f["account"], f["status"]) for f in report["findings"]} == {(blind, "ERROR"), (alice, "PASS")}


def test_an_interrupted_scan_enters_no_more_accounts(aws_org):
    """Once the scan is cancelled, entering an account sends nothing (not even its AssumeRole)."""
    pool = WorkPool(2)
    try:
        with latency_proxy(aws_org.endpoint_url, delay_seconds=0) as proxy:
            run = aws_provider.open_collection(
                pool,
                endpoint_url=proxy.url,
                session=aws_org.caller_session(),
                accounts=aws_org.accounts["prod-web"],
                role_name=ROLE_NAME,
                regions=",".join(REGIONS),
            )
            (scope,) = run.discover()
            sent = proxy.requests
            pool.cancel()
            with pytest.raises(ScanCancelled):
                run.member(scope)
            assert proxy.requests == sent
    finally:
        pool.shutdown()


ENTERING = (b"Action=GetCallerIdentity", b"Action=DescribeRegions", b"Action=AssumeRole")


def _collection_call(target: str, body: bytes) -> bool:
    """Held by the slow proxy: every call but discovery and entering accounts."""
    return not (target.startswith("AWSOrganizations") or any(marker in body for marker in ENTERING))


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="POSIX signals")
def test_sigterm_stops_an_organization_scan_promptly_and_reports_every_account(aws_org, caller_env, tmp_path):
    """Accounts being collected while their calls hang: the signal ends the scan within seconds, no
    account is entered and no call started afterwards, and the report lists every account."""
    out = tmp_path / "r.json"
    with slow_proxy(aws_org.endpoint_url, 30.0, _collection_call) as (endpoint, proxy):
        process = subprocess.Popen(
            [sys.executable, "-m", "scanner.cli.main", "scan", "aws", "--org", "--endpoint-url", endpoint, *SCAN,
             "--max-workers", "4", "--format", f"json={out}"],
            env={**caller_env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while proxy.held() < 3:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the scan never reached its collection calls"
            time.sleep(0.05)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail("the scan went on after the signal")
        elapsed = time.monotonic() - signalled
        late = proxy.arrived_after(signalled + 0.5)
    assert elapsed < 5.0, f"exited {elapsed:.1f} s after the signal"  # generous: a shared CI machine
    assert not late, f"calls started after the signal: {late}"
    assert process.returncode == 3 and "Traceback" not in err, err
    report = json.loads(out.read_text())
    assert report["metadata"]["incomplete"] is True
    active = sorted([MANAGEMENT_ACCOUNT, *(i for n, i in aws_org.accounts.items() if n != "retired")])
    assert [s["id"] for s in report["scopes"]] == active
    assert "scanned" not in {s["state"] for s in report["scopes"]}  # nothing held was answered
    assert report["summary"]["PASS"] == 0 and report["summary"]["ERROR"] > 0


def test_the_external_id_reaches_sts_and_no_output(aws_org, caller_env, capsys, tmp_path):
    external_id = "acme-ext-7f3a9c"
    with latency_proxy(aws_org.endpoint_url, delay_seconds=0, record=True) as proxy:
        code, report, err = run_main(
            capsys,
            "scan",
            "aws",
            "--endpoint-url",
            proxy.url,
            *SCAN,
            "--accounts",
            aws_org.accounts["prod-web"],
            "--external-id",
            external_id,
            "--shard",
            "1/1",
            "--format",
            f"json={tmp_path / 'r.json'}",
            "--snapshot",
            str(tmp_path / "s.json"),
            "-v",
        )
    assert code == 1, err
    assume = [b.decode() for b in proxy.bodies if b.startswith(b"Action=AssumeRole")]
    assert len(assume) == 1 and f"ExternalId={external_id}" in assume[0] and "RoleSessionName=trustscan" in assume[0]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["metadata"]["plan"]["options"]["external_id"] is True  # shards must agree it is set, not on its value
    for text in ((tmp_path / "r.json").read_text(), (tmp_path / "s.json").read_text(), err):
        assert external_id not in text
