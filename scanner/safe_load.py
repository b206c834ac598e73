"""Read the files users hand us (snapshots, reports, trustscan.yaml, bundle manifests) without crashing.

The parsers raise more than their documented errors on hostile input: deeply nested JSON or YAML
raises RecursionError, a number of more than 4,300 digits raises a plain ValueError (CPython's limit on
int-string conversion), and PyYAML builds dates and integers in constructors that raise ValueError or
OverflowError (`expires: 2026-13-45`). Every one of these becomes a one-line ConfigurationError naming
the file, so the CLI exits 2 instead of printing a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanner.errors import ConfigurationError


def read_text(path: str | Path, what: str) -> str:
    """A file's text; a missing, unreadable, binary or directory path is a one-line error."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ConfigurationError(f"{path} is a directory, not a {what} file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not a text file (byte {exc.start} is not UTF-8)") from exc
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror or exc}") from exc


def parse_json(text: str | bytes, name: str) -> Any:
    """json.loads with every failure turned into one line naming `name`."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ConfigurationError(f"{name} nests arrays or objects too deeply to be read") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{name} is not UTF-8 text (byte {exc.start})") from None
    except ValueError as exc:  # e.g. "Exceeds the limit (4300 digits) for integer string conversion"
        raise ConfigurationError(f"{name} is not readable JSON ({one_line(exc)})") from None


def load_json_file(path: str | Path, what: str) -> Any:
    return parse_json(read_text(path, what), str(path))


def one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception's message on one line, cut to `limit` characters."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def clip(value: object, limit: int = 60) -> str:
    """A user-supplied value as it appears in an error message: its repr, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"
