"""Snapshots: the inventory saved as evidence. Keys sorted, resources sorted, stable bytes.

A snapshot file is a `Snapshot` (schema "2": a scan's scopes) or, from trustscan before
organizations, one `Inventory` (schema "1"); both load, and both evaluate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scanner.errors import ConfigurationError
from scanner.models.inventory import INVENTORY_SCHEMA_VERSION, SNAPSHOT_SCHEMA_VERSION, Inventory, Snapshot


def dump_snapshot(snapshot: Inventory | Snapshot) -> str:
    # Round-trip through JSON mode so datetimes, enums and nested models are plain values, then
    # sort keys: the same inventory always gives the same bytes, so a snapshot can be hashed.
    data = snapshot.model_dump(mode="json")
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def read_json(path: str, what: str) -> Any:
    """A JSON file, or one line saying why it cannot be read (missing, not text, truncated)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError as exc:
        raise ConfigurationError(f"{what} file not found: {path}") from exc
    except IsADirectoryError as exc:
        raise ConfigurationError(f"{path} is a folder, not a {what} file") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not a text file") from exc
    except json.JSONDecodeError as exc:
        hint = " (truncated?)" if "Expecting" in exc.msg or "Unterminated" in exc.msg else ""
        raise ConfigurationError(f"{path} is not valid JSON{hint} (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    except RecursionError:
        raise ConfigurationError(f"{path} nests arrays or objects too deeply to be a {what}") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        from scanner.safe_load import one_line

        raise ConfigurationError(f"{path} is not a readable {what} ({one_line(exc)})") from None
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror}") from exc


def parse_snapshot(data: Any, path: str) -> Inventory | Snapshot:
    from pydantic import ValidationError

    from scanner.safe_load import clip

    if isinstance(data, dict) and "findings" in data and "metadata" in data:
        raise ConfigurationError(
            f"{path} is a trustscan report, not a snapshot: save the inventory with `trustscan scan ... --snapshot PATH` "
            "or `trustscan collect <provider> --out PATH`, then evaluate that"
        )
    if not isinstance(data, dict) or "metadata" not in data:
        raise ConfigurationError(f"{path} is not a trustscan snapshot (no metadata)")
    version = data.get("schema_version")
    models = {SNAPSHOT_SCHEMA_VERSION: Snapshot, INVENTORY_SCHEMA_VERSION: Inventory}
    if not isinstance(version, str) or version not in models:
        raise ConfigurationError(
            f"{path} has snapshot schema_version {clip(version)}; this trustscan reads {SNAPSHOT_SCHEMA_VERSION!r} and {INVENTORY_SCHEMA_VERSION!r}"
        )
    try:
        return models[version].model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan snapshot ({where}: {error.get('msg')})") from exc


def load_snapshot(path: str) -> Inventory | Snapshot:
    return parse_snapshot(read_json(path, "snapshot"), path)


def restrict(inventory: Inventory, keys: Iterable[str], *, redacted: bool = True) -> Inventory:
    """The inventory with only `keys` (their values and coverage): what a shard carries for the
    checks it defers. Secrets are redacted, as in an evidence bundle, since it travels in a report."""
    wanted = set(keys)
    provider = inventory.metadata.provider
    source = getattr(inventory, provider)
    kept = type(source)()
    for key in sorted(wanted):
        _, service, attribute = key.split(".", 2)
        section = getattr(kept, service).model_copy(update={attribute: getattr(getattr(source, service), attribute)})
        kept = kept.model_copy(update={service: section})
    result = inventory.model_copy(update={provider: kept, "coverage": [c for c in inventory.coverage if c.key in wanted]})
    if not redacted:
        return result
    from scanner.evidence.redact import redact

    return Inventory.model_validate(redact(result.model_dump(mode="json")))


def merge_snapshots(snapshots: list[Snapshot]) -> Snapshot:
    """One snapshot from the shard snapshots of one scan (validated by the caller): every scope once."""
    first = snapshots[0]
    scopes = sorted((scope for s in snapshots for scope in s.scopes), key=lambda inv: inv.scope_id)
    calls: dict[str, int] = {}
    for snapshot in snapshots:
        for name, n in snapshot.metadata.api_calls.items():
            calls[name] = calls.get(name, 0) + n
    finished = [s.metadata.finished_at for s in snapshots if s.metadata.finished_at is not None]
    metadata = first.metadata.model_copy(
        update={
            "collected_at": min(s.metadata.collected_at for s in snapshots),
            "finished_at": max(finished) if finished else None,
            "regions": sorted({r for s in snapshots for r in s.metadata.regions}),
            "incomplete": any(s.metadata.incomplete for s in snapshots),
            "api_calls": dict(sorted(calls.items())),
            "shard": None,
        }
    )
    return Snapshot(metadata=metadata, scopes=scopes)
