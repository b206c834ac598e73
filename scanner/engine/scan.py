"""The library entry points the CLI calls: plan, collect, evaluate, report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from scanner.collect.registry import CollectorSpec, load_collectors
from scanner.engine.collect import ProgressCallback, ProviderCollection, run_collection
from scanner.engine.evaluate import build_report, evaluate
from scanner.engine.pool import WorkPool
from scanner.errors import ConfigurationError
from scanner.mapping import Framework, load_framework
from scanner.models.inventory import Inventory
from scanner.models.report import Report
from scanner.registry import CheckSpec

DEFAULT_FRAMEWORKS = ("soc2",)


@dataclass
class ScanOptions:
    checks: list[CheckSpec]
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    max_workers: int = 16
    progress: ProgressCallback | None = None
    frameworks: tuple[str, ...] = DEFAULT_FRAMEWORKS


def collection_plan(provider: str, checks: list[CheckSpec]) -> list[CollectorSpec]:
    """The union of what the selected checks read: each key collected once for all of them."""
    collectors = load_collectors(provider)
    keys = sorted({key for spec in checks for key in spec.collection_keys})
    missing = [key for key in keys if key not in collectors]
    if missing:
        raise ConfigurationError(f"no collector fills {', '.join(missing)}")
    return [collectors[key] for key in keys]


def frameworks(names: tuple[str, ...] = DEFAULT_FRAMEWORKS) -> dict[str, Framework]:
    return {name: load_framework(name) for name in names}


def collect(provider: ProviderCollection, pool: WorkPool, options: ScanOptions) -> Inventory:
    plan = collection_plan(provider.provider, options.checks)
    return run_collection(provider, plan, pool, [spec.id for spec in options.checks], options.progress)


def report_for(inventory: Inventory, options: ScanOptions, *, source: str, started_at: datetime | None = None) -> Report:
    started = started_at or datetime.now(timezone.utc)
    loaded = frameworks(options.frameworks)
    findings = evaluate(inventory, options.checks, loaded, options.params)
    return build_report(inventory, findings, options.checks, loaded, source=source, started_at=started, params=options.params)


def load_snapshot(path: str) -> Inventory:
    from pydantic import ValidationError

    from scanner.models.inventory import INVENTORY_SCHEMA_VERSION
    from scanner.safe_load import load_json_file

    data = load_json_file(path, "snapshot")
    if isinstance(data, dict) and "findings" in data and "metadata" in data:
        raise ConfigurationError(
            f"{path} is a trustscan report, not a snapshot: save the inventory with `trustscan scan ... --snapshot PATH` "
            "or `trustscan collect <provider> --out PATH`, then evaluate that"
        )
    if not isinstance(data, dict) or "metadata" not in data:
        raise ConfigurationError(f"{path} is not a trustscan snapshot (no metadata)")
    version = data.get("schema_version")
    if version != INVENTORY_SCHEMA_VERSION:
        raise ConfigurationError(f"{path} has snapshot schema_version {version!r:.40}; this trustscan reads {INVENTORY_SCHEMA_VERSION!r}")
    try:
        return Inventory.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "document"
        raise ConfigurationError(f"{path} is not a valid trustscan snapshot ({where}: {error.get('msg')})") from exc
