"""The inventory snapshot: every fact a verdict rests on, plus what could not be collected."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from scanner.models.aws import AwsInventory
from scanner.models.azure import AzureInventory
from scanner.models.common import Coverage, CoverageState, Timestamp
from scanner.models.gcp import GcpInventory

INVENTORY_SCHEMA_VERSION = "1"


class Identity(BaseModel):
    """Who ran the collection: the account/subscription/project and the principal."""

    account: str
    principal: str | None = None  # ARN / object id / service-account email
    partition: str | None = None


class InventoryMetadata(BaseModel):
    tool_version: str
    provider: str
    collected_at: Timestamp  # UTC; age-based checks use it as "now"
    finished_at: Timestamp | None = None
    identity: Identity
    regions: list[str] = Field(default_factory=list)
    # What a collection scope is for this provider: a region (AWS), or an account-like container
    # (Azure subscription, GCP project) named in each resource's `account`.
    scope_field: Literal["region", "account"] = "region"
    scopes: list[str] = Field(default_factory=list)  # subscriptions / projects, where scope_field is "account"
    checks: list[str] = Field(default_factory=list)  # the checks the collection plan was built for
    incomplete: bool = False  # interrupted before every collection finished
    api_calls: dict[str, int] = Field(default_factory=dict)  # "service:Operation" -> calls


class Inventory(BaseModel):
    schema_version: str = INVENTORY_SCHEMA_VERSION
    metadata: InventoryMetadata
    coverage: list[Coverage] = Field(default_factory=list)
    aws: AwsInventory | None = None
    azure: AzureInventory | None = None
    gcp: GcpInventory | None = None

    def coverage_for(self, key: str) -> list[Coverage]:
        return [c for c in self.coverage if c.key == key]

    def value(self, key: str) -> Any:
        """The collected value at a collection key, e.g. `aws.s3.buckets`."""
        node: Any = self
        for part in key.split("."):
            node = getattr(node, part)
        return node

    def is_complete(self, key: str) -> bool:
        entries = self.coverage_for(key)
        return bool(entries) and all(c.state in (CoverageState.COLLECTED, CoverageState.UNSUPPORTED) for c in entries)
