"""Formatters render a Report and nothing else. Registered by name; packs add more via entry points."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scanner.errors import ConfigurationError

if TYPE_CHECKING:  # the report models (pydantic) load with a formatter, not when a format name is checked
    from scanner.models.report import Report

    Formatter = Callable[[Report], str]
else:
    Formatter = Callable[[Any], str]
ENTRY_POINT_GROUP = "trustscan.formatters"

# name -> "module:function", imported on use so `--help` stays light.
BUILTIN = {
    "json": "scanner.formatters.json_format:render",
    "sarif": "scanner.formatters.sarif:render",
    "table": "scanner.formatters.table:render",
    "junit": "scanner.formatters.junit:render",
    "csv": "scanner.formatters.csv_format:render",
    "markdown": "scanner.formatters.markdown:render",
    "ocsf": "scanner.formatters.ocsf:render",
}
# Formats written as a stream of findings (scanner/formatters/_stream.py): name -> "module:class".
WRITERS = {
    "json": "scanner.formatters.json_format:JsonWriter",
    "sarif": "scanner.formatters.sarif:SarifWriter",
    "junit": "scanner.formatters.junit:JUnitWriter",
    "csv": "scanner.formatters.csv_format:CsvWriter",
    "ocsf": "scanner.formatters.ocsf:OcsfWriter",
}
EXTENSIONS = {"json": "json", "sarif": "sarif", "table": "txt", "junit": "xml", "csv": "csv", "markdown": "md", "ocsf": "ocsf.jsonl"}


def available() -> list[str]:
    names = set(BUILTIN)
    from importlib.metadata import entry_points  # only packs need it (~20 ms of start-up otherwise)

    names.update(entry.name for entry in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def check_name(name: str) -> None:
    """Raise the one-line error of an unknown format name before a scan. A built-in formatter is
    not imported (it ships with trustscan; its import would load the report models before the
    first API call); a pack's is loaded, so that a broken one fails now, not after the scan."""
    if name not in BUILTIN:
        get(name)


def get(name: str) -> Formatter:
    target = BUILTIN.get(name)
    if target:
        module, func = target.split(":")
        return getattr(importlib.import_module(module), func)
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            return entry.load()
    raise ConfigurationError(f"unknown format {name!r} (available: {', '.join(available())})")


def writer(name: str) -> Callable[..., Any] | None:
    """The streaming writer class of a built-in format (None for table, markdown and plugin formats)."""
    target = WRITERS.get(name)
    if target is None:
        return None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)
