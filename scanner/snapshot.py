"""Snapshots: the inventory saved as evidence. Keys sorted, resources sorted, stable bytes."""

from __future__ import annotations

import json

from scanner.models.inventory import Inventory


def dump_snapshot(inventory: Inventory) -> str:
    # Round-trip through JSON mode so datetimes, enums and nested models are plain values, then
    # sort keys: the same inventory always gives the same bytes, so a snapshot can be hashed.
    data = inventory.model_dump(mode="json")
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
