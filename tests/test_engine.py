"""The engine: coverage turns into ERROR/NOT_APPLICABLE, snapshots re-evaluate identically,
the pool cannot deadlock, the call cache makes each call once, interrupts keep what was gathered."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scanner.collect.aws._client import AwsApi, AwsScope, classify
from scanner.collect.registry import CollectorSpec, load_collectors
from scanner.demo.aws import seed_demo_account
from scanner.engine.collect import run_collection
from scanner.engine.evaluate import evaluate
from scanner.engine.pool import WorkPool
from scanner.engine.scan import frameworks, load_snapshot
from scanner.errors import ConfigurationError
from scanner.formatters.json_format import findings_json
from scanner.models.aws import AwsInventory
from scanner.models.aws.ec2 import FlowLog, Vpc
from scanner.models.common import Coverage, CoverageState, Status
from scanner.models.inventory import Identity, Inventory, InventoryMetadata
from scanner.registry import Result, load_checks
from scanner.snapshot import dump_snapshot
from tests.conftest import verdicts

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


def _inventory(aws_inventory: AwsInventory, coverage: list[Coverage]) -> Inventory:
    return Inventory(
        metadata=InventoryMetadata(
            tool_version="test",
            provider="aws",
            collected_at=NOW,
            identity=Identity(account="111122223333", partition="aws"),
            regions=["eu-west-1", "us-east-1"],
        ),
        coverage=coverage,
        aws=aws_inventory,
    )


def _vpc(region: str, vpc_id: str) -> Vpc:
    return Vpc(id=f"arn:aws:ec2:{region}:111122223333:vpc/{vpc_id}", name=vpc_id, region=region, account="111122223333", is_default=False, cidr_block="10.0.0.0/16")


def test_failed_region_yields_error_and_keeps_other_regions():
    """flow logs could not be read in eu-west-1: its VPCs must not read as "no flow log" (FAIL)."""
    inventory = _inventory(
        AwsInventory.model_validate(
            {
                "ec2": {
                    "vpcs": [_vpc("us-east-1", "vpc-a"), _vpc("us-east-1", "vpc-b"), _vpc("eu-west-1", "vpc-c")],
                    "flow_logs": [
                        FlowLog(id="fl-1", name="fl-1", region="us-east-1", account="111122223333", resource_id="vpc-a", status="ACTIVE", traffic_type="ALL")
                    ],
                }
            }
        ),
        [
            Coverage(key="aws.ec2.vpcs", scope="us-east-1", state=CoverageState.COLLECTED),
            Coverage(key="aws.ec2.vpcs", scope="eu-west-1", state=CoverageState.COLLECTED),
            Coverage(key="aws.ec2.flow_logs", scope="us-east-1", state=CoverageState.COLLECTED),
            Coverage(
                key="aws.ec2.flow_logs",
                scope="eu-west-1",
                state=CoverageState.FAILED,
                reason="region eu-west-1 is not enabled for this account or rejects these credentials (OptInRequired)",
                error_code="OptInRequired",
            ),
        ],
    )
    spec = load_checks()["aws.ec2.vpc_flow_logs"]
    findings = evaluate(inventory, [spec], frameworks())
    assert verdicts(findings, "aws.ec2.vpc_flow_logs") == {
        ("vpc-a", "PASS"),
        ("vpc-b", "FAIL"),
        ("account 111122223333 in eu-west-1", "ERROR"),
    }
    error = next(f for f in findings if f.status == Status.ERROR)
    assert "OptInRequired" in error.message and error.region == "eu-west-1"


def test_unsupported_region_is_not_applicable_and_never_pass():
    inventory = _inventory(
        AwsInventory(),
        [Coverage(key="aws.backup.plans", scope="ap-east-2", state=CoverageState.UNSUPPORTED, reason="backup is not available in ap-east-2")],
    )
    findings = evaluate(inventory, [load_checks()["aws.backup.plan_exists"]], frameworks())
    assert [(f.status, f.message) for f in findings] == [(Status.NOT_APPLICABLE, "backup is not available in ap-east-2")]


def test_key_missing_from_snapshot_is_error():
    findings = evaluate(_inventory(AwsInventory(), []), [load_checks()["aws.rds.multi_az"]], frameworks())
    assert [(f.status, f.message) for f in findings] == [(Status.ERROR, "aws.rds.db_instances was not collected")]


def test_checks_use_collected_at_as_now_and_a_broken_check_is_error():
    seen = []

    def clock(inv, ctx):
        seen.append(ctx.now)
        yield Result.passed(ctx.account, "ok")

    def broken(inv, ctx):
        raise KeyError("boom")
        yield  # pragma: no cover

    base = load_checks()["aws.rds.multi_az"]
    inventory = _inventory(AwsInventory(), [Coverage(key="aws.rds.db_instances", scope="us-east-1", state=CoverageState.COLLECTED)])
    findings = evaluate(inventory, [replace(base, id="aws.test.clock", func=clock), replace(base, id="aws.test.broken", func=broken)], frameworks())
    assert seen == [NOW]
    assert {(f.check_id, f.status) for f in findings} == {("aws.test.clock", Status.PASS), ("aws.test.broken", Status.ERROR)}


def test_snapshot_reevaluates_to_byte_identical_findings(aws, tmp_path):
    seed_demo_account(aws.session(), aws.endpoint_url)
    inventory, live = aws.collect([c for c in load_checks() if c.startswith("aws.")], regions=("eu-west-1", "us-east-1"))
    path = tmp_path / "snapshot.json"
    path.write_text(dump_snapshot(inventory))
    reloaded = load_snapshot(str(path))
    assert dump_snapshot(reloaded) == path.read_text()  # stable bytes
    offline = evaluate(reloaded, [load_checks()[c] for c in reloaded.metadata.checks], frameworks())
    assert "[" + ",".join(f.model_dump_json() for f in offline) + "]" == findings_json(live)
    assert {f.status for f in live.findings} >= {Status.PASS, Status.FAIL}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "is not a trustscan snapshot"),
        ('{"schema_version": "99", "metadata": {}}', "schema_version '99'"),
        ('{"schema_version": "1", "metadata": {"provider": "aws"}}', "is not a valid trustscan snapshot"),
    ],
)
def test_malformed_snapshots_are_configuration_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        load_snapshot(str(path))


def test_pool_map_nested_on_a_full_pool_does_not_deadlock():
    pool = WorkPool(2)
    try:
        outer = pool.executor.submit(lambda: pool.map(lambda i: sum(pool.map(lambda j: i * j, range(5))), range(6)))
        assert outer.result(timeout=10) == [i * 10 for i in range(6)]
    finally:
        pool.shutdown()


def test_call_cache_makes_each_call_once(aws):
    aws.client("s3").create_bucket(Bucket="once")
    pool = WorkPool(4)
    try:
        api = AwsApi(pool, endpoint_url=aws.endpoint_url, session=aws.session())
        results = pool.map(lambda _: api.call("s3", "us-east-1", "ListBuckets"), range(8))
        assert all(r["Buckets"][0]["Name"] == "once" for r in results)
        assert api.calls["s3:ListBuckets"] == 1
    finally:
        pool.shutdown()


class _Throttler(BaseHTTPRequestHandler):
    """An EC2-shaped endpoint that always throttles: botocore retries, then gives up."""

    requests = 0

    def do_POST(self):  # noqa: N802
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>'
            b"<Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>"
        )
        self.send_response(503)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_throttling_that_outlasts_retries_is_a_failed_collection():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pool = WorkPool(2)
    try:
        api = AwsApi(pool, endpoint_url=f"http://127.0.0.1:{server.server_address[1]}", retry_mode="standard", max_attempts=3)
        scope = AwsScope(api=api, region="us-east-1", account="111122223333", partition="aws")
        with pytest.raises(Exception) as raised:
            load_collectors("aws")["aws.ec2.volumes"].func(scope)
        failure = classify(raised.value, "ec2", "us-east-1")
        assert failure.state == CoverageState.FAILED
        assert failure.reason == "throttled on ec2:DescribeVolumes in us-east-1 after retries (RequestLimitExceeded)"
        assert _Throttler.requests > 1  # the SDK retried before giving up
    finally:
        server.shutdown()
        pool.shutdown()


class _SlowProvider:
    """A provider of our own (no SDK): one fast collector and one that takes a while."""

    provider = "aws"
    identity = Identity(account="111122223333", partition="aws")
    regions = ["us-east-1"]
    scope_field = "region"
    scope_ids: list[str] = []

    def scopes(self, regional):
        return ["us-east-1"] if regional else ["global"]

    def unsupported_reason(self, service, scope):
        return None

    def context(self, scope):
        return scope

    def classify(self, exc, service, scope):
        return classify(exc, service, scope)

    def api_calls(self):
        return {}

    def new_inventory(self):
        return AwsInventory()


def test_interrupt_keeps_gathered_data_and_marks_incomplete():
    fast = CollectorSpec("aws.ec2.vpcs", True, (), lambda region: [_vpc(region, "vpc-fast")])
    slow = CollectorSpec("aws.ec2.flow_logs", True, (), lambda region: time.sleep(2) or [])

    def interrupt_after_first(key, scope, done, total):
        raise KeyboardInterrupt

    pool = WorkPool(2)
    inventory = run_collection(_SlowProvider(), [fast, slow], pool, ["aws.ec2.vpc_flow_logs"], interrupt_after_first)
    assert inventory.metadata.incomplete
    assert [v.name for v in inventory.aws.ec2.vpcs] == ["vpc-fast"]
    states = {c.key: c.state for c in inventory.coverage}
    assert states == {"aws.ec2.vpcs": CoverageState.COLLECTED, "aws.ec2.flow_logs": CoverageState.NOT_COLLECTED}
    findings = evaluate(inventory, [load_checks()["aws.ec2.vpc_flow_logs"]], frameworks())
    assert {f.status for f in findings} == {Status.ERROR}
    assert "interrupted" in findings[0].message
