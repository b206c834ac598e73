"""Service Usage: which APIs each project has enabled."""

from __future__ import annotations

from pydantic import BaseModel, Field

from scanner.models.common import Resource


class EnabledServices(Resource):
    """The APIs enabled in one project (id = "projects/<id>/services")."""

    services: list[str] = Field(default_factory=list)


class ServiceUsage(BaseModel):
    enabled_services: list[EnabledServices] = Field(default_factory=list)
