"""The AWS inventory: one attribute per service, named as the collection keys (`aws.<service>.<attr>`).

Importing this package imports no service model: `AwsInventory` (every service) is loaded on first use, so a
scan imports the models of the services it reads, not the whole catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.models.aws.inventory import AwsInventory

__all__ = ["AwsInventory"]


def __getattr__(name: str) -> Any:
    if name == "AwsInventory":
        from scanner.models.aws.inventory import AwsInventory

        return AwsInventory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
