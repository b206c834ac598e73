"""Find and parse the .tf files under the scanned paths (on every core for large trees)."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scanner.errors import ConfigurationError
from scanner.sources.terraform.hcl import ParsedFile, parse_file, prepare_parser
from scanner.sources.terraform.modules import ModuleDir, Tree, discover

PARALLEL_FROM_FILES = 64  # below this, starting worker processes costs more than it saves


def scan_root(paths: Sequence[str]) -> tuple[Path, list[Path]]:
    """The directory file paths are reported relative to, and the directories to walk."""
    if not paths:
        paths = ["."]
    resolved: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ConfigurationError(f"{raw}: no such file or directory")
        if path.is_file():
            if path.suffix != ".tf":
                raise ConfigurationError(f"{raw} is not a .tf file or a directory")
            path = path.parent
        resolved.append(path.resolve())
    root = Path(os.path.commonpath([str(p) for p in resolved]))
    return root, resolved


@contextmanager
def collector_paused(then_freeze: bool = False) -> Iterator[None]:
    """Python's cyclic garbage collector off while a scan builds its syntax trees, inventories and
    findings: they are millions of long-lived objects that it would otherwise traverse again and
    again (a third of a large scan's CPU time), and almost none of them is garbage until the scan
    ends. Reference counting still frees everything that is dropped.

    Everything allocated meanwhile counts towards the collector's youngest generation, so the first
    allocation after re-enabling it starts a collection over all of it (0.5 s after a large scan).
    `then_freeze` (for a command that ends right after) first moves those objects out of the
    collector's reach (`gc.freeze`), cycles among them included: they are never collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if then_freeze:
                gc.freeze()
            gc.enable()


def shared_with_workers(func: Callable[[Any], Any], shares: list[Any]) -> list[Any]:
    """`func` over each share: the first in this process, the others at the same time in forked
    worker processes (one per share). The parent working too saves a process and sends half as
    much back through pipes on two cores. Forking shares what was built so far with the workers
    without copying it."""
    if len(shares) <= 1 or not hasattr(os, "fork"):
        return [func(share) for share in shares]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = [pool.submit(func, share) for share in shares[1:]]
        mine = func(shares[0])
        return [mine] + [future.result() for future in pending]


def _parse_share(jobs: list[tuple[str, str]]) -> list[ParsedFile]:
    return [parse_file(*job) for job in jobs]


def parse_all(jobs: list[tuple[str, str]], workers: int | None = None) -> list[ParsedFile]:
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) < PARALLEL_FROM_FILES:
        return _parse_share(jobs)
    prepare_parser()  # once, inherited by the forked workers
    shares = [jobs[i::workers] for i in range(workers)]  # interleaved: big and small directories spread evenly
    parsed = [p for share in shared_with_workers(_parse_share, shares) for p in share]
    return sorted(parsed, key=lambda p: p.path)


def load_tree(paths: Sequence[str], variables: dict | None = None, workers: int | None = None) -> Tree:
    root, walk = scan_root(paths)
    jobs: dict[str, tuple[str, str]] = {}
    for directory in walk:
        for full, _ in discover(directory):
            rel = Path(os.path.relpath(full, root)).as_posix()
            jobs.setdefault(rel, (full, rel))
    if not jobs:
        raise ConfigurationError(f"no .tf files under {', '.join(str(p) for p in paths) or '.'}")
    dirs: dict[str, ModuleDir] = {}
    with collector_paused():
        for parsed in parse_all(sorted(jobs.values(), key=lambda j: j[1]), workers):
            directory = Path(parsed.path).parent.as_posix()
            dirs.setdefault(directory, ModuleDir(directory)).add(parsed)
    return Tree(root, dirs, variables)
