"""The Azure inventory: one attribute per service, named as the collection keys (`azure.<service>.<attr>`).

Importing this package imports no service model: `AzureInventory` (every service) is loaded on first use, so a
scan imports the models of the services it reads, not the whole catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.models.azure.inventory import AzureInventory

__all__ = ["AzureInventory"]


def __getattr__(name: str) -> Any:
    if name == "AzureInventory":
        from scanner.models.azure.inventory import AzureInventory

        return AzureInventory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
