"""Value types shared by every provider: statuses, severities, categories, coverage, resources."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"  # an input the check reads could not be collected
    UNKNOWN = "UNKNOWN"  # input present but the check cannot decide
    NOT_APPLICABLE = "NOT_APPLICABLE"  # nothing in scope
    WAIVED = "WAIVED"


class Severity(str, Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Category(str, Enum):
    MFA = "mfa/identity"
    ENCRYPTION = "encryption"
    LOGGING = "logging"
    BACKUP = "backup/availability"
    OTHER = "other"


class CoverageState(str, Enum):
    COLLECTED = "collected"
    FAILED = "failed"  # access denied, throttled, region disabled...: checks yield ERROR
    UNSUPPORTED = "unsupported"  # the service does not exist there: checks yield NOT_APPLICABLE
    NOT_COLLECTED = "not_collected"  # never attempted (interrupted, or not in the plan)


class Coverage(BaseModel):
    """What happened to one collection key in one scope (a region, or "global")."""

    model_config = ConfigDict(frozen=True)

    key: str
    scope: str
    state: CoverageState
    reason: str | None = None
    error_code: str | None = None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
