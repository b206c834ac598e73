"""OCSF 1.5.0 Compliance Finding (class 2003) events, one JSON object per line (JSON Lines), for
Amazon Security Lake and SIEMs.

Every finding is an event, passes included: `compliance.status_id` carries the check's verdict
(Pass / Fail; Warning where the input could not be collected or decided; Other for not applicable),
the finding's `status_id` its workflow state (Suppressed when waived, Resolved or New against a
baseline). The check is the analytic and the control; SOC 2 criteria are the requirements; the
resource, its cloud account and region, the evidence and the remediation follow OCSF's objects.
trustscan's own fields (status, waiver, baseline state) sit under `unmapped`.

Plain JSON with no runtime dependency; the tests validate it against py-ocsf-models.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import IO, Any

from scanner.formatters._stream import Parked, render_with, write_bytes
from scanner.models.common import Severity, Status
from scanner.models.report import Finding, Report

OCSF_VERSION = "1.5.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2003, 2, 1
SEVERITY = {  # OCSF severity_id and its caption
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
COMPLIANCE_STATUS = {  # compliance.status_id: 0 Unknown, 1 Pass, 2 Warning, 3 Fail, 99 Other
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.ERROR: (2, "Warning"),
    Status.UNKNOWN: (2, "Warning"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
}
FINDING_STATUS = {"new": (1, "New"), "suppressed": (3, "Suppressed"), "resolved": (4, "Resolved")}
CLOUD = {  # provider -> (cloud.provider, account type_id, account type)
    "aws": ("AWS", 10, "AWS Account"),
    "azure": ("Azure", 99, "Azure Subscription"),
    "gcp": ("GCP", 99, "GCP Project"),
}
STANDARD_TITLE = {"soc2": "SOC 2"}


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def event(finding: Finding, report: Report) -> dict[str, Any]:
    meta = report.metadata
    verdict = finding.waiver.original_status if finding.status == Status.WAIVED and finding.waiver else finding.status
    compliance_id, compliance_caption = COMPLIANCE_STATUS[verdict]
    severity_id, severity_caption = SEVERITY[finding.severity]
    if finding.status == Status.WAIVED:
        status_id, status_caption = FINDING_STATUS["suppressed"]
    elif finding.baseline_state == "resolved":
        status_id, status_caption = FINDING_STATUS["resolved"]
    else:
        status_id, status_caption = FINDING_STATUS["new"]
    cloud_provider, account_type_id, account_type = CLOUD.get(finding.provider, (finding.provider.upper(), 99, "Account"))
    collected = meta.collected_at
    cloud: dict[str, Any] = {
        "provider": cloud_provider,
        "account": {"uid": finding.account, "name": finding.account, "type_id": account_type_id, "type": account_type},
    }
    if finding.region != "global":
        cloud["region"] = finding.region
    if finding.provider == "gcp":
        cloud["project_uid"] = finding.account
    resource: dict[str, Any] = {"uid": finding.resource_id, "name": finding.resource_name, "type": finding.resource_type}
    if finding.region != "global":
        resource["region"] = finding.region
    if finding.evidence:
        resource["data"] = finding.evidence
    unmapped: dict[str, Any] = {"status": finding.status.value, "category": finding.category.value}
    if finding.waiver is not None:
        unmapped["waiver"] = finding.waiver.model_dump(mode="json")
    if finding.baseline_state:
        unmapped["baseline_state"] = finding.baseline_state
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": _millis(collected),
        "time_dt": _iso(collected),
        "severity_id": severity_id,
        "severity": severity_caption,
        "status_id": status_id,
        "status": status_caption,
        "status_code": finding.status.value,
        "status_detail": finding.message,
        "message": f"{finding.check_title}: {finding.resource_name}: {finding.message}",
        "metadata": {
            "version": OCSF_VERSION,
            "uid": finding.finding_id,
            "event_code": finding.check_id,
            "profiles": ["cloud"],
            "product": {
                "name": "trustscan",
                "vendor_name": "trustscan",
                "version": meta.tool_version,
                "url_string": "https://github.com/trustscan/trustscan",
            },
        },
        "finding_info": {
            "uid": finding.finding_id,
            "title": finding.check_title,
            "desc": finding.message,
            "types": [finding.category.value],
            "created_time": _millis(collected),
            "created_time_dt": _iso(collected),
            "analytic": {"uid": finding.check_id, "name": finding.check_id, "type_id": 1, "type": "Rule"},
        },
        "compliance": {
            "control": finding.check_id,
            "standards": [STANDARD_TITLE.get(fw, fw) for fw in sorted(finding.criteria)],
            "requirements": [c for _, ids in sorted(finding.criteria.items()) for c in ids],
            "status_id": compliance_id,
            "status": compliance_caption,
            "status_detail": finding.message,
        },
        "cloud": cloud,
        "resources": [resource],
        "remediation": {"desc": finding.remediation},
        "unmapped": {"trustscan": unmapped},
    }


def render(report: Report) -> str:
    return render_with(OcsfWriter, report)


class OcsfWriter:
    """One event per finding, written as it comes (the events need only the scan's metadata)."""

    def __init__(self, out: IO[bytes], report: Report) -> None:
        self._out = out
        self._report = report

    def add(self, finding: Finding) -> None:
        self._out.write((json.dumps(event(finding, self._report), sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))

    def encode(self, findings: list[Finding]) -> bytes:
        """The events `add` would write for `findings` (for `add_encoded`, from a worker process)."""
        return "".join(json.dumps(event(f, self._report), sort_keys=True, ensure_ascii=False) + "\n" for f in findings).encode("utf-8")

    def add_encoded(self, data: bytes | Parked, count: int) -> None:
        if data:
            write_bytes(data, self._out)

    def finish(self, report: Report) -> None:
        pass
