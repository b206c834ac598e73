"""Sharded scans (`--shard K/N`) and `trustscan merge`: the merge of N shards equals one unsharded scan.

Azure: a tenant of five subscriptions through the fake ARM / Graph server (paged lists), sharded in
process. GCP: the demo organization through the fake Google APIs, sharded through the CLI, once as
real `trustscan` processes started the way a Kubernetes Indexed Job or a CI matrix starts them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.engine.merge import ShardFile, check_shards, merge_reports
from scanner.engine.plan import build_plan, parse_shard, shard_scopes
from scanner.engine.pool import WorkPool
from scanner.engine.scan import ScanOptions, collect, report_for
from scanner.errors import ConfigurationError
from scanner.models.inventory import ScopeRef, Snapshot
from scanner.models.report import Report
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot, merge_snapshots
from tests.azure_fixtures import DEV, PROD, TENANT, azure, azure_server  # noqa: F401
from tests.checks.gcp.conftest import gcp, gcp_cloud, gcp_routes  # noqa: F401

EXTRA_SUBSCRIPTIONS = {
    "44444444-4444-4444-8444-444444444444": "Contoso Staging",
    "55555555-5555-4555-8555-555555555555": "Contoso Analytics",
    "66666666-6666-4666-8666-666666666666": "Contoso Shared Services",
}
ROOT = Path(__file__).resolve().parents[1]


# -- the plan and its partition ------------------------------------------------------------------


def test_parse_shard():
    assert parse_shard(None) is None and parse_shard("2/4") == (2, 4) and parse_shard(" 1 / 1 ") == (1, 1)
    for bad, message in [("0/4", "between 1 and 4"), ("5/4", "between 1 and 4"), ("1/0", "at least 1"), ("x", "is not K/N"),
                         ("2", "is not K/N"), ("-1/4", "is not K/N")]:
        with pytest.raises(ConfigurationError, match=message):
            parse_shard(bad)


def _plan(scopes: list[ScopeRef], count: int, **changes):
    fields = dict(provider="aws", organization="o-1", checks=["aws.s3.bucket_versioning"], parameters={}, scopes=scopes,
                  shard_count=count, options={"role_name": "Audit"})
    fields.update(changes)
    return build_plan(**fields)


def test_partition_is_even_deterministic_and_puts_the_organization_in_shard_one():
    members = [ScopeRef(provider="aws", kind="account", id=f"{i:012d}", regions=("us-east-1",)) for i in (7, 3, 11, 5, 2, 13, 17)]
    org = ScopeRef(provider="aws", kind="organization", id="o-1")
    plan = _plan([*members, org], 3)
    parts = [shard_scopes(plan, k) for k in (1, 2, 3)]
    assert parts[0][0] == org and all(org not in part for part in parts[1:])
    assert sorted(s.id for part in parts for s in part) == sorted(s.id for s in [*members, org])  # each scope exactly once
    assert [len(p) for p in parts] == [3, 3, 2]  # 8 scopes over 3 shards, as even as it gets
    assert plan == _plan(list(reversed([*members, org])), 3)  # discovery order does not matter
    assert [s.id for s in parts[1]] == ["000000000002", "000000000007", "000000000017"]  # positions 1, 4, 7


def test_plan_digest_covers_every_field():
    scopes = [ScopeRef(provider="aws", kind="account", id="111111111111", regions=("us-east-1",))]
    base = _plan(scopes, 2)
    variants = [
        _plan(scopes, 3),
        _plan(scopes, 2, checks=["aws.s3.bucket_versioning", "aws.s3.bucket_default_encryption"]),
        _plan(scopes, 2, parameters={"aws.x.y": {"min_days": 90}}),
        _plan(scopes, 2, organization="o-2"),
        _plan(scopes, 2, options={"role_name": "Other"}),
        _plan([ScopeRef(provider="aws", kind="account", id="111111111111", regions=("us-east-1", "eu-west-1"))], 2),
    ]
    assert len({base.digest, *(v.digest for v in variants)}) == len(variants) + 1


# -- Azure: five subscriptions, sharded in process -----------------------------------------------


def _azure_run(azure, checks, shard=None, at=None):
    """A scan of the fake tenant; with `at`, judged as if collected at that instant (see _collected_at)."""
    from scanner.providers import azure as provider

    pool = WorkPool(8)
    try:
        collection = provider.open_collection(pool, endpoint_url=azure.cloud.url, credential=azure.credential,
                                              connection_verify=azure.cloud.ca_path, retry_total=0, retry_backoff_factor=0.0)
        options = ScanOptions(checks=checks)
        snapshot = collect(collection, pool, options, shard=shard)
        if at is not None:
            snapshot = _collected_at(snapshot, at)
        return snapshot, report_for(snapshot, options, source="test")
    finally:
        pool.shutdown()


def _collected_at(snapshot: Snapshot, instant: datetime) -> Snapshot:
    """The snapshot as if collected at `instant`. Age checks count whole hours from a scope's
    collected_at to fixed fixture times (the dev vault's recovery points), so two scans seconds apart
    that straddle one of those hour marks differ in a message."""
    scopes = [scope.model_copy(update={"metadata": scope.metadata.model_copy(update={"collected_at": instant})})
              for scope in snapshot.scopes]
    return snapshot.model_copy(update={"scopes": scopes, "metadata": snapshot.metadata.model_copy(update={"collected_at": instant})})


def _comparable(report: Report) -> dict:
    """A report without what differs between runs: times, elapsed seconds, call counts, the plan."""
    data = json.loads(report.model_dump_json())
    for key in ("collected_at", "started_at", "finished_at", "elapsed_seconds", "api_calls", "plan", "shard"):
        data["metadata"].pop(key)
    return data


def test_azure_sharded_scans_merge_to_the_unsharded_scan(azure):
    for subscription, name in EXTRA_SUBSCRIPTIONS.items():
        azure.add_subscription(subscription, name)
    checks = select_checks(load_checks(), provider="azure")
    judged_at = datetime.now(timezone.utc)  # every run judged at one instant (see _collected_at)
    full_snapshot, full = _azure_run(azure, checks, at=judged_at)
    subscriptions = sorted([PROD, DEV, *EXTRA_SUBSCRIPTIONS])
    assert [s.id for s in full.scopes] == sorted([TENANT, *subscriptions]) and full.metadata.scopes == subscriptions
    assert {s.id: s.name for s in full.scopes}["55555555-5555-4555-8555-555555555555"] == "Contoso Analytics"
    assert azure.calls("/subscriptions", "GET") >= 3  # the list of six is paged, two a page
    for count in (2, 3):
        shards, snapshots = [], []
        for index in range(1, count + 1):
            snapshot, report = _azure_run(azure, checks, (index, count), at=judged_at)
            assert report.metadata.shard.index == index and report.metadata.plan.shard_count == count
            assert (TENANT in report.metadata.shard.scopes) == (index == 1)  # the tenant is read by shard 1 only
            shards.append(load_shard_from(report))
            snapshots.append(Snapshot.model_validate_json(dump_snapshot(snapshot)))
        merged = merge_reports(check_shards(shards, "report"))
        assert [f.model_dump() for f in merged.findings] == [f.model_dump() for f in full.findings]
        assert _comparable(merged) == _comparable(full)
        merged_snapshot = merge_snapshots(snapshots)
        assert [s.scope_id for s in merged_snapshot.scopes] == [s.scope_id for s in full_snapshot.scopes]
        again = report_for(merged_snapshot, ScanOptions(checks=checks), source="test")
        assert [f.model_dump() for f in again.findings] == [f.model_dump() for f in full.findings]


def load_shard_from(report: Report) -> ShardFile:
    """A shard report as `merge` reads it: through its JSON."""
    return ShardFile(f"shard-{report.metadata.shard.index}.json", "report", Report.model_validate_json(report.model_dump_json()))


# -- GCP through the CLI --------------------------------------------------------------------------


def _main(capsys, *args: str) -> tuple[int, str, str]:
    import signal

    from scanner.cli.main import main

    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit) as done:
            main(list(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def _gcp_scan(capsys, gcp, tmp_path, name, *extra):
    code, _, err = _main(capsys, "scan", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "-q",
                         "--format", f"json={tmp_path / f'{name}.json'}", "--snapshot", str(tmp_path / f"{name}.snapshot.json"), *extra)
    assert code in (0, 1, 3), err
    return json.loads((tmp_path / f"{name}.json").read_text())


def test_gcp_sharded_scans_merge_to_the_unsharded_scan(gcp, tmp_path, capsys):
    full = _gcp_scan(capsys, gcp, tmp_path, "full")
    for count in (2, 3):
        files = []
        for index in range(1, count + 1):
            shard = _gcp_scan(capsys, gcp, tmp_path, f"s{index}of{count}", "--shard", f"{index}/{count}")
            files += [str(tmp_path / f"s{index}of{count}.json"), str(tmp_path / f"s{index}of{count}.snapshot.json")]
            deferred = shard["deferred"]
            # the two logging checks read the organization's facts and the projects': the shard without
            # the organization defers them and carries its projects' facts; shard 1 carries the organization's
            assert deferred["checks"] == ["gcp.logging.data_access_audit_logs", "gcp.logging.sink_exports_all"]
            kinds = {s["metadata"]["scope_kind"] for s in deferred["scopes"]}
            assert kinds == ({"organization"} if index == 1 else {"project"})
            if index > 1:
                assert not {f["check_id"] for f in shard["findings"]} & set(deferred["checks"])
        merged_path, snapshot_path = tmp_path / f"merged{count}.json", tmp_path / f"merged{count}.snapshot.json"
        code, _, err = _main(capsys, "merge", "--out", str(merged_path), "--snapshot-out", str(snapshot_path), "-q", *reversed(files))
        assert code == 1, err  # FAIL findings: the exit status follows --fail-on as for a scan
        merged = json.loads(merged_path.read_text())
        assert merged["findings"] == full["findings"]
        for key in ("summary", "criteria", "scopes", "collection_errors"):
            assert merged[key] == full[key], key
        assert merged["metadata"]["shard"] is None and merged["metadata"]["plan"]["shard_count"] == count
        code, out, err = _main(capsys, "evaluate", str(snapshot_path), "--format", "json")
        assert code == 1, err
        assert json.loads(out)["findings"] == full["findings"]


def test_shards_as_separate_processes_like_an_indexed_job(gcp, tmp_path, capsys):
    """The command lines a Kubernetes Indexed Job (or a CI matrix) runs: the same command in N pods,
    the shard from the environment, then one merge."""
    full = _gcp_scan(capsys, gcp, tmp_path, "full", "--checks", "gcp.storage.bucket_versioning,gcp.logging.sink_exports_all")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "scanner.cli.main", "scan", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "-q",
               "--checks", "gcp.storage.bucket_versioning,gcp.logging.sink_exports_all"]
    pods = [
        subprocess.Popen([*command, "--format", f"json={tmp_path / f'shard-{k}.json'}"], env={**env, "TRUSTSCAN_SHARD": f"{k}/2"},
                         cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k in (1, 2)
    ]
    for pod in pods:
        _, err = pod.communicate(timeout=180)
        assert pod.returncode == 1, err
    merge = subprocess.run([sys.executable, "-m", "scanner.cli.main", "merge", "--out", str(tmp_path / "merged.json"),
                            "--format", f"sarif={tmp_path / 'merged.sarif'}", str(tmp_path / "shard-1.json"), str(tmp_path / "shard-2.json")],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert merge.returncode == 1, merge.stderr
    assert json.loads((tmp_path / "merged.json").read_text())["findings"] == full["findings"]
    sarif = json.loads((tmp_path / "merged.sarif").read_text())
    assert len(sarif["runs"]) == 1  # one run for the whole organization


# -- merge refuses what it cannot join ------------------------------------------------------------


def test_merge_and_shard_usage_errors(gcp, tmp_path, capsys):
    checks = ("--checks", "gcp.storage.bucket_versioning")
    for index in (1, 2):
        _gcp_scan(capsys, gcp, tmp_path, f"a{index}", *checks, "--shard", f"{index}/2")
    _gcp_scan(capsys, gcp, tmp_path, "b2", "--checks", "gcp.storage.bucket_versioning,gcp.sql.high_availability", "--shard", "2/2")
    _gcp_scan(capsys, gcp, tmp_path, "whole", *checks)
    a1, a2, b2 = (str(tmp_path / f"{n}.json") for n in ("a1", "a2", "b2"))
    truncated = tmp_path / "truncated.json"
    truncated.write_text(Path(a2).read_text()[:500])
    sarif = tmp_path / "r.sarif"
    sarif.write_text('{"version": "2.1.0", "runs": []}')
    out = str(tmp_path / "m.json")
    cases = [
        ([a1, b2], "are shards of different scans (their plans differ in checks"),
        ([a1], "missing shard report(s) 2 of 2"),
        ([a1, a2, a2], "shard 2/2 report given more than once"),
        ([a1, str(truncated)], "is not valid JSON (truncated?)"),
        ([a1, str(tmp_path / "whole.json")], "is not a shard report (it was made without --shard"),
        ([a1, str(sarif)], "is not a trustscan report or snapshot"),
        ([a1, str(tmp_path / "absent.json")], "shard file not found"),
        ([a1, a2, str(tmp_path / "a1.snapshot.json")], "missing shard snapshot(s) 2 of 2"),
        ([a1, a2, str(tmp_path / "a1.snapshot.json"), str(tmp_path / "a2.snapshot.json")], "pass --snapshot-out"),
    ]
    for files, message in cases:
        code, _, err = _main(capsys, "merge", "--out", out, *files)
        assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err, (files, err)
    for bad in ("0/4", "5/4"):
        code, _, err = _main(capsys, "scan", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "-q", "--shard", bad)
        assert code == 2 and "the shard number must be between 1 and 4" in err and err.count("\n") == 1, err
    code, _, err = _main(capsys, "collect", "gcp", "--organization", "104729", "--endpoint-url", gcp.url, "--out", out, "--shard", "two")
    assert code == 2 and "is not K/N" in err
    code, _, err = _main(capsys, "merge", "--out", out, a1, a2)
    assert code == 1 and Path(out).exists(), err  # and the good pair merges
