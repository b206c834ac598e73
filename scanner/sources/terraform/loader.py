"""Find and parse the .tf files under the scanned paths (on every core for large trees)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

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
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a scan builds its syntax trees, inventories and
    findings: they are millions of long-lived objects that it would otherwise traverse again and
    again (a third of a large scan's CPU time), and almost none of them is garbage until the scan
    ends. Reference counting still frees everything that is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse(job: tuple[str, str]) -> ParsedFile:
    return parse_file(*job)


def parse_all(jobs: list[tuple[str, str]], workers: int | None = None) -> list[ParsedFile]:
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(jobs) < PARALLEL_FROM_FILES:
        return [_parse(job) for job in jobs]
    from concurrent.futures import ProcessPoolExecutor

    import multiprocessing

    prepare_parser()  # once, inherited by the forked workers

    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_parse, jobs, chunksize=max(1, len(jobs) // (workers * 8))))


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
