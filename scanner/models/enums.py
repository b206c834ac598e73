"""The states and scales every layer names (statuses, severities, categories, coverage states),
without pydantic: the AWS API layer and check metadata import them before the first request, and
the models (scanner.models.common re-exports them) load while that request is in flight."""

from __future__ import annotations

from enum import Enum


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
    NETWORK = "network"  # exposure to the Internet: open admin ports, public endpoints (CC6.6)
    OTHER = "other"


class CoverageState(str, Enum):
    COLLECTED = "collected"
    FAILED = "failed"  # access denied, throttled, region disabled...: checks yield ERROR
    UNSUPPORTED = "unsupported"  # the service does not exist there: checks yield NOT_APPLICABLE
    NOT_COLLECTED = "not_collected"  # never attempted (interrupted, or not in the plan)
