"""Helpers shared by the ARM collectors: common resource fields from a REST body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.collect.azure._client import AzureScope


def base(scope: AzureScope, body: dict[str, Any], region: str | None = None) -> dict[str, Any]:
    """id, name, region, account, resource_group and tags of an ARM resource."""
    from scanner.collect.azure._client import resource_group

    return {
        "id": body["id"],
        "name": body.get("name") or body["id"].rsplit("/", 1)[-1],
        "region": region or body.get("location") or "global",
        "account": scope.subscription,
        "resource_group": resource_group(body["id"]),
        "tags": {k: str(v) for k, v in (body.get("tags") or {}).items()},
    }


def props(body: dict[str, Any] | None) -> dict[str, Any]:
    return (body or {}).get("properties") or {}


def subscription_path(scope: AzureScope, path: str = "") -> str:
    return f"/subscriptions/{scope.subscription}{path}"
