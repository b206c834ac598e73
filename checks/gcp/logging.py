"""Cloud Logging: Data Access audit logs, an export of all logs, log bucket retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.models.gcp.iam_policy import IamPolicy
from scanner.models.gcp.logging import LogSink
from scanner.models.index import group_by, per_inventory
from scanner.registry import CheckContext, Param, Result, check

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

AUDIT_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def _all_services(policy: IamPolicy | None) -> tuple[set[str], set[str]]:
    types: set[str] = set()
    exempted: set[str] = set()
    for config in (policy.audit_configs if policy else []):
        if config.service != "allServices":
            continue
        for log in config.audit_log_configs:
            types.add(log.log_type)
            exempted |= set(log.exempted_members)
    return types, exempted


@check(
    id="gcp.logging.data_access_audit_logs",
    title="Data Access audit logs are enabled for all services (project or organization policy)",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.resourcemanager.projects:iam_policy", "gcp.resourcemanager.organization:iam_policy"],
    params={"allow_exemptions": False},
    remediation="Add an auditConfigs entry for allServices with ADMIN_READ, DATA_READ and DATA_WRITE to the organization "
    "(or project) IAM policy, without exemptedMembers.",
)
def data_access_audit_logs(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Admin Activity logs are always on, but reads and writes of data are logged only when Data
    Access audit logs are enabled: without them no one can tell who read confidential data (CC7.2,
    CC7.3). The organization's audit configs apply to every project beneath it (folder-level audit
    configs are not read)."""
    org = inv.resourcemanager.organization
    org_types, org_exempt = _all_services(org.iam_policy if org else None)
    org_unreadable = org is not None and org.iam_policy is None
    for project in inv.resourcemanager.projects:
        types, exempt = _all_services(project.iam_policy)
        types |= org_types
        exempt |= org_exempt
        missing = [t for t in AUDIT_TYPES if t not in types]
        evidence = {"log_types": sorted(types), "exempted_members": sorted(exempt)}
        if missing and org_unreadable:
            yield Result.unknown(project, f"project policy lacks {', '.join(missing)} and the organization policy could not be read", **evidence)
        elif missing:
            yield Result.failed(project, f"allServices audit config lacks {', '.join(missing)}", **evidence)
        elif exempt and not ctx.params["allow_exemptions"]:
            yield Result.failed(project, f"Data Access logs exempt {', '.join(sorted(exempt))}", **evidence)
        else:
            yield Result.passed(project, "allServices logs ADMIN_READ, DATA_READ and DATA_WRITE", **evidence)


@per_inventory
def _sinks_by_project(inv: GcpInventory) -> dict[str, list[LogSink]]:
    return group_by(inv.logging.sinks, lambda sink: sink.account)


@check(
    id="gcp.logging.sink_exports_all",
    title="A log sink exports all of each project's logs",
    severity=Severity.MEDIUM,
    category=Category.LOGGING,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.logging.sinks", "gcp.logging.org_sinks", "gcp.resourcemanager.projects"],
    remediation="Create an aggregated sink at the organization with --include-children and no filter (or a project sink "
    "with no filter) to a locked Cloud Storage bucket, BigQuery dataset or log bucket.",
)
def sink_exports_all(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """The _Default bucket keeps logs 30 days and project owners can delete them; a sink with no
    filter copies every entry to storage the organization controls and retains (CC7.2, CC7.3)."""
    org_sinks = [s.name for s in inv.logging.org_sinks if s.include_children and not s.filter.strip() and not s.disabled]
    for project in inv.resourcemanager.projects:
        sinks = _sinks_by_project(inv).get(project.account, [])
        own = [s.name for s in sinks if not s.filter.strip() and not s.disabled]
        if own or org_sinks:
            yield Result.passed(project, f"unfiltered sink(s): {', '.join(own + [f'organization/{n}' for n in org_sinks])}")
        else:
            filtered = [f"{s.name} ({s.filter})" for s in sinks]
            yield Result.failed(project, "no enabled sink without a filter" + (f"; filtered sinks: {', '.join(filtered)}" if filtered else ""))


@check(
    id="gcp.logging.bucket_retention",
    title="Log buckets retain logs for at least the configured days (locked where required)",
    severity=Severity.LOW,
    category=Category.LOGGING,
    resource_type="logging.googleapis.com/LogBucket",
    reads=["gcp.logging.buckets"],
    params={"min_days": Param(365, minimum=1, maximum=3650), "require_locked": False},
    remediation="gcloud logging buckets update BUCKET --location L --retention-days 365 [--locked]",
)
def bucket_retention(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Incidents are often found months after they start; logs must outlive the detection gap and
    the audit period (CC7.2). The _Required bucket's 400 days are fixed by Google and skipped."""
    need, locked = ctx.params["min_days"], ctx.params["require_locked"]
    for bucket in inv.logging.buckets:
        if bucket.id.endswith("/buckets/_Required") or bucket.lifecycle_state not in (None, "ACTIVE"):
            continue
        days = bucket.retention_days or 30
        evidence = {"retention_days": days, "locked": bucket.locked}
        if days < need:
            yield Result.failed(bucket, f"retentionDays is {days} (minimum {need})", **evidence)
        elif locked and not bucket.locked:
            yield Result.failed(bucket, f"retentionDays is {days} but the bucket is not locked", **evidence)
        else:
            yield Result.passed(bucket, f"retentionDays is {days}{' (locked)' if bucket.locked else ''}", **evidence)
