"""Per-resource getters ("facets") and small parsing helpers shared by the GCP collectors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


def read_facets(scope: GcpScope, getters: dict[str, Callable[[], dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Run each getter; merge the fields they return, and record a reason for each that failed."""
    from scanner.collect.gcp._client import classify

    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    plan = scope.facets
    for facet, getter in getters.items():
        if plan is not None and not plan.reads(facet):
            continue  # no selected check reads it: its fields stay unset (coverage says so)
        try:
            values = getter()
            if plan is not None:
                plan.check_fields(facet, values)
            fields.update(values)
        except Exception as exc:  # noqa: BLE001 - one unreadable facet must not lose the resource
            errors[facet] = classify(exc, facet, scope.project or "global").reason
    return fields, errors


def last_segment(url: str | None) -> str:
    """"https://.../zones/us-central1-a" -> "us-central1-a"."""
    return (url or "").rstrip("/").rsplit("/", 1)[-1]


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def seconds(value: str | int | None) -> int | None:
    """"7776000s" / "7776000" / 7776000 -> 7776000."""
    if value in (None, ""):
        return None
    return int(float(str(value).rstrip("s")))


def metadata_items(metadata: dict | None) -> dict[str, str]:
    return {item["key"]: str(item.get("value", "")) for item in (metadata or {}).get("items") or [] if "key" in item}
