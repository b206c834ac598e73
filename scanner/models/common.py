"""Value types shared by every provider: statuses, severities, categories, coverage, resources."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from scanner.models.enums import Category, CoverageState, Severity, Status

__all__ = ["Category", "Coverage", "CoverageState", "Frozen", "Resource", "ResourceSource", "Severity", "SourceLocation",
           "SourceSpan", "Status", "Timestamp"]


def _aware_iso8601(value: Any) -> Any:
    """Only a datetime with a time zone, or its ISO 8601 text: pydantic alone would read 12345 as
    seconds since 1970 and "2026-01-01T00:00" as a naive time, and checks would judge ages from them."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be an ISO 8601 timestamp with a time zone, e.g. 2026-01-31T12:00:00Z") from None
        if "T" not in value.upper():
            raise ValueError("must be an ISO 8601 timestamp (date and time) with a time zone, e.g. 2026-01-31T12:00:00Z")
    else:
        raise ValueError("must be an ISO 8601 timestamp with a time zone, e.g. 2026-01-31T12:00:00Z")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("must carry a time zone (e.g. 2026-01-31T12:00:00Z): a naive time cannot be placed")
    return moment


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


# The scan's own moments (collected_at, started_at...): timezone-aware ISO 8601, kept in UTC.
Timestamp = Annotated[datetime, BeforeValidator(_aware_iso8601), AfterValidator(_utc)]


class Coverage(BaseModel):
    """What happened to one collection key in one scope (a region, or "global")."""

    model_config = ConfigDict(frozen=True)

    key: str
    scope: str
    state: CoverageState
    reason: str | None = None
    error_code: str | None = None
    # The per-resource facets read in this unit when the plan read only some of the collector's
    # (absent: all of them). A verdict resting on another facet of this key is ERROR.
    facets: list[str] | None = Field(default=None, exclude_if=lambda value: value is None)


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SourceSpan(Frozen):
    """Lines of a file in an infrastructure-as-code source (a Terraform block or attribute)."""

    file: str  # relative to the scanned root, "/" separators
    start_line: int
    end_line: int
    address: str  # the Terraform address of the block, e.g. module.data.aws_db_instance.main


class SourceLocation(SourceSpan):
    """Where a finding's deciding setting is written: the span plus the scanned root it is relative to."""

    root: str  # the scanned root, relative to the working directory ("." for it), "/" separators
    # The address of the resource the finding is about, where the lines are another block's
    # (an aws_s3_bucket_versioning that decides a bucket's verdict).
    resource_address: str | None = Field(default=None, exclude_if=lambda value: value is None)


class ResourceSource(SourceLocation):
    """Where an IaC source declared a resource (the resource block), and how it read each field.

    `fields` locates the fields set somewhere other than the whole block (an attribute, or a
    separate block such as aws_s3_bucket_versioning); `unresolved` names the fields whose value
    Terraform knows only after apply, or that rest on a variable with no value (verdicts reading
    them are UNKNOWN); `defaults` names the fields that hold a provider or cloud default because
    the configuration does not set them, with that default's source.
    """

    fields: dict[str, SourceSpan] = Field(default_factory=dict)
    unresolved: dict[str, str] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)


class Resource(Frozen):
    """A cloud resource as collected. Subclasses add the facts checks read.

    `errors` maps a field name to the reason it could not be read (for example a per-bucket getter
    that was denied); the engine turns any verdict resting on such a field into ERROR.
    """

    id: str  # ARN / resource id: unique within the provider
    name: str
    region: str  # "global" for global services
    account: str
    errors: dict[str, str] = Field(default_factory=dict)
    # Set by IaC sources only (absent from live snapshots): where the resource is declared.
    source: ResourceSource | None = Field(default=None, exclude_if=lambda value: value is None)
