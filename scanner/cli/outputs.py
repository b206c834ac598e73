"""Output files: checked before the scan, written after it without losing one for another.

`preflight` runs before anything is collected: each path (`--format FMT=PATH`, `--output`,
`--snapshot`, `collect --out`) must not be a folder, its parent must be a folder (created when
missing, as most CLIs do) that can be written, and every format name must exist. A bad path then
costs nothing instead of the whole scan. `write_output` is the write at the end: a failure there
(disk full, a path removed meanwhile) is reported in one line naming the output, the other outputs
are still written, and `main()` exits 2.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import click

from scanner.errors import ConfigurationError

# Outputs that could not be written in this invocation (main() resets it and turns it into exit 2).
FAILED: list[str] = []


def targets(formats: Iterable[str], output: str | None) -> list[tuple[str, str | None]]:
    """(format, path or None for stdout) for each --format; --output fills the one without a path."""
    found: list[tuple[str, str | None]] = []
    for item in formats or ("table",):
        name, _, path = item.partition("=")
        found.append((name.strip().lower(), path or None))
    if output:
        pathless = [i for i, (_, path) in enumerate(found) if path is None]
        if len(pathless) != 1:
            raise ConfigurationError("--output needs exactly one --format without =PATH")
        found[pathless[0]] = (found[pathless[0]][0], output)
    return found


def preflight(formats: Iterable[str] = (), output: str | None = None, files: Iterable[tuple[str, str | None]] = ()) -> None:
    """Fail now, before collecting, on an unknown format or a path that cannot be written."""
    from scanner import formatters

    planned = targets(formats, output)
    for name, _ in planned:
        formatters.check_name(name)
    for label, path in [*((name, path) for name, path in planned if path), *files]:
        if path:
            check_writable(label, path)


def check_writable(label: str, path: str) -> None:
    target = Path(path)
    if target.is_dir():
        raise ConfigurationError(f"{label} output {path} is a directory: give a file path")
    parent = target.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ConfigurationError(f"{label} output {path}: {ancestor} is not a directory")
            break
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"{label} output {path}: cannot create {parent} ({exc.strerror or exc})") from None
    if target.exists() and not os.access(target, os.W_OK):
        raise ConfigurationError(f"{label} output {path} is not writable")
    if not target.exists() and not os.access(parent, os.W_OK | os.X_OK):
        raise ConfigurationError(f"{label} output {path}: cannot write in {parent}")


def write_output(label: str, path: str, text: str) -> bool:
    """Write one output file; on failure say which, remember it, and go on with the others."""
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        fail(f"could not write {label} to {path}: {exc.strerror or exc} (the other outputs were written)")
        return False
    click.echo(f"wrote {path}", err=True)
    return True


def fail(message: str) -> None:
    FAILED.append(message)
    click.echo(f"trustscan: error: {message}", err=True)
