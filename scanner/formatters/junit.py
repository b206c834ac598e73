"""JUnit XML for CI test tabs: a testsuite per check, a testcase per check x resource.

FAIL is a <failure>, ERROR an <error>; WAIVED, NOT_APPLICABLE and UNKNOWN are <skipped> with the
reason (UNKNOWN does not fail the exit status either); PASS is a plain testcase.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import IO

from scanner.formatters._stream import render_with, spool
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
    return render_with(JUnitWriter, report)


def _start_tag(element: ET.Element) -> str:
    """An element's start tag as ElementTree writes it (attributes in order, escaped)."""
    ET.SubElement(element, "x")
    text = ET.tostring(element, encoding="unicode")
    element.remove(element[0])
    return text[: text.index("<x />")]


class _Suite:
    def __init__(self, first: Finding) -> None:
        self.first = first
        self.counts: Counter[str] = Counter()
        self.chunks: list[tuple[int, int]] = []  # (offset, size) of its testcases in the spool
        self.pending: list[str] = []


class JUnitWriter:
    """A testsuite per check (sorted), its testcases in report order. Testcases are serialised as
    they come (indented as ElementTree.indent would indent them in the whole tree) and spooled per
    check; the suites' counts are known at the end."""

    PENDING_BYTES = 4 * 1024 * 1024  # flush the per-check buffers to the spool past this

    def __init__(self, out: IO[bytes], report: Report) -> None:
        self._out = out
        self._suites: dict[str, _Suite] = {}
        self._spool = spool()
        self._pending = 0

    def add(self, finding: Finding) -> None:
        suite = self._suites.get(finding.check_id)
        if suite is None:
            suite = self._suites[finding.check_id] = _Suite(finding)
        suite.counts.update(_counts([finding]))
        case = _testcase(finding)
        ET.indent(case, level=2)
        text = "\n    " + ET.tostring(case, encoding="unicode")
        suite.pending.append(text)
        self._pending += len(text)
        if self._pending > self.PENDING_BYTES:
            self._flush()

    def _flush(self) -> None:
        for suite in self._suites.values():
            if suite.pending:
                data = "".join(suite.pending).encode("utf-8")
                suite.chunks.append((self._spool.tell(), len(data)))
                self._spool.write(data)
                suite.pending = []
        self._pending = 0

    def finish(self, report: Report) -> None:
        self._flush()
        meta = report.metadata
        timestamp = meta.collected_at.isoformat().replace("+00:00", "Z")
        totals: Counter[str] = Counter()
        for suite in self._suites.values():
            totals.update(suite.counts)
        root = ET.Element("testsuites", name=f"trustscan {meta.provider} {meta.identity.account}")
        for key in ("tests", "failures", "errors", "skipped"):
            root.set(key, str(totals[key]))
        root.set("time", "0")
        out = self._out
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        if not self._suites:
            out.write(ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n")
            self._spool.close()
            return
        out.write(_start_tag(root).encode("utf-8"))
        reader = self._spool.reader()
        for check_id in sorted(self._suites):
            suite = self._suites[check_id]
            first, counts = suite.first, suite.counts
            element = ET.Element(
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
            properties = ET.Element("properties")
            for name, value in (
                ("title", first.check_title),
                ("severity", first.severity.value),
                ("category", first.category.value),
                *((f"criteria.{fw}", ", ".join(ids)) for fw, ids in sorted(first.criteria.items())),
            ):
                ET.SubElement(properties, "property", name=name, value=_text(value))
            ET.indent(properties, level=2)
            out.write(f"\n  {_start_tag(element)}\n    {ET.tostring(properties, encoding='unicode')}".encode("utf-8"))
            for offset, size in suite.chunks:
                reader.seek(offset)
                out.write(reader.read(size))
            out.write(b"\n  </testsuite>")
        self._spool.close()
        out.write(b"\n</testsuites>\n")


def _counts(findings: list[Finding]) -> Counter[str]:
    """tests, failures, errors and skipped among `findings`."""
    counts: Counter[str] = Counter(tests=len(findings))
    for finding in findings:
        if finding.status == Status.FAIL:
            counts["failures"] += 1
        elif finding.status == Status.ERROR:
            counts["errors"] += 1
        elif finding.status in SKIPPED:
            counts["skipped"] += 1
    return counts


def _testcase(finding: Finding) -> ET.Element:
    case = ET.Element("testcase", classname=finding.check_id, name=_text(testcase_name(finding)), time="0")
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
    return case
