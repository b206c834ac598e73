"""Hostile and broken input files never crash trustscan: a seeded fuzz over snapshots, configs and waivers,
baselines and evidence bundles, run in-process through `main(argv)`.

Every case asserts: no traceback and no internal-error exit (4); input that no longer parses (or that a
mutation is certain to break) exits 2 with one `trustscan: error:` line; a bundle whose bytes changed never
verifies. Seeded (FUZZ_SEED, default 12) and small: a few hundred cases in a few seconds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.evidence.bundle import build_bundle, write_bundle
from scanner.snapshot import dump_snapshot
from tests.inprocess import run

SEED = int(os.environ.get("FUZZ_SEED", "12"))
CHECKS = ["aws.s3.bucket_versioning", "aws.logs.log_group_retention"]
CONFIG = """\
version: 1
parameters:
  aws.logs.log_group_retention: {min_days: 30}
fail_on: high
timezone: Europe/Berlin
waivers:
  - id: W-1
    check: aws.s3.bucket_versioning
    resource: "scratch-*"
    justification: Scratch buckets hold nothing worth keeping.
    owner: platform@example.com
    expires: 2099-12-31
"""


@pytest.fixture(scope="module")
def seeds(moto_endpoint, tmp_path_factory) -> dict[str, Any]:
    """One small real scan (moto): its snapshot, report and evidence bundle, and a config with a waiver."""
    from scanner.demo.aws import reset
    from tests.conftest import MotoAccount

    reset(moto_endpoint)
    account = MotoAccount(moto_endpoint)
    s3 = account.client("s3")
    for name in ("prod-data", "scratch-1"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket="prod-data", VersioningConfiguration={"Status": "Enabled"})
    account.client("logs").create_log_group(logGroupName="app")
    inventory, report = account.collect(CHECKS)
    root = tmp_path_factory.mktemp("seeds")
    bundle = root / "bundle"
    write_bundle(build_bundle(report, inventory), str(bundle), make_zip=True)
    return {
        "root": root,
        "snapshot": dump_snapshot(inventory),
        "report": report.model_dump_json(indent=1),
        "config": CONFIG,
        "bundle": bundle,
    }


# -- mutations -------------------------------------------------------------------------------------

POISON: list[Any] = [
    None, True, 0, -1, 12345, 1e308, "", "x", "2026-13-45", "12345", [], {}, [[[]]],
    "[/bold]", "9" * 5000,
]  # fmt: skip


def nest(depth: int) -> str:
    return "[" * depth + "]" * depth


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:5]):
            found += paths(value, (*prefix, index))
    return found


def set_at(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = set_at(node[path[0]], path[1:], value)
    return node


def text_mutation(rng: random.Random, text: str) -> str:
    """A byte-level edit: truncate, flip, delete, duplicate or insert a structural token."""
    kind = rng.randrange(5)
    i = rng.randrange(len(text))
    if kind == 0:
        return text[:i]
    if kind == 1:
        return text[:i] + chr(rng.randrange(32, 0x2FF)) + text[i + 1 :]
    if kind == 2:
        return text[:i] + text[i + rng.randrange(1, 200) :]
    if kind == 3:
        j = min(len(text), i + rng.randrange(1, 200))
        return text[:j] + text[i:j] + text[j:]
    return text[:i] + rng.choice(["{", "}", "[", "]", '"', ":", ",", "null", "-", "\\", "\x00", "\n  - "]) + text[i:]


def json_garbage(rng: random.Random, text: str) -> str:
    """A JSON document certain to be broken: cut before its end, nested past any limit, a 5,000-digit number,
    or a value of the wrong type where the model needs one."""
    kind = rng.randrange(4)
    if kind == 0:
        body = text.rstrip()
        return body[: rng.randrange(1, len(body) - 1)]
    data = json.loads(text)
    where = rng.choice([p for p in paths(data) if p and p[0] in ("metadata", "findings", "schema_version")])
    if kind == 1:
        return json.dumps(set_at(data, where[:2], "@@")).replace('"@@"', nest(rng.choice([900, 5000, 100_000])))
    if kind == 2:
        return json.dumps(set_at(data, where[:2], "@@")).replace('"@@"', "9" * rng.randrange(4301, 6000))
    return json.dumps(set_at(data, ("metadata", rng.choice(["collected_at", "identity", "provider"])), rng.choice([12345, None, [], "x"])))


def json_structural(rng: random.Random, text: str) -> str:
    data = json.loads(text)
    where = rng.choice(paths(data)[1:])
    if rng.random() < 0.3 and isinstance(data, dict):
        parent = data
        for part in where[:-1]:
            parent = parent[part]
        if isinstance(parent, dict):
            parent.pop(where[-1], None)
            return json.dumps(data)
    return json.dumps(set_at(data, where, rng.choice(POISON)))


YAML_GARBAGE = [
    ("expires: 2099-12-31", "expires: 2026-13-45"),
    ("expires: 2099-12-31", "expires: 2026-02-30"),
    ("{min_days: 30}", "{min_days: " + "9" * 5000 + "}"),
    ("{min_days: 30}", "{min_days: " + nest(5000) + "}"),
    ("{min_days: 30}", "{min_days: abc}"),
    ("{min_days: 30}", "{min_days: -5}"),
    ("{min_days: 30}", "{min_day: 30}"),
    ("aws.logs.log_group_retention:", "aws.logs.no_such_check:"),
    ("fail_on: high", "fail_on: sometimes"),
    ("timezone: Europe/Berlin", "timezone: Mars/Olympus"),
    ("check: aws.s3.bucket_versioning", "check: aws.s3.bucket_versioing"),
    ("version: 1", "version: " + nest(50_000)),
    ("owner: platform@example.com", "owner: !!python/object:os.system ls"),
    ("owner: platform@example.com", "owner: [unclosed"),
]


def yaml_structural(rng: random.Random, text: str) -> str:
    data = yaml.safe_load(text)
    where = rng.choice(paths(data)[1:])
    return yaml.safe_dump(set_at(data, where, rng.choice(POISON)), sort_keys=False)


# -- assertions ------------------------------------------------------------------------------------


def assert_handled(result: tuple[int, str, str], case: str, garbage: bool, usage_code: int = 2) -> None:
    code, out, err = result
    assert "Traceback" not in err + out, f"{case}: traceback\n{err[-2000:]}"
    assert code != 4 and "internal error" not in err, f"{case}: crashed\n{err[-2000:]}"
    assert code in (0, 1, 2, 3), f"{case}: exit {code}\n{err[-2000:]}"
    if garbage:
        assert code != 0, f"{case}: garbage accepted (exit 0)"
    if code == 2:
        errors = [line for line in err.splitlines() if line.startswith("trustscan: error:")]
        assert len(errors) == 1, f"{case}: expected one error line\n{err[-2000:]}"
        assert len(errors[0]) < 600, f"{case}: error line too long: {errors[0][:300]}..."


def parses(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# -- the fuzz --------------------------------------------------------------------------------------


def test_fuzz_snapshots_and_baselines(seeds, tmp_path):
    rng = random.Random(SEED)
    snapshot, report = tmp_path / "snap.json", tmp_path / "report.json"
    good_snapshot, good_report = tmp_path / "good-snap.json", tmp_path / "good-report.json"
    good_snapshot.write_text(seeds["snapshot"])
    good_report.write_text(seeds["report"])
    for i in range(150):
        which = rng.choice(["snapshot", "baseline", "diff"])
        seed_text = seeds["snapshot"] if which == "snapshot" else seeds["report"]
        style = rng.choice(["text", "garbage", "structural"])
        if style == "text":
            text = text_mutation(rng, seed_text)
            garbage = not parses(text)
        elif style == "garbage":
            text, garbage = json_garbage(rng, seed_text), True
        else:
            text, garbage = json_structural(rng, seed_text), False
        case = f"case {i} ({which}, {style})"
        if which == "snapshot":
            snapshot.write_text(text, encoding="utf-8")
            result = run("evaluate", str(snapshot), "--format", "json", "-q")
        elif which == "baseline":
            report.write_text(text, encoding="utf-8")
            result = run("evaluate", str(good_snapshot), "--baseline", str(report), "--format", "json", "-q")
        else:
            report.write_text(text, encoding="utf-8")
            result = run("diff", str(good_report), str(report), "--format", "json")
        assert_handled(result, case, garbage)


def test_fuzz_configs_and_waivers(seeds, tmp_path):
    rng = random.Random(SEED + 1)
    config, snapshot = tmp_path / "trustscan.yaml", tmp_path / "snap.json"
    snapshot.write_text(seeds["snapshot"])
    cases: list[tuple[str, bool]] = [(seeds["config"].replace(old, new), True) for old, new in YAML_GARBAGE]
    for _ in range(60):
        if rng.random() < 0.5:
            cases.append((text_mutation(rng, seeds["config"]), False))
        else:
            cases.append((yaml_structural(rng, seeds["config"]), False))
    for i, (text, garbage) in enumerate(cases):
        config.write_text(text, encoding="utf-8")
        validated = run("config", "validate", str(config))
        assert_handled(validated, f"config case {i}: {text[:200]!r}", garbage)
        evaluated = run("evaluate", str(snapshot), "--config", str(config), "--format", "json", "-q")
        assert_handled(evaluated, f"evaluate --config case {i}: {text[:200]!r}", garbage)
        if validated[0] == 2:
            assert evaluated[0] == 2, f"config case {i}: `config validate` rejects what evaluate accepts"


def test_fuzz_evidence_bundles(seeds, tmp_path):
    rng = random.Random(SEED + 2)
    source: Path = seeds["bundle"]
    names = sorted(p.name for p in source.iterdir())
    for i in range(45):
        target = tmp_path / f"b{i}"
        shutil.copytree(source, target)
        name = rng.choice(names)
        path = target / name
        original = path.read_bytes()
        style = rng.choice(["text", "garbage", "structural"]) if name.endswith(".json") else "text"
        text = original.decode("utf-8")
        if style == "text":
            mutated = text_mutation(rng, text)
        elif style == "garbage":
            body = text.rstrip()
            mutated = rng.choice([body[: len(body) // 2], nest(100_000), '{"files": ' + "9" * 5000 + "}"])
        else:
            mutated = json_structural(rng, text)
        if mutated.encode() == original:
            continue
        path.write_text(mutated, encoding="utf-8")
        if rng.random() < 0.4:  # the same damage inside a zip
            archive = tmp_path / f"b{i}.zip"
            with zipfile.ZipFile(archive, "w") as zf:
                for member in sorted(target.iterdir()):
                    zf.write(member, f"b{i}/{member.name}")
            result = run("verify", str(archive))
        else:
            result = run("verify", str(target))
        assert_handled(result, f"bundle case {i} ({name}, {style})", garbage=True)
        shutil.rmtree(target)


def test_the_inputs_the_issue_names_exit_2_with_one_line(seeds, tmp_path):
    """The crashes found by hand: each is exit 2 with one line, not a traceback (RecursionError, ValueError)."""
    deep = tmp_path / "deep.json"
    deep.write_text('{"schema_version": "1", "metadata": ' + nest(100_000) + "}")
    long_int = tmp_path / "long.json"
    long_int.write_text('{"schema_version": "1", "metadata": {"x": ' + "9" * 5000 + "}}")
    good = tmp_path / "good.json"
    good.write_text(seeds["snapshot"])
    config = tmp_path / "trustscan.yaml"
    config.write_text(CONFIG.replace("2099-12-31", "2026-13-45"))
    for argv in (
        ["evaluate", str(deep)],
        ["evaluate", str(long_int)],
        ["evaluate", str(good), "--baseline", str(deep)],
        ["diff", str(deep), str(long_int)],
        ["config", "validate", str(config)],
        ["evaluate", str(good), "--param", "aws.logs.log_group_retention.min_days=" + nest(100_000)],
    ):
        code, out, err = run(*argv)
        assert code == 2 and "Traceback" not in err, (argv[:2], err[-1500:])
        assert len(err.strip().splitlines()) == 1 and err.startswith("trustscan: error: "), err[-1500:]
    assert "2026-13-45" in run("config", "validate", str(config))[2]
    # A YAML alias bomb (10 ** 9 strings once expanded, 1 kB on disk) where the configuration takes a list,
    # a string, a mapping or a parameter: the typed model rejects the first nested list it meets, so
    # nothing walks the expansion (PyYAML itself shares aliased nodes, it does not copy them).
    bomb = '&a ["x","x","x","x","x","x","x","x","x","x"]'
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb = f"&{level} [{bomb}" + f",*{previous}" * 9 + "]"
    for where in (f"providers:\n  aws:\n    regions: {bomb}", f"checks:\n  include: {bomb}",
                  f"parameters:\n  aws.s3.bucket_sse_kms_cmk:\n    buckets: {bomb}",
                  f"parameters:\n  aws.logs.log_group_retention:\n    min_days: {bomb}"):
        config.write_text(f"version: 1\n{where}\n")
        for argv in (["config", "validate", str(config)], ["evaluate", str(good), "--config", str(config)]):
            code, out, err = run(*argv)
            assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("trustscan: error: "), (where[:40], err[-500:])
    bundle = tmp_path / "bundle"
    shutil.copytree(seeds["bundle"], bundle)
    (bundle / "manifest.json").write_text(nest(100_000))
    code, out, err = run("verify", str(bundle))
    assert code == 1 and "Traceback" not in err and "manifest.json" in out, out + err
