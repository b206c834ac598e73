"""The report: findings, per-criterion rollup, counts and scan metadata. Formatters render it."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scanner.models.common import Category, Severity, SourceLocation, Status, Timestamp
from scanner.models.inventory import Identity, Inventory, ScanPlan, ShardInfo

# 1.1: per-scope summaries (`scopes`), the organization, shard plan and deferred checks, the account
# of each collection error. Every 1.0 report is a valid 1.1 report.
REPORT_SCHEMA_VERSION = "1.1"


class AppliedWaiver(BaseModel):
    """The waiver that turned a finding into WAIVED: who accepted the risk, why, until when."""

    waiver_id: str
    justification: str
    owner: str
    expires: date
    ticket: str | None = None
    original_status: Status  # the verdict before the waiver (FAIL, ERROR...)


class WaiverRecord(BaseModel):
    """A waiver from the configuration as this scan saw it: still in force, expired, or matching nothing."""

    waiver_id: str
    check: str  # check id or glob
    resource: str  # resource id / name glob
    account: str | None = None
    region: str | None = None
    justification: str
    owner: str
    ticket: str | None = None
    expires: date
    state: Literal["active", "expired", "stale"]  # stale: in force but waived no finding
    matched: int = 0  # findings it matches that are not PASS / NOT_APPLICABLE
    waived: int = 0  # of those, the findings it turned into WAIVED (overlaps go to the first waiver)


class Finding(BaseModel):
    # Immutable (model_copy(update=...) makes a changed one): the engine's findings share one set of
    # the names of their fields set, which an assignment would change for all of them.
    model_config = ConfigDict(frozen=True)

    finding_id: str  # stable: sha256 of provider, check id and resource id
    check_id: str
    check_title: str
    provider: str
    service: str
    severity: Severity
    category: Category
    resource_type: str
    resource_id: str
    resource_name: str
    account: str
    region: str
    status: Status
    message: str  # names the setting that decided the verdict
    evidence: dict[str, Any] = Field(default_factory=dict)
    criteria: dict[str, list[str]] = Field(default_factory=dict)  # framework -> criterion ids
    remediation: str
    waiver: AppliedWaiver | None = None  # set when status is WAIVED
    baseline_state: Literal["new", "unchanged", "resolved"] | None = None  # set with --baseline
    # IaC sources only (absent for live findings): the file and lines of the block or attribute that decided it.
    location: SourceLocation | None = Field(default=None, exclude_if=lambda value: value is None)


class CriterionState(str, Enum):
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    INCOMPLETE = "incomplete"
    MANUAL = "manual"


class CriterionRollup(BaseModel):
    framework: str
    criterion: str
    title: str
    state: CriterionState
    checks: list[str]  # mapped checks evaluated in this report
    counts: dict[Status, int]
    manual_evidence: list[str] = Field(default_factory=list)


class CollectionError(BaseModel):
    key: str
    scope: str  # the unit: a region, a subscription / project, or "global"
    state: str
    reason: str
    error_code: str | None = None
    account: str | None = None  # the scope (account / subscription / project / organization) it belongs to

    def location(self, with_account: bool = True) -> str:
        """Where it failed: the unit, with its account when the unit does not name it (and several were scanned)."""
        if not with_account or not self.account or self.scope == self.account:
            return self.scope
        return self.account if self.scope == "global" else f"{self.account} {self.scope}"


class ScopeSummary(BaseModel):
    """What was scanned in one scope (account, subscription, project, or the organization itself)."""

    id: str
    kind: str  # account | subscription | project | organization
    name: str | None = None
    regions: list[str] = Field(default_factory=list)
    # scanned: every collection answered; partly_failed: some failed; failed: none answered (nothing was read)
    state: Literal["scanned", "partly_failed", "failed"]
    collection_errors: int = 0
    counts: dict[Status, int] = Field(default_factory=dict)  # findings per status in this scope
    # framework -> criterion -> state, over the checks evaluated in this scope (criteria none of them maps are left out)
    criteria: dict[str, dict[str, CriterionState]] = Field(default_factory=dict)


class DeferredChecks(BaseModel):
    """Checks a shard could not decide (they read organization facts and member facts, and the shard
    lacks one side), with the facts they read for its scopes: `trustscan merge` evaluates them."""

    checks: list[str]
    scopes: list[Inventory]  # each scope's inventory restricted to what the deferred checks read (secrets redacted)


class ScanMetadata(BaseModel):
    tool_version: str
    provider: str
    source: str  # "live", "demo" or "snapshot"
    identity: Identity
    regions: list[str]
    scopes: list[str] = Field(default_factory=list)  # subscriptions / projects scanned (Azure, GCP)
    collected_at: Timestamp
    started_at: Timestamp
    finished_at: Timestamp
    elapsed_seconds: float
    checks_evaluated: int
    incomplete: bool = False
    api_calls: dict[str, int] = Field(default_factory=dict)
    parameters: dict[str, dict[str, Any]] = Field(default_factory=dict)
    organization: str | None = None  # the organization scope's id (Entra tenant, GCP / AWS organization)
    plan: ScanPlan | None = None  # the scan plan, for sharded scans and their merge
    shard: ShardInfo | None = None  # which part of the plan this report covers (unset once merged)


class BaselineComparison(BaseModel):
    """The report compared with an earlier one by finding id (`--baseline`, `trustscan diff`)."""

    baseline_collected_at: Timestamp
    baseline_tool_version: str
    counts: dict[Literal["new", "unchanged", "resolved"], int]
    new_failures: int  # FAIL findings marked new: what --fail-on-new-only gates on
    resolved_findings: list[Finding] = Field(default_factory=list)  # baseline failures whose resource is gone


class Report(BaseModel):
    schema_version: str = REPORT_SCHEMA_VERSION
    metadata: ScanMetadata
    summary: dict[Status, int]
    findings: list[Finding]
    criteria: list[CriterionRollup]
    collection_errors: list[CollectionError] = Field(default_factory=list)
    waivers: list[WaiverRecord] = Field(default_factory=list)  # every configured waiver and its state
    baseline: BaselineComparison | None = None  # set with --baseline
    scopes: list[ScopeSummary] = Field(default_factory=list)  # per scope: state, counts, criteria
    deferred: DeferredChecks | None = None  # a shard's checks left to `trustscan merge`

