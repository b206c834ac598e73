"""The base of every Azure resource: an ARM id, its subscription (`account`) and location (`region`)."""

from __future__ import annotations

from pydantic import Field

from scanner.models.common import Resource


class AzureResource(Resource):
    """`id` is the ARM resource id (or the Graph object id for tenant objects); `account` is the
    subscription id (the tenant id for Entra ID objects); `region` the location, or "global"."""

    resource_group: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
