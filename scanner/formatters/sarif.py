"""SARIF 2.1.0 for GitHub code scanning, built with sarif-om.

Rules are the evaluated checks; results are FAIL findings (waived ones carry a suppression). A finding
from Terraform has a real location: the file (relative to the directory trustscan ran in, the
repository root in CI, under uriBaseId %SRCROOT%) and the lines of the block or attribute that
decided it, so code scanning shows it on the pull request's diff. Cloud resources have no file, but
GitHub rejects a result without a physical location, so each resource gets a stable
repository-relative pseudo-path (cloud/<provider>/<account>/<region>/<service>/<name>) and its
ARN goes in logicalLocations. Collection errors become tool execution notifications.

sarif-om's own `to_json` drops values equal to their defaults (an explicit `level: warning`
vanishes), so `to_dict` below serialises every attribute that is set.

Results are streamed (`SarifWriter`): each FAIL finding's result is encoded when it comes, as the
plain dict sarif-om's `Result` serialises to (the same keys in the same order), into the output
itself where it can (else a spool); the run around them (rules from every check seen, notifications,
summary) is built with sarif-om at the end and goes around them, each result with the index of its rule.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from json.encoder import encode_basestring_ascii as encode_ascii
from array import array
from collections.abc import Iterable
from typing import IO, Any
from urllib.parse import quote

import attr
import sarif_om as om

from scanner.formatters._relay import write_replaced
from scanner.formatters._stream import InPlace, Kept, Parked, Spool, Unsupported, body_for, plain_json, render_with
from scanner.models.common import Severity, Status
from scanner.models.report import Finding, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/trustscan/trustscan"
FINGERPRINT_KEY = "trustscanFindingId/v1"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def to_dict(value: Any) -> Any:
    """Serialise sarif-om objects, keeping every attribute that is set."""
    if attr.has(type(value)):
        out = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            # -1 is sarif-om's "absent" marker for indexes and rank; every other value is kept,
            # including ones equal to the schema default (an explicit level: warning).
            if item is not None and not (item == -1 and field.default == -1):
                out[field.metadata.get("schema_property_name", field.name)] = to_dict(item)
        return out
    if isinstance(value, dict):
        return {k: to_dict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_dict(v) for v in value]
    return value


def artifact_uri(finding: Finding) -> str:
    """A relative pseudo-path: unreserved characters kept, the rest percent-encoded, so an ARN
    never appears as a URI scheme."""
    parts = ["cloud", finding.provider, finding.account, finding.region, finding.service, finding.resource_name]
    return "/".join(quote(part, safe="-._~") or "_" for part in parts)


SRCROOT = "%SRCROOT%"


def source_path(finding: Finding) -> str | None:
    """The repository-relative path of a finding's file (None for cloud findings)."""
    import posixpath

    location = finding.location
    if location is None:
        return None
    path = posixpath.normpath(posixpath.join(location.root, location.file))
    return path


def _physical_location(finding: Finding) -> dict[str, Any]:
    """What sarif-om's PhysicalLocation serialises to (artifactLocation, then region)."""
    path = source_path(finding)
    if path is None:
        return {"artifactLocation": {"uri": artifact_uri(finding)}, "region": {"startLine": 1}}
    assert finding.location is not None
    if path.startswith("/"):  # scanned outside the working directory: an absolute file URI
        artifact = {"uri": "file://" + quote(path, safe="/-._~")}
    else:
        artifact = {"uri": "/".join(quote(part, safe="-._~") for part in path.split("/")), "uriBaseId": SRCROOT}
    region = {"endLine": finding.location.end_line, "startLine": finding.location.start_line}
    return {"artifactLocation": artifact, "region": {k: v for k, v in region.items() if v is not None}}


def _rule(spec: dict[str, Any]) -> om.ReportingDescriptor:
    criteria = spec["criteria"]
    tags = ["security", "compliance", spec["provider"], spec["category"]]
    tags += [f"{framework}/{c}" for framework, ids in sorted(criteria.items()) for c in ids]
    criteria_line = "; ".join(f"{fw.upper()} {', '.join(ids)}" for fw, ids in sorted(criteria.items()))
    help_text = f"{spec['rationale']}\n\nRemediation: {spec['remediation']}"
    help_markdown = f"{spec['rationale']}\n\n**Remediation:** {spec['remediation']}"
    if criteria_line:
        help_text += f"\n\nMaps to: {criteria_line}"
        help_markdown += f"\n\n**Maps to:** {criteria_line}"
    return om.ReportingDescriptor(
        id=spec["check_id"],
        name="".join(word.capitalize() for word in spec["check_id"].replace(".", "_").split("_")),
        short_description=om.MultiformatMessageString(text=spec["title"]),
        full_description=om.MultiformatMessageString(text=spec["rationale"] or spec["title"]),
        help=om.MultiformatMessageString(text=help_text, markdown=help_markdown),
        default_configuration=om.ReportingConfiguration(level=LEVEL[spec["severity"]]),
        properties={
            "tags": tags,
            "precision": "very-high",
            "security-severity": SECURITY_SEVERITY[spec["severity"]],
            "severity": spec["severity"].value,
            "criteria": criteria,
        },
    )


BASELINE_STATE = {"new": "new", "unchanged": "unchanged"}


def is_result(finding: Finding) -> bool:
    """FAIL findings, and waived ones whose verdict was FAIL: a waived failure stays a result, suppressed
    (kind external) with the waiver's justification, so viewers show it dismissed with the reason."""
    if finding.status == Status.WAIVED and finding.waiver is not None:
        return finding.waiver.original_status == Status.FAIL
    return finding.status == Status.FAIL


def _suppressions(finding: Finding) -> list[dict[str, Any]] | None:
    waiver = finding.waiver
    if finding.status != Status.WAIVED or waiver is None:
        return None
    properties = {"waiverId": waiver.waiver_id, "owner": waiver.owner, "expires": waiver.expires.isoformat()}
    if waiver.ticket:
        properties["ticket"] = waiver.ticket
    return [{"kind": "external", "status": "accepted", "justification": waiver.justification, "properties": properties}]


RULE_INDEX = "@@rule-index@@"  # replaced by the rule's index once every rule is known


def result_dict(finding: Finding, rule_index: Any = RULE_INDEX) -> dict[str, Any]:
    """A FAIL finding as the dict sarif-om's Result serialises to (its attributes' order, unset ones left out)."""
    logical = [{"fullyQualifiedName": finding.resource_id, "kind": "resource", "name": finding.resource_name}]
    if finding.location is not None:
        logical.append({"kind": "module", "name": finding.location.resource_address or finding.location.address})
    result: dict[str, Any] = {"message": {"text": f"{finding.resource_name}: {finding.message}"}}
    baseline = BASELINE_STATE.get(finding.baseline_state or "")
    if baseline is not None:
        result["baselineState"] = baseline
    result.update(
        kind="fail",
        level=LEVEL[finding.severity],
        locations=[{"logicalLocations": logical, "physicalLocation": _physical_location(finding)}],
        # GitHub tracks alerts by primaryLocationLineHash; a pseudo-file has no lines to hash, so
        # the stable finding id stands in for it.
        partialFingerprints={"primaryLocationLineHash": f"{finding.finding_id}:1", FINGERPRINT_KEY: finding.finding_id},
        properties={
            "findingId": finding.finding_id,
            "resourceId": finding.resource_id,
            "resourceType": finding.resource_type,
            "account": finding.account,
            "region": finding.region,
            "evidence": finding.evidence,
            "criteria": finding.criteria,
        },
        ruleId=finding.check_id,
        ruleIndex=rule_index,
    )
    suppressions = _suppressions(finding)
    if suppressions is not None:
        result["suppressions"] = suppressions
    return result


RESULTS_INDENT = " " * 8  # runs[0].results[i] in the document
FAIL = Status.FAIL
TEXTS_KEPT = 16384  # escaped strings and quoted names kept (see _stream.Kept)


class _ResultTemplates:
    """A cloud finding's result (no IaC location, no waiver, no baseline state shown) encoded from a
    template per check: the result of a probe finding whose own values are markers, laid out by
    json.dumps once, its markers then filled with each finding's values escaped as json.dumps escapes
    them (and its evidence laid out at its depth), so the bytes are _encode_result's general path's."""

    MARK = re.compile(r"\\u0000(\w+)\\u0000")  # a marker "\x00name\x00" as json.dumps writes it
    OWN = ("resource_name", "message", "resource_id", "finding_id", "resource_type", "account", "region")

    def __init__(self) -> None:
        self._by_check: dict[str, tuple[Any, ...]] = {}
        self._uri_prefix: dict[tuple[str, ...], str] = {}
        # strings that recur from result to result (a resource's id and name for each check that fails
        # it, accounts, regions, types, messages), escaped once; names quoted once for their URIs
        self._escaped = Kept(_escape, TEXTS_KEPT)
        self._quoted = Kept(_quote, TEXTS_KEPT)

    def encode(self, finding: Finding) -> tuple[bytes, bytes] | None:
        values = finding.__dict__
        if values["location"] is not None or values["status"] != Status.FAIL or values["baseline_state"] in BASELINE_STATE:
            return None
        key = (values["check_id"], values["severity"])
        template = self._by_check.get(key[0])
        if template is None or template[0] != key or (template[1] is not values["criteria"] and template[2] != values["criteria"]):
            template = self._by_check[key[0]] = self._template(finding, key)
        text, evidence_indent, after = template[3:]
        escaped = self._escaped
        return (text % {
            "resource_name": escaped[values["resource_name"]],
            "message": escaped[values["message"]],
            "resource_id": escaped[values["resource_id"]],
            "finding_id": encode_ascii(values["finding_id"])[1:-1],  # (one per finding: not kept)
            "resource_type": escaped[values["resource_type"]],
            "account": escaped[values["account"]],
            "region": escaped[values["region"]],
            # quoted, the URI has only characters json.dumps writes as they are: nothing to escape
            "uri": self._uri(values),
            "evidence": plain_json(values["evidence"], evidence_indent, ascii_only=True),
        }).encode("ascii"), after

    def _uri(self, values: dict[str, Any]) -> str:
        """artifact_uri, its first five parts quoted once per account, region and service."""
        parts = (values["provider"], values["account"], values["region"], values["service"])
        prefix = self._uri_prefix.get(parts)
        if prefix is None:
            if len(self._uri_prefix) > 10_000:
                self._uri_prefix.clear()
            prefix = self._uri_prefix[parts] = "/".join(quote(part, safe="-._~") or "_" for part in ("cloud", *parts)) + "/"
        return prefix + self._quoted[values["resource_name"]]

    def _template(self, finding: Finding, key: tuple[Any, ...]) -> tuple[Any, ...]:
        probe = finding.model_copy(update={name: f"\x00{name}\x00" for name in self.OWN})
        result = result_dict(probe)
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "\x00uri\x00"
        result["properties"]["evidence"] = "\x00evidence\x00"
        text = RESULTS_INDENT + json.dumps(result, indent=2).replace("\n", "\n" + RESULTS_INDENT)
        before, after = text.split(json.dumps(RULE_INDEX), 1)
        pieces = self.MARK.split(before)
        literals, names = pieces[0::2], pieces[1::2]
        at = names.index("evidence")  # a whole string value: its quotes go, the evidence's own JSON comes
        literals[at], literals[at + 1] = literals[at][:-1], literals[at + 1][1:]
        line = literals[at].rsplit("\n", 1)[-1]
        evidence_indent = " " * (len(line) - len(line.lstrip(" ")))
        text = "".join(literal.replace("%", "%%") + (f"%({names[i]})s" if i < len(names) else "") for i, literal in enumerate(literals))
        criteria = finding.criteria
        return key, criteria, {k: list(v) for k, v in criteria.items()}, text, evidence_indent, after.encode("ascii")


def _escape(value: str) -> str:
    if type(value) is not str:  # (as encode_ascii refuses anything but a string: the general path)
        raise TypeError(value)
    return encode_ascii(value)[1:-1]


def _quote(name: str) -> str:
    if type(name) is not str:
        raise TypeError(name)
    return quote(name, safe="-._~") or "_"


def _encode_result(finding: Finding, templates: _ResultTemplates | None = None) -> tuple[bytes, bytes]:
    """The result's JSON as json.dumps(indent=2) lays it out in the document, split where its rule index goes."""
    if templates is not None:
        try:
            encoded = templates.encode(finding)
        except (Unsupported, TypeError, AttributeError, KeyError):  # evidence with floats...: the general path
            encoded = None
        if encoded is not None:
            return encoded
    result = result_dict(finding)
    try:
        text = plain_json(result, RESULTS_INDENT, ascii_only=True)
    except Unsupported:  # evidence with floats, tuples...: the standard encoder, as the whole document used
        text = json.dumps(result, indent=2).replace("\n", "\n" + RESULTS_INDENT)
    before, after = text.split(json.dumps(RULE_INDEX), 1)
    return (RESULTS_INDENT + before).encode("ascii"), after.encode("ascii")


def build(report: Report, catalogue: list[dict[str, Any]], results: list[Any], *, has_locations: bool) -> om.SarifLog:
    """The SARIF log around `results` (plain dicts, or a placeholder the writer replaces)."""
    rules = [_rule(spec) for spec in catalogue]
    several = len(report.scopes) > 1
    notifications = [
        om.Notification(
            level="warning" if error.state == "failed" else "note",
            message=om.Message(text=f"{error.key} [{error.location(several)}]: {error.reason}"),
            properties={"collectionKey": error.key, "scope": error.scope, "errorCode": error.error_code,
                        **({"account": error.account} if several and error.account else {})},
        )
        for error in report.collection_errors
    ]
    meta = report.metadata
    run = om.Run(
        tool=om.Tool(
            driver=om.ToolComponent(
                name="trustscan",
                version=meta.tool_version,
                semantic_version=meta.tool_version,
                information_uri=INFORMATION_URI,
                rules=rules,
            )
        ),
        automation_details=om.RunAutomationDetails(id=f"trustscan/{meta.provider}/{meta.identity.account}/"),
        invocations=[
            om.Invocation(
                execution_successful=not report.collection_errors and not meta.incomplete,
                start_time_utc=meta.started_at.isoformat().replace("+00:00", "Z"),
                end_time_utc=meta.finished_at.isoformat().replace("+00:00", "Z"),
                tool_execution_notifications=notifications or None,
            )
        ],
        results=results,
        original_uri_base_ids=(
            {SRCROOT: {"description": {"text": "The directory trustscan ran in (the repository root in CI)"}}}
            if has_locations
            else None
        ),
        properties={
            "provider": meta.provider,
            "account": meta.identity.account,
            "regions": meta.regions,
            "summary": {status.value: count for status, count in report.summary.items()},
            # One run for the whole organization (code scanning replaces a run per tool and category):
            # each result names its account in its location and properties.
            **({"scopes": [{"id": s.id, "kind": s.kind, "state": s.state} for s in report.scopes]} if several else {}),
        },
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def catalogue_entry(finding: Finding, registry: dict[str, Any]) -> dict[str, Any]:
    """A check's rule description, from its first finding and the registry where it is known."""
    spec = registry.get(finding.check_id)
    return {
        "check_id": finding.check_id,
        "title": finding.check_title,
        "provider": finding.provider,
        "category": finding.category.value,
        "severity": finding.severity,
        "rationale": spec.rationale if spec else finding.check_title,
        "remediation": finding.remediation,
        "criteria": finding.criteria,
    }


def catalogue_from_report(report: Report) -> list[dict[str, Any]]:
    """Rule descriptions for every check in the report, from the registry where it is known."""
    from scanner.registry import load_checks

    registry = load_checks()
    specs: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        if finding.check_id not in specs:
            specs[finding.check_id] = catalogue_entry(finding, registry)
    return [specs[k] for k in sorted(specs)]


def render(report: Report) -> str:
    return render_with(SarifWriter, report)


class SarifWriter:
    """One SARIF run; results written as they come, rules settled at the end.

    A result's rule index is its check's place among the checks with any finding, sorted: known only
    at the end. A run that knows which checks will have findings says so first (`expect_checks`:
    every check run in a scope gives at least one), and each result is written with the index it
    will then have, straight into the output (_stream.InPlace, as the JSON writer does): at the end
    the run's head and tail go around them. Where the guess was wrong for a check with results (or no
    guess was given: `render`, `merge`), the results are laid out again with the right indexes,
    from where each one's was written (`_indexes_at`)."""

    def __init__(self, out: IO[bytes], report: Report | None = None) -> None:
        from scanner.registry import load_checks

        self._out = out
        self._registry = load_checks()
        self._catalogue: dict[str, dict[str, Any]] = {}
        self._rule_of: list[str] = []  # each result's check, in order
        self._indexes_at = array("q")  # where each result's rule index is written in the body
        self._expected: dict[str, bytes] = {}  # the rule index written for each check expected (for the others, none)
        self._has_locations = False
        self._body: Spool | InPlace = Spool()  # with no check expected every result is laid out again: no use writing it in place
        self._size = 0  # of the body
        self._templates = _ResultTemplates()

    def expect_checks(self, check_ids: Iterable[str]) -> None:
        """The checks this run expects to have findings, before any finding comes (a guess; checked at the end)."""
        assert not self._rule_of
        self._expected = {check_id: str(i).encode() for i, check_id in enumerate(sorted(set(check_ids)))}
        self._body.close()
        self._body = body_for(self._out)

    def add(self, finding: Finding) -> None:
        """`add_encoded(encode([finding]), 1)`, without a part made for each finding (merge adds a million)."""
        check_id = finding.check_id
        if check_id not in self._catalogue:
            self._catalogue[check_id] = catalogue_entry(finding, self._registry)
        if finding.location is not None:
            self._has_locations = True
        if not is_result(finding):
            return
        before, after = _encode_result(finding, self._templates)
        if self._rule_of:
            before = b",\n" + before
        self._indexes_at.append(self._size + len(before))
        data = before + self._expected.get(check_id, b"") + after
        self._body.write(data)
        self._size += len(data)
        self._rule_of.append(sys.intern(check_id))

    def encode(self, findings: list[Finding]) -> tuple[dict[str, dict[str, Any]], bool, bytes, list[str], array[int]]:
        """What `add` would do with `findings`, to pass to `add_encoded` (from a worker process): the
        catalogue entries of their checks not yet known, whether any has a location, their results
        (each with its expected rule index), their checks and where each one's index is in those bytes."""
        catalogue: dict[str, dict[str, Any]] = {}
        known = self._catalogue  # (a worker's is its parent's at the fork, or fewer: what it leaves out is there)
        has_locations = False
        parts: list[bytes] = []
        rule_of: list[str] = []
        indexes_at = array("q")
        size = 0
        expected = self._expected
        for finding in findings:
            check_id = finding.check_id
            if check_id not in known and check_id not in catalogue:
                catalogue[check_id] = catalogue_entry(finding, self._registry)
            if finding.location is not None:
                has_locations = True
            if finding.status is not FAIL and not is_result(finding):  # (a FAIL finding is one, without a call)
                continue
            before, after = _encode_result(finding, self._templates)
            index = expected.get(check_id, b"")
            if rule_of:
                parts.append(b",\n")
                size += 2
            size += len(before)
            indexes_at.append(size)
            parts += (before, index, after)
            size += len(index) + len(after)
            rule_of.append(check_id)
        return catalogue, has_locations, b"".join(parts), rule_of, indexes_at

    def add_encoded(self, encoded: tuple[dict[str, dict[str, Any]], bool, bytes | Parked, list[str], array[int]], count: int) -> None:
        catalogue, has_locations, data, rule_of, indexes_at = encoded
        for check_id, entry in catalogue.items():
            self._catalogue.setdefault(check_id, entry)
        self._has_locations = self._has_locations or has_locations
        if not rule_of:
            return
        if self._rule_of:
            self._body.write(b",\n")
            self._size += 2
        self._indexes_at.extend(map(self._size.__add__, indexes_at) if self._size else indexes_at)
        self._body.write(data)
        self._size += data.length if type(data) is Parked else len(data)  # type: ignore[union-attr, arg-type]
        self._rule_of.extend(map(sys.intern, rule_of))

    def finish(self, report: Report) -> None:
        checks = sorted(self._catalogue)
        catalogue = [self._catalogue[k] for k in checks]
        marker = f"@@results-{uuid.uuid4().hex}@@"
        document = to_dict(build(report, catalogue, [marker], has_locations=self._has_locations))
        ordered = {"$schema": document.pop("$schema"), "version": document.pop("version"), **document}
        text = json.dumps(ordered, indent=2) + "\n"
        head, tail = text.split(json.dumps(marker), 1)  # head ends "[\n" + the indentation, tail starts "\n" + "]"
        if not self._rule_of:  # no result: the empty list json.dumps writes
            self._body.enclose(self._out, (head.rstrip() + tail.lstrip()).encode("ascii"), b"")
            return
        before, after = head.removesuffix(RESULTS_INDENT).encode("ascii"), tail.encode("ascii")
        index = {check_id: str(i).encode() for i, check_id in enumerate(checks)}
        expected = self._expected
        if all(expected.get(check_id) == index[check_id] for check_id in set(self._rule_of)):
            self._body.enclose(self._out, before, after)  # every result has its rule's index already
            return
        reader = self._body.reader()  # (an output written in place is cut back to where the results start)
        self._out.write(before)
        spans = ((at, len(expected.get(check_id, b"")), index[check_id]) for at, check_id in zip(self._indexes_at, self._rule_of))
        write_replaced(reader, spans, self._out)
        self._body.close()
        self._out.write(after)
