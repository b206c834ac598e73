"""JUnit XML for CI test tabs: a testsuite per check, a testcase per check x resource.

FAIL is a <failure>, ERROR an <error>; WAIVED, NOT_APPLICABLE and UNKNOWN are <skipped> with the
reason (UNKNOWN does not fail the exit status either); PASS is a plain testcase.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter

from scanner.models.common import Status
from scanner.models.report import Finding, Report

# XML 1.0 forbids most control characters even as references.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SKIPPED = {Status.WAIVED, Status.NOT_APPLICABLE, Status.UNKNOWN}


def _text(value: object) -> str:
    return _INVALID_XML.sub("\ufffd", str(value))


def testcase_name(finding: Finding) -> str:
    return f"{finding.resource_name} [{finding.region}]"


def render(report: Report) -> str:
    meta = report.metadata
    timestamp = meta.collected_at.isoformat().replace("+00:00", "Z")
    by_check: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_check.setdefault(finding.check_id, []).append(finding)
    totals: Counter[str] = Counter()
    root = ET.Element("testsuites", name=f"trustscan {meta.provider} {meta.identity.account}")
    for check_id, findings in sorted(by_check.items()):
        counts = _counts(findings)
        totals.update(counts)
        first = findings[0]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=check_id,
            tests=str(counts["tests"]),
            failures=str(counts["failures"]),
            errors=str(counts["errors"]),
            skipped=str(counts["skipped"]),
            time="0",
            timestamp=timestamp,
            hostname=_text(meta.identity.account),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("title", first.check_title),
            ("severity", first.severity.value),
            ("category", first.category.value),
            *((f"criteria.{fw}", ", ".join(ids)) for fw, ids in sorted(first.criteria.items())),
        ):
            ET.SubElement(properties, "property", name=name, value=_text(value))
        for finding in findings:
            _testcase(suite, finding)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _counts(findings: list[Finding]) -> Counter[str]:
    counts: Counter[str] = Counter(tests=len(findings))
    for finding in findings:
        if finding.status == Status.FAIL:
            counts["failures"] += 1
        elif finding.status == Status.ERROR:
            counts["errors"] += 1
        elif finding.status in SKIPPED:
            counts["skipped"] += 1
    return counts


def _testcase(suite: ET.Element, finding: Finding) -> None:
    case = ET.SubElement(suite, "testcase", classname=finding.check_id, name=_text(testcase_name(finding)), time="0")
    detail = (
        f"resource: {finding.resource_id}\naccount: {finding.account}\nregion: {finding.region}\n"
        f"severity: {finding.severity.value}\nfinding id: {finding.finding_id}\n"
    )
    if finding.status == Status.FAIL:
        element = ET.SubElement(case, "failure", message=_text(finding.message), type=finding.severity.value)
        element.text = _text(detail + f"remediation: {finding.remediation}\n")
    elif finding.status == Status.ERROR:
        element = ET.SubElement(case, "error", message=_text(finding.message), type="collection")
        element.text = _text(detail)
    elif finding.status == Status.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        ET.SubElement(
            case,
            "skipped",
            message=_text(
                f"waived by {waiver.waiver_id} ({waiver.owner}, until {waiver.expires.isoformat()}): {waiver.justification}"
                f" [was {waiver.original_status.value}: {finding.message}]"
            ),
        )
    elif finding.status in SKIPPED:
        ET.SubElement(case, "skipped", message=_text(f"{finding.status.value}: {finding.message}"))
    system_out = ET.SubElement(case, "system-out")
    evidence = f"\nevidence: {json.dumps(finding.evidence, sort_keys=True)}" if finding.evidence else ""
    system_out.text = _text(f"{finding.status.value}: {finding.message}{evidence}")
