"""Per-resource getters ("facets"): a denied getter marks one field of one resource unreadable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope


def read_facets(
    scope: AwsScope, service: str, region: str, getters: dict[str, Callable[[], dict[str, Any]]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Run each getter the plan reads; merge the fields they return, and record a reason for each that failed.

    The getters of one resource are independent requests: they run concurrently on the run's pool
    (the caller takes part, so this cannot deadlock), so a resource costs about one round trip, not
    one per getter (S3: nine per bucket). That chain, not the number of calls, was what kept the
    last accounts of an organization scan, and every shard of it, waiting with idle workers."""
    from scanner.collect.aws._client import classify  # botocore: only when collecting

    plan = scope.facets
    wanted = [(facet, getter) for facet, getter in getters.items() if plan is None or plan.reads(facet)]
    # (facets not read: no selected check reads them; their fields stay unset, coverage says so)

    def read(item: tuple[str, Callable[[], dict[str, Any]]]) -> tuple[dict[str, Any] | None, str | None]:
        facet, getter = item
        try:
            values = getter()
            if plan is not None:
                plan.check_fields(facet, values)
            return values, None
        except Exception as exc:  # noqa: BLE001 - one unreadable facet must not lose the resource
            return None, classify(exc, service, region).reason

    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for (facet, _), (values, reason) in zip(wanted, scope.map(read, wanted), strict=True):
        if reason is not None:
            errors[facet] = reason
        else:
            fields.update(values or {})
    return fields, errors


def error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code"))
    return None
