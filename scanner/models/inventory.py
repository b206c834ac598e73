"""The inventory snapshot: every fact a verdict rests on, plus what could not be collected.

`Inventory` is the inventory of ONE scope: an AWS account, an Azure subscription, a GCP project, or
the organization itself (the Entra ID tenant, the GCP organization, AWS Organizations). `Snapshot`
is a whole scan: run metadata, the plan it followed, and one `Inventory` per scope it covered.
Snapshots of schema "1" held a single inventory; `scanner.engine.scan.load_snapshot` still reads them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import core_schema

from scanner.models.common import Coverage, CoverageState, Timestamp

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory
    from scanner.models.azure import AzureInventory
    from scanner.models.gcp import GcpInventory

INVENTORY_SCHEMA_VERSION = "1"  # one scope's inventory (and the whole snapshot before organizations)
SNAPSHOT_SCHEMA_VERSION = "2"  # a scan: scopes + plan

ScopeKind = Literal["account", "subscription", "project", "organization"]
MEMBER_KINDS = ("account", "subscription", "project")


class Identity(BaseModel):
    """Who ran the collection: the account/subscription/project and the principal."""

    account: str
    principal: str | None = None  # ARN / object id / service-account email
    partition: str | None = None


class ScopeRef(BaseModel):
    """One unit of work, of failure, of sharding and of evaluation: an AWS account, an Azure
    subscription, a GCP project, or the organization itself (kind "organization")."""

    model_config = ConfigDict(frozen=True)

    provider: str
    kind: ScopeKind
    id: str
    name: str | None = None  # display name (subscription / project / account name), when known
    regions: tuple[str, ...] = ()  # AWS: the regions scanned in this account

    def describe(self) -> str:
        return f"{self.kind} {self.id}" + (f" ({self.name})" if self.name and self.name != self.id else "")


class InventoryMetadata(BaseModel):
    tool_version: str
    provider: str
    collected_at: Timestamp  # UTC; age-based checks use it as "now"
    finished_at: Timestamp | None = None
    identity: Identity  # identity.account is the scope's id; principal is the caller
    regions: list[str] = Field(default_factory=list)
    # What a collection unit is for this provider: a region (AWS), or an account-like container
    # (Azure subscription, GCP project) named in each resource's `account`.
    scope_field: Literal["region", "account"] = "region"
    scopes: list[str] = Field(default_factory=list)  # subscriptions / projects, where scope_field is "account"
    checks: list[str] = Field(default_factory=list)  # the checks the collection plan was built for
    incomplete: bool = False  # interrupted before every collection finished
    api_calls: dict[str, int] = Field(default_factory=dict)  # "service:Operation" -> calls
    # The scope this inventory is (None: a schema-1 inventory that held a whole scan, evaluated as one).
    scope_kind: ScopeKind | None = None
    scope_name: str | None = None
    organization: str | None = None  # the organization scope's id this scope belongs to, if any


class _ProviderInventory:
    """The type of an Inventory's provider field (`AwsInventory` ...), resolved on first use.

    A provider's inventory model holds every service model of that provider: hundreds of pydantic
    models whose import and schema build cost a large share of start-up. Typed through this marker,
    an AWS scan never imports the Azure and GCP models, and imports the AWS ones only when a value is
    validated. Validation, serialisation and the JSON Schema are the model's own."""

    def __init__(self, provider: str, name: str) -> None:
        self.module, self.name = f"scanner.models.{provider}.inventory", name

    def model(self) -> type[BaseModel]:
        return getattr(importlib.import_module(self.module), self.name)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        def validate(value: Any) -> Any:
            model = self.model()
            return value if isinstance(value, model) else model.model_validate(value)

        def serialize(value: BaseModel, info: Any) -> Any:
            return value.model_dump(
                mode=info.mode, by_alias=info.by_alias, exclude_unset=info.exclude_unset, exclude_defaults=info.exclude_defaults,
                exclude_none=info.exclude_none, round_trip=info.round_trip,
            )

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(serialize, info_arg=True)
        )

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        return handler(self.model().__pydantic_core_schema__)


_PROVIDER_FIELDS = {
    "aws": _ProviderInventory("aws", "AwsInventory"),
    "azure": _ProviderInventory("azure", "AzureInventory"),
    "gcp": _ProviderInventory("gcp", "GcpInventory"),
}
if TYPE_CHECKING:
    AwsField = AwsInventory
    AzureField = AzureInventory
    GcpField = GcpInventory
else:
    AwsField = Annotated[Any, _PROVIDER_FIELDS["aws"]]
    AzureField = Annotated[Any, _PROVIDER_FIELDS["azure"]]
    GcpField = Annotated[Any, _PROVIDER_FIELDS["gcp"]]


# A scope's coverage by key, for the last few coverage lists asked about (by identity, with their
# length): evaluating a scope asks for its checks' keys thousands of times, and a scope of an AWS
# account has one entry per key and region (hundreds). The list is held, so its id stays its own.
_COVERAGE_INDEX: dict[int, tuple[list[Coverage], int, dict[str, list[Coverage]]]] = {}
_INDEX_FROM = 32  # shorter lists are scanned


class Inventory(BaseModel):
    schema_version: str = INVENTORY_SCHEMA_VERSION
    metadata: InventoryMetadata
    coverage: list[Coverage] = Field(default_factory=list)
    aws: AwsField | None = None
    azure: AzureField | None = None
    gcp: GcpField | None = None

    def coverage_for(self, key: str) -> list[Coverage]:
        coverage = self.coverage
        if len(coverage) < _INDEX_FROM:
            return [c for c in coverage if c.key == key]
        cached = _COVERAGE_INDEX.get(id(coverage))
        if cached is None or cached[0] is not coverage or cached[1] != len(coverage):
            index: dict[str, list[Coverage]] = {}
            for entry in coverage:
                index.setdefault(entry.key, []).append(entry)
            if len(_COVERAGE_INDEX) >= 8:
                del _COVERAGE_INDEX[next(iter(_COVERAGE_INDEX))]
            cached = _COVERAGE_INDEX[id(coverage)] = (coverage, len(coverage), index)
        return list(cached[2].get(key, ()))

    def value(self, key: str) -> Any:
        """The collected value at a collection key, e.g. `aws.s3.buckets`."""
        node: Any = self
        for part in key.split("."):
            node = getattr(node, part)
        return node

    def is_complete(self, key: str) -> bool:
        entries = self.coverage_for(key)
        return bool(entries) and all(c.state in (CoverageState.COLLECTED, CoverageState.UNSUPPORTED) for c in entries)

    @property
    def scope_id(self) -> str:
        return self.metadata.identity.account

    def scope_ref(self) -> ScopeRef:
        meta = self.metadata
        return ScopeRef(
            provider=meta.provider,
            kind=meta.scope_kind or ("account" if meta.scope_field == "region" else "organization"),
            id=meta.identity.account,
            name=meta.scope_name,
            regions=tuple(meta.regions) if meta.scope_field == "region" else (),
        )


_TYPED: dict[str, type[Inventory] | None] = {}


def validate_scope_json(text: str | bytes, provider: str) -> Inventory:
    """One scope's JSON text as an Inventory, its `provider` field validated straight from the JSON
    into the provider's models (one pass in pydantic-core, no Python dicts in between: about twice as
    fast as Inventory.model_validate_json, whose provider fields go through Python values). The same
    values as Inventory's own validation; on any error (or an unknown provider) that validation runs,
    so bad input reads exactly as before."""
    typed = prepare_scope_validation(provider)
    if typed is None:
        return Inventory.model_validate_json(text)
    try:
        scope = typed.model_validate_json(text)
    except ValidationError:
        return Inventory.model_validate_json(text)
    return Inventory.model_construct(_fields_set=scope.model_fields_set, **scope.__dict__)


def prepare_scope_validation(provider: str) -> type[Inventory] | None:
    """The model validate_scope_json validates `provider`'s scopes with, built at the first call (a
    process about to fork calls it first, so that its workers do not build it again)."""
    if provider not in _TYPED:
        _TYPED[provider] = _typed_inventory(provider)
    return _TYPED[provider]


def _typed_inventory(provider: str) -> type[Inventory] | None:
    """Inventory with its `provider` field typed by the provider's model (imported now), or None."""
    from pydantic import create_model

    marker = _PROVIDER_FIELDS.get(provider)
    if marker is None:
        return None
    model: type[Inventory] = create_model(  # type: ignore[call-overload]
        f"_{provider.capitalize()}ScopeInventory", __base__=Inventory, **{provider: (marker.model() | None, None)}
    )
    return model


class ScanPlan(BaseModel):
    """What every shard of one scan must share, and its digest (`trustscan merge` compares them)."""

    digest: str  # sha256 over every field below
    tool_version: str
    provider: str
    organization: str | None = None
    checks: list[str]
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)  # resolved, for checks that have parameters
    scopes: list[ScopeRef]  # every scope of the scan, in partition order (the organization first)
    shard_count: int = 1
    options: dict[str, Any] = Field(default_factory=dict)  # the provider's plan_options(): role name, flags...


class ShardInfo(BaseModel):
    """Which part of a plan a shard covered."""

    index: int  # K, 1-based
    count: int  # N
    scopes: list[str]  # the ids of the scopes this shard covered, sorted


class SnapshotMetadata(BaseModel):
    tool_version: str
    provider: str
    collected_at: Timestamp  # when the run started collecting
    finished_at: Timestamp | None = None
    identity: Identity  # the caller (its account / tenant / organization, and the principal)
    organization: str | None = None
    regions: list[str] = Field(default_factory=list)  # every region scanned (AWS)
    checks: list[str] = Field(default_factory=list)
    incomplete: bool = False
    api_calls: dict[str, int] = Field(default_factory=dict)  # the whole run's calls
    plan: ScanPlan | None = None  # recorded for sharded scans (and kept by merge)
    shard: ShardInfo | None = None


class Snapshot(BaseModel):
    """A scan's snapshot: one Inventory per scope, sorted by scope id."""

    schema_version: str = SNAPSHOT_SCHEMA_VERSION
    metadata: SnapshotMetadata
    scopes: list[Inventory] = Field(default_factory=list)

    def organization_scope(self) -> Inventory | None:
        return next((s for s in self.scopes if s.metadata.scope_kind == "organization"), None)

    def members(self) -> list[Inventory]:
        return [s for s in self.scopes if s.metadata.scope_kind != "organization"]

    def member_ids(self) -> list[str]:
        return [s.scope_id for s in self.members()]

    @property
    def coverage(self) -> list[Coverage]:
        """Every scope's coverage, in scope order."""
        return [c for scope in self.scopes for c in scope.coverage]
