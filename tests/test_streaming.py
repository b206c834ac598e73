"""`trustscan evaluate` streaming its report: scope by scope from the snapshot file, findings straight
to the writers. The bytes must be those of the report built in memory (report_for, waivers, render),
for every streamed format; a bad scope half way is a one-line error that leaves no file behind.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path

import pytest

from scanner import formatters
from scanner.cli.main import main
from scanner.config import load_config
from scanner.demo.estate import Estate
from scanner.errors import ConfigurationError
from scanner.engine import stream
from scanner.engine.scan import ScanOptions, load_snapshot, report_for
from scanner.formatters import _stream
from scanner.registry import load_checks, select_checks
from scanner.snapshot import dump_snapshot, open_snapshot
from scanner.waivers import apply_waivers

SNAPSHOTS = Path(__file__).parent / "snapshots"
STREAMED = {"json": "json", "sarif": "sarif", "csv": "csv", "ocsf": "ocsf.jsonl", "junit": "xml"}
TIMES = re.compile(r'"(started_at|finished_at|startTimeUtc|endTimeUtc)": "[^"]*"|"elapsed_seconds": [0-9.]+')
WAIVERS = """\
waivers:
  - check: "*"
    resource: "*-c001*"
    justification: the first copies are accepted
    owner: security@example.com
    expires: 2099-01-01
  - check: "*.nothing"
    resource: "*"
    justification: stale on purpose
    owner: security@example.com
    expires: 2099-01-01
"""


def _masked(text: str) -> str:
    return TIMES.sub("<time>", text)


def _run(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def _spy_on(monkeypatch, module, name: str) -> list:
    """The calls made to one of our own functions (the spy wraps it, nothing else)."""
    calls = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


@pytest.fixture
def streamed_calls(monkeypatch):
    """How many reports went through the streaming path."""
    return _spy_on(monkeypatch, stream, "stream_report")


@pytest.fixture(params=["one process", "three processes"])
def processes(request, monkeypatch, tmp_path):
    """Evaluation in this process alone, or (any snapshot file, however small) dealt to two forked
    workers and this process, the workers' encoded parts parked in their files (however small) and
    spliced among the parent's: the bytes written must be the same."""
    dealt = []
    if request.param == "three processes":
        original = stream._stream_parallel

        def spy(*args, **kwargs):
            dealt.append(args)
            return original(*args, **kwargs)

        monkeypatch.setattr(stream, "PARALLEL_FROM_BYTES", 0)
        monkeypatch.setattr(stream, "PARK_FROM_BYTES", 1)
        monkeypatch.setattr(stream, "cores", lambda: 3)
        monkeypatch.setattr(stream, "_stream_parallel", spy)
        copied = _stream.write_parked

        def parked_spy(parked, out):
            dealt.append(parked)
            return copied(parked, out)

        monkeypatch.setattr(_stream, "write_parked", parked_spy)
        (tmp_path / "tmp").mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))  # where the parked parts go: checked empty after
    return request.param, dealt


def _estate(provider: str, path: Path) -> Path:
    template = json.loads((SNAPSHOTS / f"{provider}-demo.json").read_text())
    members = sum(1 for s in template["scopes"] if s["metadata"].get("scope_kind") != "organization")
    Estate(template, copies=3, scopes=2 * members).write(str(path))
    return path


def _in_memory(snapshot: Path, config: Path | None):
    inventory = load_snapshot(str(snapshot))
    checks = select_checks(load_checks(), provider=inventory.metadata.provider, ids=inventory.metadata.checks)
    report = report_for(inventory, ScanOptions(checks=checks), source="snapshot")
    if config is not None:
        loaded = load_config(str(config))
        report = apply_waivers(report, loaded.waivers, loaded.zone)
    return report


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp"])
@pytest.mark.parametrize("waived", [False, True])
def test_streamed_evaluate_writes_the_bytes_of_the_in_memory_report(provider, waived, tmp_path, streamed_calls, processes):
    """Without waivers, JUnit (whose writer takes findings, not encoded parts) is written by a run of
    its own, so that the other formats' parts are encoded (and parked) by the workers."""
    snapshot = _estate(provider, tmp_path / "snapshot.json")
    config = tmp_path / "trustscan.yaml"
    config.write_text(WAIVERS)
    args = ["evaluate", str(snapshot), "-q"] + (["--config", str(config)] if waived else [])
    runs: list[list[str]] = [list(args), list(args)]
    for name, extension in STREAMED.items():
        runs[name == "junit" and not waived] += ["--format", f"{name}={tmp_path / ('out.' + extension)}"]
    codes = {_run(*run) for run in runs if "--format" in run}
    assert len(streamed_calls) == (1 if waived else 2)
    report = _in_memory(snapshot, config if waived else None)
    assert codes == {1 if any(f.status.value == "FAIL" for f in report.findings) else 0}
    if waived:
        assert any(f.status.value == "WAIVED" for f in report.findings)
        assert {w.state for w in report.waivers} == {"active", "stale"}
    for name, extension in STREAMED.items():
        written = (tmp_path / f"out.{extension}").read_bytes().decode()
        assert _masked(written) == _masked(formatters.get(name)(report)), name
    assert not list(tmp_path.glob(".*.part"))
    dealt = [args for args in processes[1] if not isinstance(args, _stream.Parked)]
    assert len(dealt) == (0 if processes[0] == "one process" else len(streamed_calls))
    if dealt:  # without waivers the workers' parts were copied from their files; those files are gone
        assert any(isinstance(args, _stream.Parked) for args in processes[1]) == (not waived)
        assert not list((tmp_path / "tmp").glob("trustscan-parts-*"))


def test_compact_and_schema_1_snapshots_stream_the_same_report(tmp_path, streamed_calls, processes):
    indented = _estate("gcp", tmp_path / "indented.json")
    compact = tmp_path / "compact.json"
    compact.write_text(json.dumps(json.loads(indented.read_text())))
    for path in (indented, compact):
        assert _run("evaluate", str(path), "-q", "--format", f"json={path}.report") in (0, 1)
    assert _masked((tmp_path / "indented.json.report").read_text()) == _masked((tmp_path / "compact.json.report").read_text())
    assert list(open_snapshot(str(compact)).scopes()) == load_snapshot(str(indented)).scopes

    template = json.loads((SNAPSHOTS / "azure-demo.json").read_text())
    legacy = tmp_path / "legacy.json"
    legacy.write_text(dump_snapshot(Estate(template, copies=2, scopes=4).flat_inventory()))
    assert _run("evaluate", str(legacy), "-q", "--format", f"json={tmp_path / 'legacy.report'}") in (0, 1)
    report = _in_memory(legacy, None)
    assert _masked((tmp_path / "legacy.report").read_text()) == _masked(formatters.get("json")(report))
    assert len(streamed_calls) == 3


def test_a_bad_scope_half_way_is_one_line_and_writes_nothing(tmp_path, capsys, processes):
    snapshot = _estate("azure", tmp_path / "snapshot.json")
    text = snapshot.read_text()
    second = [m.start() for m in re.finditer(r'"scope_field": "account"', text)][2]
    snapshot.write_text(text[:second] + '"scope_field": "planet"' + text[second + len('"scope_field": "account"'):])
    out = tmp_path / "report.json"
    out.write_text("the previous report")
    code = _run("evaluate", str(snapshot), "-q", "--format", f"json={out}", "--format", f"sarif={tmp_path / 'r.sarif'}")
    error = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(error) == 1, error
    assert error[0].startswith(f"trustscan: error: {snapshot} is not a valid trustscan snapshot (scopes.2.metadata.scope_field")
    assert out.read_text() == "the previous report" and not (tmp_path / "r.sarif").exists()
    assert not list(tmp_path.glob(".*.part"))

    # Two bad scopes: the first in the file is named, whichever process came to it or to the other first.
    last = [m.start() for m in re.finditer(r'"scope_field": "account"', text)][-1]
    snapshot.write_text(text[:second] + '"scope_field": "planet"' + text[second + 24 : last] + '"scope_field": "moon"' + text[last + 24 :])
    assert _run("evaluate", str(snapshot), "-q", "--format", f"json={out}") == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "(scopes.2.metadata.scope_field" in error[0], error

    snapshot.write_text(text[: len(text) // 2])
    assert _run("evaluate", str(snapshot), "-q", "--format", f"json={out}") == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "is not valid JSON (truncated?)" in error[0], error
    assert out.read_text() == "the previous report"
    assert len([args for args in processes[1] if not isinstance(args, _stream.Parked)]) == (3 if processes[0] == "three processes" else 0)
    if processes[0] == "three processes":
        assert not list((tmp_path / "tmp").glob("trustscan-parts-*"))


def test_each_process_reads_only_the_scopes_it_evaluates(tmp_path, monkeypatch):
    """A file laid out as trustscan writes it is dealt to the workers by where each scope lies: a
    worker reads and validates its own scopes, and this process reads only its share (no scope's text
    passes through it to a worker); the report is that of one process."""
    from scanner import snapshot as snapshots

    path = _estate("aws", tmp_path / "snapshot.json")
    data = path.read_bytes()
    raw = list(open_snapshot(str(path)).raw_scopes())
    assert all(scope.text is None and scope.data is None for scope in raw)
    assert [json.loads(data[offset : offset + length]) for offset, length in (scope.span for scope in raw)] == json.loads(data)["scopes"]
    monkeypatch.setattr(snapshots, "_SPAN_CHUNK", 4096)  # scopes larger than the reader's buffer
    assert list(open_snapshot(str(path)).raw_scopes()) == raw
    monkeypatch.undo()
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'alone.json'}") in (0, 1)

    monkeypatch.setattr(stream, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(stream, "cores", lambda: 2)
    loads = _loads_by_process(monkeypatch, tmp_path / "loads", parent_pause=0.05)  # (the worker surely takes some)
    texts = _spy_on(monkeypatch, snapshots._SnapshotFile, "scope_items")
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'dealt.json'}") in (0, 1)
    by_process = loads()
    assert sorted(index for indexes in by_process.values() for index in indexes) == list(range(len(raw))), by_process
    assert len(by_process) == 2 and os.getpid() in by_process and not texts
    assert _masked((tmp_path / "dealt.json").read_text()) == _masked((tmp_path / "alone.json").read_text())


def test_a_process_slowed_down_takes_fewer_scopes(tmp_path, monkeypatch):
    """Scopes are not dealt in advance: a worker slowed down (by the machine's other work, or by heavier
    scopes) takes fewer, and this process the rest; the report is the same."""
    path = tmp_path / "snapshot.json"
    Estate(json.loads((SNAPSHOTS / "aws-demo.json").read_text()), copies=1, scopes=12).write(str(path))
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'alone.json'}") in (0, 1)
    monkeypatch.setattr(stream, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(stream, "cores", lambda: 2)
    loads = _loads_by_process(monkeypatch, tmp_path / "loads", worker_pause=0.5)
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'dealt.json'}") in (0, 1)
    by_process = loads()
    scopes = sum(map(len, by_process.values()))
    assert len(by_process[os.getpid()]) > scopes // 2 + 1, by_process
    assert _masked((tmp_path / "dealt.json").read_text()) == _masked((tmp_path / "alone.json").read_text())


def test_without_shared_semaphores_the_snapshot_is_evaluated_in_one_process(tmp_path, monkeypatch):
    """Where no semaphore can be shared between processes (no sem_open, no /dev/shm: some sandboxes),
    a large snapshot is evaluated in this process alone, not ended by the error; the report is the same."""
    import multiprocessing

    path = tmp_path / "snapshot.json"
    Estate(json.loads((SNAPSHOTS / "aws-demo.json").read_text()), copies=1, scopes=4).write(str(path))
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'alone.json'}") in (0, 1)
    monkeypatch.setattr(stream, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(stream, "cores", lambda: 2)

    def no_semaphores(self, *args, **kwargs):
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(multiprocessing.context.BaseContext, "Semaphore", no_semaphores)
    loads = _loads_by_process(monkeypatch, tmp_path / "loads")
    assert _run("evaluate", str(path), "-q", "--format", f"json={tmp_path / 'here.json'}") in (0, 1)
    assert list(loads()) == [os.getpid()]
    assert _masked((tmp_path / "here.json").read_text()) == _masked((tmp_path / "alone.json").read_text())


def _loads_by_process(monkeypatch, log, parent_pause: float = 0.0, worker_pause: float = 0.0):
    """Record which process loads (reads and validates) each scope, in `log` (the workers are forked:
    a file is what they share); each load paused as asked. Returns the reader: {pid: [scope index]}."""
    import time

    from scanner import snapshot as snapshots

    parent = os.getpid()
    original = snapshots.RawScope.load

    def load(scope):
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {scope.index}\n")
        time.sleep(parent_pause if os.getpid() == parent else worker_pause)
        return original(scope)

    monkeypatch.setattr(snapshots.RawScope, "load", load)

    def read() -> dict[int, list[int]]:
        by_process: dict[int, list[int]] = {}
        for line in log.read_text().splitlines():
            pid, index = map(int, line.split())
            by_process.setdefault(pid, []).append(index)
        return by_process

    return read


def test_a_worker_whose_parent_dies_ends(tmp_path):
    """A parent killed mid-run (SIGKILL: no clean-up) leaves no worker behind: with waivers the
    findings' values travel, so a worker soon fills its pipe, and it must then see that nobody reads
    it (it holds no reading end of its own) and end, not wait for ever."""
    import signal
    import subprocess
    import sys
    import time

    snapshot = _estate("aws", tmp_path / "snapshot.json")
    config = tmp_path / "trustscan.yaml"
    config.write_text(WAIVERS)
    probe = (
        "import multiprocessing, os, signal, sys\n"
        "from scanner.engine import stream\n"
        "stream.PARALLEL_FROM_BYTES = 0\n"
        "stream.cores = lambda: 2\n"
        "def killed(channel):\n"
        "    open(sys.argv[1], 'w').write(' '.join(str(p.pid) for p in multiprocessing.active_children()))\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "stream._receive = killed\n"
        "from scanner.cli.main import main\n"
        "main(sys.argv[2:])\n"
    )
    pids = tmp_path / "workers"
    with open(tmp_path / "stderr", "w") as stderr:  # (not a pipe: a worker left behind would hold it open)
        result = subprocess.run([sys.executable, "-c", probe, str(pids), "evaluate", str(snapshot), "-q", "--config", str(config),
                                 "--format", f"json={tmp_path / 'out.json'}"], stdout=subprocess.DEVNULL, stderr=stderr, timeout=120,
                                env={**os.environ, "TMPDIR": str(tmp_path)})  # the killed run's parked parts stay there
    assert result.returncode == -signal.SIGKILL, (tmp_path / "stderr").read_text()
    workers = [int(pid) for pid in pids.read_text().split()]
    assert workers

    def running(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended (nobody reaps it here)
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 60
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if running(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "a worker outlived its parent"


def test_small_snapshots_and_one_core_are_evaluated_in_one_process(tmp_path, monkeypatch):
    """Forking costs more than it saves below PARALLEL_FROM_BYTES, and is pointless on one core."""
    dealt = []
    monkeypatch.setattr(stream, "_stream_parallel", lambda *args: dealt.append(args))
    snapshot = _estate("aws", tmp_path / "snapshot.json")
    assert snapshot.stat().st_size < stream.PARALLEL_FROM_BYTES
    assert _run("evaluate", str(snapshot), "-q", "--format", f"json={tmp_path / 'out.json'}") in (0, 1)
    monkeypatch.setattr(stream, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(stream, "cores", lambda: 1)
    assert _run("evaluate", str(snapshot), "-q", "--format", f"json={tmp_path / 'out.json'}") in (0, 1)
    assert not dealt
    monkeypatch.setattr(stream, "cores", lambda: 2)
    _run("evaluate", str(snapshot), "-q", "--format", f"json={tmp_path / 'out.json'}")
    assert len(dealt) == 1


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_spool_splices_parked_bytes_where_they_were_written(tmp_path, monkeypatch, in_memory):
    """Parked bytes (a worker's file) come out of a spool in their place among its own, whether copied
    in the kernel (two regular files) or read and written (an output in memory), and read back in order."""
    if not in_memory:
        monkeypatch.setattr(_stream, "SPOOL_IN_MEMORY", 8)  # the spool's own bytes in a file too
    worker = tmp_path / "worker"
    worker.write_bytes(b"xxPARKED-ONExxPARKED-TWO")
    expected = b"own-1,PARKED-ONE,own-2 PARKED-TWO" + b"own-3" * 1000

    def filled() -> _stream.Spool:
        spool = _stream.spool()
        spool.write(b"own-1,")
        spool.write(_stream.Parked(str(worker), 2, 10))
        spool.write(b",own-2 ")
        spool.write(_stream.Parked(str(worker), 14, 10))
        spool.write(_stream.Parked(str(worker), 0, 0))
        for _ in range(1000):
            spool.write(b"own-3")
        return spool

    with open(tmp_path / "out", "wb", buffering=1024 * 1024) as out:
        out.write(b"head:")
        filled().copy_to(out)
        out.write(b":tail")
    assert (tmp_path / "out").read_bytes() == b"head:" + expected + b":tail"
    buffer = io.BytesIO()
    filled().copy_to(buffer)
    assert buffer.getvalue() == expected
    reader = filled().reader()
    assert reader.read(3) + reader.read(20) + reader.read(10**6) + reader.read(5) == expected


@pytest.mark.parametrize("chunk", [3, 7, 64, 1024 * 1024])
def test_findings_written_in_place_are_moved_up_for_the_part_before_them(tmp_path, monkeypatch, chunk):
    """An output file this process can read back takes the findings straight away, parked bytes copied
    in as they come (a file that holds them alone removed at once); at the end they are moved up in
    place, from the end backwards in chunks smaller and larger than the part put before them, and the
    document is that of a spool."""
    monkeypatch.setattr(_stream.InPlace, "MOVE_CHUNK", chunk)
    shared = tmp_path / "shared"
    shared.write_bytes(b"xxPARKED-ONExx")
    alone = tmp_path / "alone"
    alone.write_bytes(b"PARKED-TWO")
    own = [bytes([65 + i % 26]) * (i % 5) for i in range(300)]

    def fill(body) -> None:
        body.write(b"own-1,")
        body.write(_stream.Parked(str(shared), 2, 10))
        body.write(_stream.Parked(str(alone), 0, 10, alone=True))
        for data in own:
            body.write(data)

    descriptor, path = tempfile.mkstemp(dir=tmp_path)  # as the outputs are opened: read and write
    with os.fdopen(descriptor, "wb", buffering=1024 * 1024) as out:
        body = _stream.body_for(out)
        assert isinstance(body, _stream.InPlace)
        fill(body)
        assert not alone.exists() and shared.exists()
        body.enclose(out, b"the head, longer than some chunks: {", b"} and the tail")
    expected = b"the head, longer than some chunks: {own-1,PARKED-ONEPARKED-TWO" + b"".join(own) + b"} and the tail"
    assert Path(path).read_bytes() == expected

    alone.write_bytes(b"PARKED-TWO")
    buffer = io.BytesIO()
    spool = _stream.body_for(buffer)
    assert isinstance(spool, _stream.Spool)
    fill(spool)
    spool.enclose(buffer, b"the head, longer than some chunks: {", b"} and the tail")
    assert buffer.getvalue() == expected
    with open(tmp_path / "write-only", "wb") as out:  # (cannot be read back: a spool)
        assert isinstance(_stream.body_for(out), _stream.Spool)


def test_findings_out_of_report_order_stop_the_stream():
    from scanner.models.report import Finding

    def finding(account: str, check: str) -> Finding:
        return Finding.model_construct(account=account, check_id=check, resource_id="r", region="global")

    assert stream._check_order([finding("a", "x"), finding("a", "y"), finding("b", "x")], "a") == ("b", "x", "r", "global")
    with pytest.raises(stream.OutOfOrder):
        stream._check_order([finding("b", "x"), finding("a", "y")], "b")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full (a device whose writes fail) is Linux only")
def test_a_streamed_output_that_cannot_be_written_is_one_line_and_the_others_are_written(tmp_path, capsys, streamed_calls, processes):
    snapshot = _estate("aws", tmp_path / "snapshot.json")
    sarif = tmp_path / "r.sarif"
    code = _run("evaluate", str(snapshot), "-q", "--format", "json=/dev/full", "--format", f"sarif={sarif}")
    err = capsys.readouterr().err
    assert code == 2 and len(streamed_calls) == 1, err
    errors = [line for line in err.splitlines() if line.startswith("trustscan: error:")]
    assert len(errors) == 1 and "could not write json to /dev/full: No space left" in errors[0], err
    assert _masked(sarif.read_text()) == _masked(formatters.get("sarif")(_in_memory(snapshot, None)))
    assert not list(tmp_path.glob(".*.part")) and "Traceback" not in err


def test_streamed_errors_exit_3_unless_tolerated(tmp_path, capsys, streamed_calls):
    template = json.loads((SNAPSHOTS / "aws-demo.json").read_text())
    coverage = template["scopes"][0]["coverage"]
    denied = next(c for c in coverage if c["key"] == "aws.s3.buckets")
    denied.update(state="failed", error_code="AccessDenied", reason="s3:ListAllMyBuckets was denied")
    snapshot = tmp_path / "snapshot.json"
    Estate(template, copies=1, scopes=1).write(str(snapshot))
    report = tmp_path / "r.json"
    assert _run("evaluate", str(snapshot), "-q", "--fail-on", "never", "--format", f"json={report}") == 3
    assert json.loads(report.read_text())["summary"]["ERROR"] > 0
    capsys.readouterr()
    assert _run("evaluate", str(snapshot), "-q", "--fail-on", "never", "--no-fail-on-errors", "--format", f"json={report}") == 0
    assert "ERROR finding tolerated (--no-fail-on-errors)" in capsys.readouterr().err.replace("ERROR findings", "ERROR finding")
    assert len(streamed_calls) == 2


# -- merge ------------------------------------------------------------------------------------------


def _shard_reports(tmp_path: Path, shards: int, scopes: int) -> list[Path]:
    """Shard reports of one scan of an AWS estate (its accounts spread round robin over the shards)."""
    from scanner.engine.scan import resolved_parameters
    from scanner.formatters.json_format import JsonWriter
    from scanner.models.inventory import Inventory, Snapshot, SnapshotMetadata
    from scanner.snapshot import SnapshotSource

    template = json.loads((SNAPSHOTS / "aws-demo.json").read_text())
    checks = select_checks(load_checks(provider="aws"), provider="aws", ids=template["metadata"]["checks"])
    options = ScanOptions(checks=checks)
    paths = []
    for metadata, texts in Estate(template, copies=2, scopes=scopes).shard_texts(shards, resolved_parameters(options)):
        snapshot = Snapshot(metadata=SnapshotMetadata.model_validate(metadata), scopes=[Inventory.model_validate_json(t) for t in texts])
        path = tmp_path / f"shard-{metadata['shard']['index']}.json"
        with open(path, "wb") as handle:
            stream.stream_report(SnapshotSource.of(snapshot), options, [lambda report, h=handle: JsonWriter(h, report)], source_label="scan")
        paths.append(path)
    return paths


@pytest.fixture
def merges_streamed(monkeypatch):
    from scanner.engine import merge

    return _spy_on(monkeypatch, merge, "stream_merge")


def _merged_in_memory(paths: list[Path], config: Path | None):
    from scanner.engine.merge import load_shard, merge_reports, split

    report = merge_reports(split(load_shard(str(p)) for p in paths)[0])
    if config is not None:
        loaded = load_config(str(config))
        report = apply_waivers(report, loaded.waivers, loaded.zone)
    return report


@pytest.mark.parametrize("waived", [False, True])
def test_streamed_merge_writes_the_bytes_of_the_in_memory_merge(waived, tmp_path, merges_streamed):
    paths = _shard_reports(tmp_path, shards=3, scopes=7)
    config = tmp_path / "trustscan.yaml"
    config.write_text(WAIVERS)
    out = tmp_path / "merged.json"
    args = ["merge", "-q", "--out", str(out), *(["--config", str(config)] if waived else [])]
    for name, extension in STREAMED.items():
        if name != "json":
            args += ["--format", f"{name}={tmp_path / ('merged.' + extension)}"]
    code = _run(*args, *map(str, reversed(paths)))
    assert len(merges_streamed) == 1 and all(shard.streamed and not shard.document.findings for shard in merges_streamed[0][0])
    report = _merged_in_memory(paths, config if waived else None)
    assert code == (1 if any(f.status.value == "FAIL" for f in report.findings) else 0)
    assert len({f.account for f in report.findings}) == 7 and len(report.findings) > 1000
    assert [f.finding_id for f in report.findings] != [f["finding_id"] for p in paths for f in json.loads(p.read_text())["findings"]]  # interleaved, not concatenated
    if waived:
        assert {w.state for w in report.waivers} == {"active", "stale"}
    for name, extension in STREAMED.items():
        written = (tmp_path / f"merged.{extension}").read_bytes().decode()
        assert _masked(written) == _masked(formatters.get(name)(report)), name


def test_merge_reads_other_layouts_whole_and_shards_out_of_order_in_memory(tmp_path, merges_streamed, capsys):
    paths = _shard_reports(tmp_path, shards=2, scopes=4)
    expected = _masked(formatters.get("json")(_merged_in_memory(paths, None)))
    first = json.loads(paths[0].read_text())
    paths[0].write_text(json.dumps(first))  # compact: read whole
    assert _run("merge", "-q", "--out", str(tmp_path / "a.json"), *map(str, paths)) == 1
    assert _masked((tmp_path / "a.json").read_text()) == expected and len(merges_streamed) == 1
    assert [shard.streamed for shard in merges_streamed[0][0]] == [False, True]
    first["findings"].reverse()  # laid out as trustscan writes, but not in report order: merged in memory
    paths[0].write_text(json.dumps(first, indent=2, ensure_ascii=False))
    assert _run("merge", "-q", "--out", str(tmp_path / "b.json"), *map(str, paths)) == 1
    assert _masked((tmp_path / "b.json").read_text()) == expected and len(merges_streamed) == 2
    assert [shard.streamed for shard in merges_streamed[1][0]] == [True, True]
    assert not list(tmp_path.glob(".*.part"))


def test_a_broken_finding_in_a_streamed_shard_is_one_line_and_writes_nothing(tmp_path, capsys):
    paths = _shard_reports(tmp_path, shards=2, scopes=4)
    text = paths[1].read_text()
    at = text.index('"status": "', len(text) // 2)
    paths[1].write_text(text[:at] + '"status": "MAYBE' + text[at + len('"status": "') + 4:])
    out = tmp_path / "merged.json"
    assert _run("merge", "-q", "--out", str(out), *map(str, paths)) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"trustscan: error: {paths[1]} is not a valid trustscan report (findings."), error
    assert ".status: " in error[0] and not out.exists() and not list(tmp_path.glob(".*.part"))


def test_a_snapshot_file_is_read_scope_by_scope(tmp_path):
    """What `collect` writes is read one scope at a time: the first scope is evaluated before the rest
    of the file is read (a whole-file load would stop at the broken tail before any scope)."""
    snapshot = _estate("gcp", tmp_path / "snapshot.json")
    text = snapshot.read_text()
    second = text.index('\n  {', text.index('\n  {') + 1)
    snapshot.write_text(text[:second] + "\n  this is not JSON")
    source = open_snapshot(str(snapshot))
    scopes = source.scopes()
    assert next(scopes).scope_id == json.loads(text)["scopes"][0]["metadata"]["identity"]["account"]
    with pytest.raises(ConfigurationError, match="is not valid JSON"):
        next(scopes)


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_a_signal_mid_evaluation_leaves_nothing_behind(tmp_path, sig):
    """SIGTERM (a Kubernetes Job evicted, a CI step cancelled) or Ctrl-C while scopes are evaluated on
    every core: exit 130 with one line; the previous report is left as it was, and no partial output,
    parked part or worker process remains."""
    import signal
    import subprocess
    import sys
    import time

    snapshot = _estate("aws", tmp_path / "snapshot.json")
    started = tmp_path / "started"
    probe = (
        "import os, sys, time\n"
        "from scanner import snapshot\n"
        "from scanner.engine import stream\n"
        "stream.PARALLEL_FROM_BYTES = 0\n"
        "stream.cores = lambda: 2\n"
        "load, started = snapshot.RawScope.load, sys.argv.pop(1)\n"
        "def slow(scope):\n"
        "    open(started, 'a').write(f'{os.getpid()}\\n')\n"
        "    time.sleep(30)\n"
        "    return load(scope)\n"
        "snapshot.RawScope.load = slow\n"
        "from scanner.cli.main import run\n"
        "run()\n"
    )
    out = tmp_path / "report.json"
    out.write_text("the previous report")
    (tmp_path / "tmp").mkdir()
    process = subprocess.Popen([sys.executable, "-c", probe, str(started), "evaluate", str(snapshot), "-q", "--format", f"json={out}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    deadline = time.monotonic() + 60
    while len(started.read_text().split()) < 2 if started.exists() else True:  # both processes are in a scope
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    workers = {int(pid) for pid in started.read_text().split()} - {process.pid}
    os.kill(process.pid, getattr(signal, sig))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130 and err.strip() == "trustscan: interrupted", err
    assert out.read_text() == "the previous report"
    assert not list(tmp_path.glob(".*.part")) and not list((tmp_path / "tmp").iterdir())
    for pid in workers:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                assert stat.read().rsplit(")", 1)[1].split()[0] == "Z", "a worker outlived the interrupted run"
        except FileNotFoundError:
            pass


def test_a_worker_killed_mid_scope_ends_the_run_with_an_error(tmp_path):
    """A worker killed while it holds a turn (the OOM killer) never sends that scope: the run ends with
    an error at once, even while another worker is still running (it would wait for a turn for ever
    once the scopes after the lost one had used up the turns)."""
    import subprocess
    import sys

    path = tmp_path / "snapshot.json"
    Estate(json.loads((SNAPSHOTS / "aws-demo.json").read_text()), copies=1, scopes=40).write(str(path))
    probe = (
        "import os, signal, sys\n"
        "from scanner import snapshot\n"
        "from scanner.engine import stream\n"
        "stream.PARALLEL_FROM_BYTES = 0\n"
        "stream.cores = lambda: 3\n"
        "load, parent, marker = snapshot.RawScope.load, os.getpid(), sys.argv.pop(1)\n"
        "def dying(scope):\n"
        "    if os.getpid() != parent:\n"
        "        try:\n"
        "            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))  # the first worker to get here\n"
        "        except FileExistsError:\n"
        "            return load(scope)\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return load(scope)\n"
        "snapshot.RawScope.load = dying\n"
        "from scanner.cli.main import run\n"
        "run()\n"
    )
    out = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "killed"), "evaluate", str(path), "-q", "--format", f"json={out}"],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 4, result.stderr
    assert "a worker process ended before sending all its scopes' findings" in result.stderr
    assert not out.exists() and not list(tmp_path.glob("trustscan-parts-*"))


# -- SARIF's results in place, their rule indexes expected --------------------------------------------------


def _without_organization_scope(path: Path) -> Path:
    """The snapshot with its organization scope left out (its metadata still names the organization):
    its organization-level checks, expected, run nowhere and have no finding at all."""
    data = json.loads(path.read_text())
    data["scopes"] = [s for s in data["scopes"] if s["metadata"].get("scope_kind") != "organization"]
    path.write_text(json.dumps(data, indent=1))
    return path


def _without_organization_named(path: Path) -> Path:
    """The snapshot's metadata not naming its organization (its organization scope still there): its
    organization-level checks, not expected, have results."""
    data = json.loads(path.read_text())
    data["metadata"]["organization"] = None
    path.write_text(json.dumps(data, indent=1))
    return path


@pytest.mark.parametrize(("provider", "change", "expected_right"), [
    ("aws", None, True), ("azure", None, True), ("gcp", None, True),
    ("azure", _without_organization_scope, False), ("gcp", _without_organization_named, False),
])
def test_streamed_sarif_with_its_rule_indexes_expected_right_or_wrong_is_the_in_memory_report(
        provider, change, expected_right, tmp_path, monkeypatch, processes):
    """The checks expected (scanner.engine.stream.expected_checks) are those with findings for a whole
    snapshot, and the results go into the output with their indexes; where a check expected has no
    finding at all, or one not expected has results, the results are laid out again with the right
    indexes (their bytes in place or parked by workers): the bytes are the in-memory report's either way."""
    from scanner.formatters import sarif

    snapshot = _estate(provider, tmp_path / "snapshot.json")
    if change is not None:
        change(snapshot)
    relaid = _spy_on(monkeypatch, sarif, "write_replaced")
    expected = _spy_on(monkeypatch, stream, "expected_checks")
    out = tmp_path / "out.sarif"
    assert _run("evaluate", str(snapshot), "-q", "--format", f"sarif={out}", "--format", f"json={tmp_path / 'out.json'}") in (0, 1)
    assert len(relaid) == (0 if expected_right else 1)
    report = _in_memory(snapshot, None)
    assert _masked(out.read_text()) == _masked(formatters.get("sarif")(report))
    with_results = {f.check_id for f in report.findings if sarif.is_result(f)}
    assert len(with_results) > 1
    assert (sorted(stream.expected_checks(*expected[0])) == sorted({f.check_id for f in report.findings})) == expected_right


@pytest.mark.parametrize("output", ["file", "in memory", "pipe"])
@pytest.mark.parametrize("expectation", ["right", "a check with results left out", "one more, first", "a check without results left out", "none"])
def test_sarif_results_written_with_any_expectation_are_the_rendered_bytes(expectation, output, tmp_path, monkeypatch):
    """Whatever checks a SarifWriter is told to expect, and wherever it writes (a file it can read back:
    in place; in memory or a pipe: a spool), its document is `render`'s; results come as encoded parts
    (one of them parked, as a worker's) and one at a time. It lays the results out again only when an
    index written is wrong."""
    import threading

    from scanner.formatters import sarif

    report = _in_memory(_estate("gcp", tmp_path / "snapshot.json"), None)
    checks = sorted({f.check_id for f in report.findings})
    with_results = sorted({f.check_id for f in report.findings if sarif.is_result(f)})
    without = [c for c in checks if c not in with_results]
    told = {
        "right": checks,
        "a check with results left out": [c for c in checks if c != with_results[-2]],
        "one more, first": ["a.first", *checks],
        "a check without results left out": [c for c in checks if c != without[0]],
        "none": None,
    }[expectation]

    def indexes(ids: list[str]) -> dict[str, int]:
        return {c: i for i, c in enumerate(sorted(ids))}

    relaid = told is None or any(indexes(told).get(c) != indexes(checks)[c] for c in with_results)
    assert relaid == (expectation != "right")  # (gcp's check without results sorts before some with)
    findings = list(report.findings)
    worker = tmp_path / "worker-part"

    def write(out) -> None:
        writer = sarif.SarifWriter(out, report)
        if told is not None:
            writer.expect_checks(told)
        third = len(findings) // 3
        writer.add_encoded(writer.encode(findings[:third]), third)
        catalogue, locations, data, rule_of, indexes_at = writer.encode(findings[third : 2 * third])
        worker.write_bytes(b"x" + data)
        writer.add_encoded((catalogue, locations, _stream.Parked(str(worker), 1, len(data)), rule_of, indexes_at), third)
        for finding in findings[2 * third :]:
            writer.add(finding)
        writer.finish(report)

    calls = _spy_on(monkeypatch, sarif, "write_replaced")
    if output == "file":
        descriptor, path = tempfile.mkstemp(dir=tmp_path)  # as the outputs are opened: read and write
        with os.fdopen(descriptor, "wb", buffering=1024 * 1024) as out:
            write(out)
        written = Path(path).read_bytes()
    elif output == "in memory":
        buffer = io.BytesIO()
        write(buffer)
        written = buffer.getvalue()
    else:
        read, send = os.pipe()
        chunks: list[bytes] = []
        reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(read, 65536), b"")))
        reader.start()
        with open(send, "wb") as out:
            write(out)
        reader.join()
        os.close(read)
        written = b"".join(chunks)
    assert len(calls) == (1 if relaid else 0)  # (before render, which lays its results out again too)
    assert written.decode() == sarif.render(report)


def test_streamed_sarif_to_standard_output_is_the_in_memory_report(tmp_path, capfdbinary, processes):
    """Standard output cannot be written in place (nor read back): the results are spooled, their
    indexes expected all the same."""
    snapshot = _estate("azure", tmp_path / "snapshot.json")
    capfdbinary.readouterr()
    assert _run("evaluate", str(snapshot), "-q", "--format", "sarif") in (0, 1)
    written = capfdbinary.readouterr().out.decode()
    assert _masked(written) == _masked(formatters.get("sarif")(_in_memory(snapshot, None)))
