"""Waivers: accepted risks applied to a report after evaluation, as a function over its findings.

A waived finding keeps its message and evidence; its status becomes WAIVED and the waiver (with the
original verdict) is attached. Only verdicts that need attention are waivable (FAIL, ERROR, UNKNOWN).
A waiver stops applying at midnight after its `expires` date in the configured time zone, judged at
the report's `collected_at` (so re-evaluating a snapshot gives the same answer). Overlapping waivers:
the first one in file order that is still in force applies. Every configured waiver is listed in the
report with its state: active, expired, or stale (in force but matching no waivable finding).

Applying is idempotent: findings already waived are restored to their original verdict first, so a
saved report can be re-checked against the waivers it records.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone, tzinfo

from scanner.config import Waiver
from scanner.engine.evaluate import summarise
from scanner.mapping import load_framework, rollup
from scanner.models.common import Status
from scanner.models.report import AppliedWaiver, CriterionRollup, Finding, Report, WaiverRecord

WAIVABLE = frozenset({Status.FAIL, Status.ERROR, Status.UNKNOWN})


def verdict(finding: Finding) -> Status:
    """The check's own verdict, looking through a waiver."""
    if finding.status == Status.WAIVED and finding.waiver is not None:
        return finding.waiver.original_status
    return finding.status


def unwaived(finding: Finding) -> Finding:
    if finding.status != Status.WAIVED or finding.waiver is None:
        return finding
    return finding.model_copy(update={"status": finding.waiver.original_status, "waiver": None})


def apply_waivers(report: Report, waivers: Sequence[Waiver], zone: tzinfo = timezone.utc) -> Report:
    """A new report with the waivers applied, the summary and criteria recounted, and every waiver's state."""
    applier = WaiverApplier(waivers, report.metadata.collected_at, zone)
    findings = [applier.apply(finding) for finding in report.findings]
    return report.model_copy(
        update={
            "findings": findings,
            "summary": summarise(findings),
            "criteria": recount_criteria(report, findings),
            "scopes": recount_scope_summaries(report, findings),
            "waivers": applier.records(),
        }
    )


class WaiverApplier:
    """The waivers applied one finding at a time (a streamed report), and every waiver's state after."""

    def __init__(self, waivers: Sequence[Waiver], collected_at: datetime, zone: tzinfo = timezone.utc) -> None:
        now = collected_at if collected_at.tzinfo is not None else collected_at.replace(tzinfo=timezone.utc)
        self.waivers = list(waivers)
        self.in_force = {w.id for w in self.waivers if now < w.ends_at(zone)}
        self.matched: Counter[str] = Counter()
        self.waived: Counter[str] = Counter()

    def apply(self, finding: Finding) -> Finding:
        finding = unwaived(finding)
        if finding.status in WAIVABLE:
            hits = [w for w in self.waivers if _matches(w, finding)]
            self.matched.update(w.id for w in hits)
            applied = next((w for w in hits if w.id in self.in_force), None)
            if applied is not None:
                self.waived[applied.id] += 1
                finding = finding.model_copy(update={"status": Status.WAIVED, "waiver": _applied(applied, finding.status)})
        return finding

    def records(self) -> list[WaiverRecord]:
        return [
            WaiverRecord(
                waiver_id=w.id,
                check=w.check,
                resource=w.resource,
                account=w.account,
                region=w.region,
                justification=w.justification,
                owner=w.owner,
                ticket=w.ticket,
                expires=w.expires,
                state="expired" if w.id not in self.in_force else "active" if self.matched[w.id] else "stale",
                matched=self.matched[w.id],
                waived=self.waived[w.id],
            )
            for w in self.waivers
        ]


def _matches(waiver: Waiver, finding: Finding) -> bool:
    """By resource id or name; for IaC findings also by Terraform address (aws_s3_bucket.logs)."""
    if waiver.matches(finding.check_id, finding.resource_id, finding.resource_name, finding.account, finding.region):
        return True
    location = finding.location
    if location is None:
        return False
    addresses = [a for a in (location.resource_address, location.address) if a]
    return any(waiver.matches(finding.check_id, a, a, finding.account, finding.region) for a in addresses)


def _applied(waiver: Waiver, original: Status) -> AppliedWaiver:
    return AppliedWaiver(
        waiver_id=waiver.id,
        justification=waiver.justification,
        owner=waiver.owner,
        expires=waiver.expires,
        ticket=waiver.ticket,
        original_status=original,
    )


def recount_criteria(report: Report, findings: list[Finding]) -> list[CriterionRollup]:
    """The per-criterion rollup for new statuses: the same frameworks, checks and providers as the report."""
    evaluated = list(dict.fromkeys(f.check_id for f in findings))
    frameworks = dict.fromkeys(c.framework for c in report.criteria)
    criteria: list[CriterionRollup] = []
    for name in frameworks:
        # a Terraform report spans the clouds its findings come from
        providers = {report.metadata.provider} | {f.provider for f in findings}
        criteria.extend(rollup(load_framework(name), findings, evaluated, providers))
    return criteria


def recount_scope_summaries(report: Report, findings: list[Finding]) -> list:
    """Each scope's counts and criteria for the new statuses."""
    from scanner.engine.evaluate import recount_scopes

    frameworks = {name: load_framework(name) for name in dict.fromkeys(c.framework for c in report.criteria)}
    return recount_scopes(report.scopes, findings, frameworks)


def warnings(report: Report) -> list[str]:
    """One line per waiver that needs a person: expired ones (their findings count again) and stale ones."""
    lines = []
    for record in report.waivers:
        if record.state == "expired":
            again = f"; {record.matched} finding(s) it covered count again" if record.matched else ""
            lines.append(
                f"waiver {record.waiver_id} ({record.check}) expired on {record.expires.isoformat()}{again}: renew or remove it"
            )
        elif record.state == "stale":
            lines.append(f"waiver {record.waiver_id} ({record.check} {record.resource}) matches no finding: remove it")
    return lines
