"""Service Usage: the APIs enabled in each project."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.gcp.serviceusage import EnabledServices

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector("gcp.serviceusage.enabled_services", regional=True, permissions=["serviceusage.services.list"])
def enabled_services(scope: GcpScope) -> list[EnabledServices]:
    found = scope.pages("serviceusage", "services.list", "services", parent=f"projects/{scope.project}", filter="state:ENABLED")
    names = sorted({(s.get("config") or {}).get("name") or s["name"].rsplit("/", 1)[-1] for s in found})
    return [EnabledServices(id=f"projects/{scope.project}/services", name=scope.project, region="global", account=scope.account, services=names)]
