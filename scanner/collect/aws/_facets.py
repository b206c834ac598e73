"""Per-resource getters ("facets"): a denied getter marks one field of one resource unreadable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


def read_facets(
    scope: AwsScope, service: str, region: str, getters: dict[str, Callable[[], dict[str, Any]]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run each getter the plan reads; merge the fields they return, and record a reason for each that failed."""
    from scanner.collect.aws._client import classify  # botocore: only when collecting

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
            errors[facet] = classify(exc, service, region).reason
    return fields, errors


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code"))
    return None
