"""Evaluation at estate scale: `trustscan evaluate` and `trustscan merge` on synthetic estates.

The estates are the demos' collected snapshots (tests/snapshots/{aws,azure,gcp}-demo.json: what
`trustscan demo --provider X --snapshot` collected from moto and the fake Azure/GCP servers),
replicated with distinct names and ids by scanner.demo.estate: the same shapes field for field,
copies inside each scope and scopes cloned, up to 10k, 100k or 1M resources per provider.

Each run is a fresh `trustscan` process (`python -m scanner.cli.main`), measured from outside:
wall time, CPU seconds (user + system, from wait4) and peak RSS (ru_maxrss). Scenarios:

- `json`: evaluate the snapshot and write the JSON report;
- `json+sarif`: the same, plus SARIF;
- `merge`: join 200 shard reports of one AWS scan (about 1M findings in all) into one JSON report.

The figures are medians over --runs runs; the load average is printed next to them, because other
processes on the machine take CPU time from a run's wall time but not from its CPU seconds. Before
each timed run the last run's reports are removed and the page cache's dirty pages written out
(`sync`), outside the timing: run back to back (--no-settle), each 100k run also paid for the kernel's
write-back of the ~250 MB report before it, on the same 2 cores. The
linearity figure is the CPU time per resource at the largest size over that at the smallest.

The speed of these shared machines drifts by up to ~1.6x over hours, for CPU seconds too, so the
bench prints a calibration figure before and after its runs: the median time of a pure-Python loop
(`for i in range(10_000_000): s += i` at module level, in a fresh interpreter). Figures from
different hours compare through it. It does not show a second cause: memory the guest has left free
for a few seconds goes back to the host, and touching it again costs up to ~30 times what reused
memory does, so the bench also prints how long writing 256 MB of fresh memory takes, and --pause S
idles S seconds before each run (a run after a pause, as in CI, pays for its report's fresh pages). To compare two versions, `--against TREE` alternates each run
between this checkout and another one (e.g. a `git worktree` of main), in the same minutes, and
prints both medians and their ratio. The runs use bytecode caches, as an installed trustscan does
(--no-bytecode-cache: every run compiles the modules it imports, ~0.15 s more).

    .venv/bin/python bench/eval_bench.py                          # 10k and 100k, every provider, 3 runs
    .venv/bin/python bench/eval_bench.py --sizes 10k,100k,1M --runs 3
    .venv/bin/python bench/eval_bench.py --sizes 1M --providers aws --scenarios json
    .venv/bin/python bench/eval_bench.py --merge-only --shards 200 --merge-findings 1M
    .venv/bin/python bench/eval_bench.py --sizes 100k --providers aws --scenarios json --runs 5 --against /tmp/main-tree
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEMPLATES = ROOT / "tests" / "snapshots"
SCENARIOS = {"json": ["json"], "json+sarif": ["json", "sarif"]}


def size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def template(provider: str) -> dict:
    return json.loads((TEMPLATES / f"{provider}-demo.json").read_text())


def estate_snapshot(workdir: Path, provider: str, resources: int) -> tuple[Path, int]:
    """The estate's snapshot file (written once per template and size) and its resource count."""
    from scanner.demo.estate import Estate

    text = (TEMPLATES / f"{provider}-demo.json").read_bytes()
    digest = hashlib.sha256(text).hexdigest()[:10]
    estate = Estate(json.loads(text), resources=resources)
    path = workdir / f"{provider}-{label(resources)}-{digest}.json"
    if not path.exists():
        started = time.perf_counter()
        estate.write(str(path) + ".part")
        os.replace(str(path) + ".part", path)
        print(f"  wrote {path.name}: {estate.resources:,} resources, {len(estate.members)} scopes, "
              f"{path.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - started:.0f} s", flush=True)
    return path, estate.resources


CALIBRATION = "s = 0\nfor i in range(10_000_000):\n    s += i\n"


def calibration(runs: int = 3) -> float:
    """The median seconds of a pure-Python loop in a fresh interpreter: how fast this machine is right now."""
    return statistics.median(run([sys.executable, "-c", CALIBRATION])["wall"] for _ in range(runs))


# 256 MB of memory this process has not had before, written once (malloc + memset), timed inside it.
FRESH_MEMORY = "import time\nt = time.perf_counter()\nb = b'\\1' * (256 << 20)\nprint(time.perf_counter() - t)\n"


def fresh_memory(runs: int = 3) -> float:
    """The median seconds to write 256 MB of memory new to a process. On these virtual machines, memory
    the guest has left free for a few seconds goes back to the host, and touching it again costs up to
    ~30 times what reused memory does (0.05 s to 1.7 s per 256 MB): a run that writes a 250 MB report
    pays for it, which the pure-Python calibration does not show."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", FRESH_MEMORY], capture_output=True, text=True, check=True)
        times.append(float(out.stdout))
    return statistics.median(times)


# The environment the runs get: with bytecode caches, as an installed trustscan has them (pip compiles
# them at install), unless --no-bytecode-cache (then every run compiles ~150 modules: ~0.15 s more).
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], cwd: Path = ROOT) -> dict[str, float]:
    """One process: wall seconds, CPU seconds (user + system) and peak RSS in MB (of the largest of the
    process and its children: the forked evaluation workers)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd, env=CHILD_ENV)
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 3):
        raise SystemExit(f"{' '.join(command)} exited {code}: {err.decode(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def findings_in(report: Path) -> int:
    """The JSON report's finding count, from its summary (its findings are not read)."""
    from scanner.engine.shard_reports import read_head

    return sum(read_head(str(report))["summary"].values())


def trustscan(*args: str) -> list[str]:
    return [sys.executable, "-m", "scanner.cli.main", *args]


def medians(samples: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


SETTLE = True  # --no-settle: runs back to back, each one paying for the write-back of the one before


PAUSE = 0.0  # --pause: seconds idle before each timed run


def settled(workdir: Path) -> None:
    """Before a timed run: the last run's reports removed and every dirty page written to disk (outside
    the timing). A 100k run writes ~250 MB; back to back, the kernel's write-back of one run's report
    (and the freeing of the report it replaced) took CPU from the next on these 2 cores. Then --pause
    seconds idle: the memory the last run freed is handed back to the host, as before a run in CI."""
    if SETTLE:
        remove_outputs(workdir)
        os.sync()
    if PAUSE:
        time.sleep(PAUSE)


def timed(command: list[str], workdir: Path, cwd: Path = ROOT) -> dict[str, float]:
    settled(workdir)
    return run(command, cwd=cwd) | {"load": os.getloadavg()[0]}


def evaluate_runs(workdir: Path, snapshot: Path, scenario: str, runs: int) -> tuple[dict[str, float], int]:
    """Medians of `runs` evaluations of `snapshot` writing the scenario's formats, and the findings."""
    samples = [timed(evaluate_command(workdir, snapshot, scenario), workdir) for _ in range(runs)]
    return medians(samples), findings_in(workdir / "out.json")


def evaluate_command(workdir: Path, snapshot: Path, scenario: str) -> list[str]:
    outputs = []
    for name in SCENARIOS[scenario]:
        outputs += ["--format", f"{name}={workdir / f'out.{name}'}"]
    return trustscan("evaluate", str(snapshot), "-q", "--fail-on", "never", *outputs)


def compare_runs(workdir: Path, snapshot: Path, scenario: str, runs: int, other: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of `runs` evaluations in this checkout and in `other`, alternating (this one first, then
    the other one first, ...), so that both see the same moments of a machine whose speed drifts.
    `other` is run from its own directory, so `python -m scanner.cli.main` imports its code."""
    command = evaluate_command(workdir, snapshot, scenario)
    mine: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    for i in range(runs):
        order = [(mine, ROOT), (theirs, other)]
        for samples, tree in order if i % 2 == 0 else order[::-1]:
            samples.append(timed(command, workdir, cwd=tree))
    return medians(mine), medians(theirs)


def bench_compare(workdir: Path, providers: list[str], sizes: list[int], scenarios: list[str], runs: int, other: Path) -> list[dict]:
    """Each estate evaluated alternately by this checkout and `other`: medians and their ratios."""
    rows = []
    for provider in providers:
        for resources in sizes:
            snapshot, actual = estate_snapshot(workdir, provider, resources)
            for scenario in scenarios:
                mine, theirs = compare_runs(workdir, snapshot, scenario, runs, other)
                rows.append({"provider": provider, "size": label(resources), "resources": actual, "scenario": scenario, "runs": runs,
                             "this": mine, "other": theirs})
                print(f"{provider:5} {label(resources):>5} {scenario:10} this: wall {mine['wall']:7.2f} s cpu {mine['cpu']:7.2f} s "
                      f"rss {mine['rss']:5.0f} MB | {other}: wall {theirs['wall']:7.2f} s cpu {theirs['cpu']:7.2f} s "
                      f"rss {theirs['rss']:5.0f} MB | this/other: wall {mine['wall'] / theirs['wall']:.2f}x "
                      f"cpu {mine['cpu'] / theirs['cpu']:.2f}x  (runs {runs} each, alternating; load {load()})", flush=True)
            remove_outputs(workdir)
    return rows


def remove_outputs(workdir: Path) -> None:
    """The last runs' reports: an estate's outputs are not kept (at 1M they are gigabytes)."""
    for name in ("json", "sarif"):
        (workdir / f"out.{name}").unlink(missing_ok=True)


def bench_evaluate(workdir: Path, providers: list[str], sizes: list[int], scenarios: list[str], runs: int) -> list[dict]:
    """Each provider's estates at each size; first the demo snapshot itself (its start-up and fixed costs)."""
    rows = []
    for provider in providers:
        fixed = {scenario: evaluate_runs(workdir, TEMPLATES / f"{provider}-demo.json", scenario, runs)[0] for scenario in scenarios}
        for scenario, m in fixed.items():
            print(f"{provider:5} {'demo':>5} {scenario:10} (the fixed cost: start-up, imports)  wall {m['wall']:7.2f} s  "
                  f"cpu {m['cpu']:7.2f} s  rss {m['rss']:6.0f} MB", flush=True)
        for resources in sizes:
            snapshot, actual = estate_snapshot(workdir, provider, resources)
            for scenario in scenarios:
                m, found = evaluate_runs(workdir, snapshot, scenario, runs)
                net = max(m["cpu"] - fixed[scenario]["cpu"], 0.0)
                row = {"provider": provider, "size": label(resources), "resources": actual, "scenario": scenario, "findings": found,
                       **m, "runs": runs, "fixed_cpu": fixed[scenario]["cpu"], "cpu_us_per_resource": m["cpu"] / actual * 1e6,
                       "net_cpu_us_per_resource": net / actual * 1e6, "findings_per_s": found / m["wall"], "findings_per_cpu_s": found / m["cpu"]}
                rows.append(row)
                print(f"{provider:5} {label(resources):>5} {scenario:10} {actual:>9,} res {found:>10,} findings  "
                      f"wall {m['wall']:7.2f} s  cpu {m['cpu']:7.2f} s  rss {m['rss']:6.0f} MB  "
                      f"{row['findings_per_s']:>9,.0f} findings/s ({row['findings_per_cpu_s']:,.0f} per cpu s)  "
                      f"{row['cpu_us_per_resource']:5.1f} us cpu/resource ({row['net_cpu_us_per_resource']:5.1f} net of the fixed cost)  "
                      f"(runs {runs}, load {load()})", flush=True)
            remove_outputs(workdir)
    return rows


def shard_reports(workdir: Path, shards: int, findings: int) -> tuple[list[Path], int]:
    """`shards` shard reports of one AWS estate scan holding about `findings` findings in all (written once)."""
    from scanner.demo.estate import Estate
    from scanner.engine.scan import ScanOptions, resolved_parameters
    from scanner.engine.stream import stream_report
    from scanner.formatters.json_format import JsonWriter
    from scanner.models.inventory import Inventory, Snapshot, SnapshotMetadata
    from scanner.registry import load_checks, select_checks
    from scanner.snapshot import SnapshotSource

    data = template("aws")
    copies = 10
    scopes = max(shards, round(findings / findings_in_template(data, copies)))
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]
    folder = workdir / f"shards-{shards}-{scopes}x{copies}-{digest}"
    paths = [folder / f"shard-{k:03d}.json" for k in range(1, shards + 1)]
    if all(p.exists() for p in paths):
        return paths, sum(findings_in(p) for p in paths)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    estate = Estate(data, copies=copies, scopes=scopes)
    checks = select_checks(load_checks(provider="aws"), provider="aws", ids=data["metadata"]["checks"])
    options = ScanOptions(checks=checks)
    total = 0
    for path, (metadata, texts) in zip(paths, estate.shard_texts(shards, resolved_parameters(options))):
        snapshot = Snapshot(metadata=SnapshotMetadata.model_validate(metadata), scopes=[Inventory.model_validate_json(t) for t in texts])
        with open(str(path) + ".part", "wb") as handle:
            streamed = stream_report(SnapshotSource.of(snapshot), options, [lambda report, h=handle: JsonWriter(h, report)], source_label="scan")
        os.replace(str(path) + ".part", path)
        total += streamed.tally.count
    print(f"  wrote {shards} shard reports of {scopes} accounts ({estate.resources:,} resources): {total:,} findings "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    return paths, total


def findings_in_template(data: dict, copies: int) -> int:
    """Findings of one account of the estate."""
    from scanner.demo.estate import Estate
    from scanner.engine.scan import ScanOptions, report_for
    from scanner.registry import load_checks, select_checks

    snapshot = Estate(data, copies=copies, scopes=1).snapshot()
    checks = select_checks(load_checks(provider="aws"), provider="aws", ids=data["metadata"]["checks"])
    return len(report_for(snapshot, ScanOptions(checks=checks), source="bench").findings)


def bench_merge(workdir: Path, shards: int, findings: int, runs: int) -> dict:
    paths, total = shard_reports(workdir, shards, findings)
    out = workdir / "merged.json"
    samples = []
    for _ in range(runs):
        out.unlink(missing_ok=True)
        samples.append(timed(trustscan("merge", "-q", "--fail-on", "never", "--out", str(out), *map(str, paths)), workdir))
    merged = findings_in(out)
    assert merged == total, (merged, total)
    size_mb = sum(p.stat().st_size for p in paths) / 1e6
    out.unlink()
    m = medians(samples)
    print(f"merge {shards} shards ({size_mb:,.0f} MB) -> {merged:,} findings  wall {m['wall']:7.2f} s  cpu {m['cpu']:7.2f} s  "
          f"rss {m['rss']:6.0f} MB  {merged / m['wall']:>9,.0f} findings/s  (runs {runs}, load {load()})", flush=True)
    return {"scenario": "merge", "shards": shards, "findings": merged, "input_mb": size_mb, **m, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="resources per estate, comma separated (10k,100k,1M)")
    parser.add_argument("--providers", default="aws,azure,gcp")
    parser.add_argument("--scenarios", default="json,json+sarif", help=f"among {', '.join(SCENARIOS)}")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default="/tmp/trustscan-eval-bench", help="estates and shard reports are kept here between runs")
    parser.add_argument("--merge", action="store_true", help="also bench `trustscan merge`")
    parser.add_argument("--merge-only", action="store_true")
    parser.add_argument("--shards", type=int, default=200)
    parser.add_argument("--merge-findings", default="1M")
    parser.add_argument("--against", type=Path, help="another checkout of trustscan: alternate each run between it and this one")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="run trustscan without bytecode caches (compiling every module)")
    parser.add_argument("--no-settle", action="store_true",
                        help="run back to back, without removing the last run's reports and syncing before each run")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds idle before each timed run (10: each run starts with memory the host has taken back)")
    parser.add_argument("--json", dest="json_out", help="write the figures here as JSON")
    args = parser.parse_args()
    global SETTLE, PAUSE
    SETTLE = not args.no_settle
    PAUSE = args.pause
    if args.no_bytecode_cache:
        CHILD_ENV["PYTHONDONTWRITEBYTECODE"] = "1"
    else:  # one run to write the caches of the code under test (and of --against's)
        for tree in [ROOT, *([args.against.resolve()] if args.against else [])]:
            run(trustscan("evaluate", str(TEMPLATES / "aws-demo.json"), "-q", "--fail-on", "never", "--format", "json=/dev/null"), cwd=tree)
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    before = calibration()
    memory_before = fresh_memory()
    print(f"load average {load()} on {os.cpu_count()} CPUs; calibration (pure-Python loop, median of 3) {before:.2f} s; "
          f"fresh memory {memory_before:.2f} s per 256 MB", flush=True)
    rows: list[dict] = []
    if args.against:
        rows = bench_compare(workdir, args.providers.split(","), [size(s) for s in args.sizes.split(",")], args.scenarios.split(","),
                             args.runs, args.against.resolve())
    elif not args.merge_only:
        sizes = [size(s) for s in args.sizes.split(",")]
        rows = bench_evaluate(workdir, args.providers.split(","), sizes, args.scenarios.split(","), args.runs)
        for provider in args.providers.split(","):
            for scenario in args.scenarios.split(","):
                mine = [r for r in rows if r["provider"] == provider and r["scenario"] == scenario]
                if len(mine) > 1:
                    small, large = mine[0], mine[-1]
                    print(f"{provider:5} {scenario:10} cpu per resource {large['size']} / {small['size']}: "
                          f"{large['cpu_us_per_resource'] / small['cpu_us_per_resource']:.2f}x "
                          f"({large['net_cpu_us_per_resource'] / small['net_cpu_us_per_resource']:.2f}x net of the fixed cost)", flush=True)
    if args.merge or args.merge_only:
        rows.append(bench_merge(workdir, args.shards, size(args.merge_findings), args.runs))
    after = calibration()
    memory_after = fresh_memory()
    print(f"calibration before {before:.2f} s, after {after:.2f} s; fresh memory {memory_before:.2f} s, then {memory_after:.2f} s "
          f"per 256 MB (load average {load()})", flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"calibration_s": [before, after], "fresh_memory_s": [memory_before, memory_after],
                                                   "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
