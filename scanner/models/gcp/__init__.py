"""The GCP inventory: one attribute per service, named as the collection keys (`gcp.<service>.<attr>`).

Scopes are projects: each project-level resource has `account` = its project id and `region` = its
location / zone or "global"; organization-level facts (`resourcemanager.organization`, `directory`,
`securitycenter`, `logging.org_sinks`) have `account` = the organization id and region "global".

Importing this package imports no service model: `GcpInventory` (every service) is loaded on first use, so a
scan imports the models of the services it reads, not the whole catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.models.gcp.inventory import GcpInventory

__all__ = ["GcpInventory"]


def __getattr__(name: str) -> Any:
    if name == "GcpInventory":
        from scanner.models.gcp.inventory import GcpInventory

        return GcpInventory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
