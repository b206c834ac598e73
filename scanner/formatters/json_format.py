"""JSON: the Report model, schema-versioned, in a deterministic order.

The document is pydantic's serialisation of the Report (`model_dump_json(indent=2)`), written in a
stream: findings are encoded one at a time into the output file itself (or a spool, for an output
that cannot be read back), then the report around them (metadata, summary, rollups) is serialised
and the findings take the place of its empty list (moved up in the file: _stream.InPlace). A
finding's JSON is what pydantic gives for it, nested at its depth; plain findings (no waiver, no IaC location,
evidence of strings, numbers without fractions, booleans, lists and dicts) are encoded here with
the same layout and escapes, and per-check fields are encoded once per check.
"""

from __future__ import annotations

from json.encoder import encode_basestring as encode
from typing import IO, Any

from scanner.formatters._stream import Kept, Parked, Unsupported, body_for, plain_json, render_with, scalar_text
from scanner.models.common import Status
from scanner.models.report import Finding, Report

FINDINGS_AT = '\n  "findings": []'  # where the (empty) findings list sits in the serialised report
ITEM = "    "  # a finding's indentation in the report (written out in JsonWriter._encode)
FIELD = ITEM + "  "
EVIDENCE_ITEM = FIELD + "  "
EVIDENCE_END = "\n" + FIELD + "}"
LIST_START = "[\n" + EVIDENCE_ITEM + "  "  # a list of strings in the evidence, laid out as json.dumps(indent=2) does
LIST_SEPARATOR = ",\n" + EVIDENCE_ITEM + "  "
LIST_END = "\n" + EVIDENCE_ITEM + "]"
TEXTS_KEPT = 16384  # encoded strings kept (see _stream.Kept)


def render(report: Report) -> str:
    return render_with(JsonWriter, report)


def findings_json(report: Report) -> str:
    """Only the findings: what must be byte-identical between a live scan and its snapshot."""
    return "[" + ",".join(f.model_dump_json() for f in report.findings) + "]"


class JsonWriter:
    """The JSON report, its findings streamed."""

    def __init__(self, out: IO[bytes], report: Report | None = None) -> None:
        self._out = out
        self._body = body_for(out)  # the findings, until the report around them is known
        self._count = 0
        self._check_parts: dict[str, tuple[Any, ...]] = {}  # per check id: see _check_text
        # strings that recur from finding to finding (resource types, accounts, regions, a resource's
        # id and name for each check that judges it, messages, evidence values), encoded
        self._texts = Kept(encode, TEXTS_KEPT)  # (a TypeError for anything but a string, as before it is kept)
        self._keys: dict[str, str] = {}  # evidence keys, as they start their item

    def add(self, finding: Finding) -> None:
        self.add_encoded(self.encode([finding]), 1)

    def encode(self, findings: list[Finding]) -> bytes:
        """Findings as `add` would spool them after at least one other (for `add_encoded`; in a
        worker process: this writer's state is not changed but for its caches of per-check parts)."""
        parts = []
        fast = self._encode
        for finding in findings:
            values = finding.__dict__
            text = None
            if values["waiver"] is None and values["location"] is None:  # what _fast does, inline (per finding)
                try:
                    text = fast(values)
                except (Unsupported, TypeError, AttributeError):  # not a plain finding: pydantic encodes it
                    pass
            if text is None:
                text = ITEM + Finding.__pydantic_serializer__.to_json(finding, indent=2).decode("utf-8").replace("\n", "\n" + ITEM)
            parts.append(text)
        if not parts:
            return b""
        parts[0] = "\n" + parts[0]  # (not "\n" + the joined text: a copy of it all)
        return ",\n".join(parts).encode("utf-8")

    def add_encoded(self, data: bytes | Parked, count: int) -> None:
        """`count` findings as `encode` gave them (or those bytes parked by a worker process), in
        report order: as many `add`s."""
        if count:
            if self._count:
                self._body.write(b",")
            self._body.write(data)
            self._count += count

    def finish(self, report: Report) -> None:
        head = report.model_copy(update={"findings": []}).model_dump_json(indent=2)
        at = head.index(FINDINGS_AT) + len(FINDINGS_AT) - 1  # just before the list's closing bracket
        after = head[at:].encode("utf-8") + b"\n"
        self._body.enclose(self._out, head[:at].encode("utf-8"), b"\n  " + after if self._count else after)

    def _fast(self, finding: Finding) -> str | None:
        if finding.waiver is not None or finding.location is not None:
            return None
        try:
            return self._encode(finding.__dict__)
        except (Unsupported, TypeError, AttributeError):  # not a plain finding: pydantic encodes it
            return None

    def _encode(self, values: dict[str, Any]) -> str:
        """A plain finding's text, from its fields' values."""
        check = (values["check_id"], values["check_title"], values["provider"], values["service"], values["severity"],
                 values["category"], values["remediation"])
        parts = self._check_parts.get(check[0])
        # A check's findings share these values (the same objects: tuple equality compares by identity first)
        if parts is None or parts[0] != check or (parts[1] is not values["criteria"] and parts[2] != values["criteria"]):
            parts = self._check_parts[check[0]] = self._check_text(check, values["criteria"])
        status = values["status"]
        baseline = values["baseline_state"]
        evidence = values["evidence"]
        texts = self._texts
        # (ITEM and FIELD's indentation written out: one piece of text between each two values)
        return (
            f'    {{\n      "finding_id": {encode(values["finding_id"])},\n{parts[3]}'
            f'      "resource_type": {texts[values["resource_type"]]},\n'
            f'      "resource_id": {texts[values["resource_id"]]},\n'
            f'      "resource_name": {texts[values["resource_name"]]},\n'
            f'      "account": {texts[values["account"]]},\n'
            f'      "region": {texts[values["region"]]},\n'
            f'      "status": {_STATUS.get(status) or encode(status.value)},\n'
            f'      "message": {texts[values["message"]]},\n'
            f'      "evidence": {self._evidence(evidence) if evidence else "{}"},\n{parts[4]}'
            f'      "baseline_state": {"null" if baseline is None else encode(baseline)}\n    }}'
        )

    def _evidence(self, evidence: dict[str, Any]) -> str:
        """plain_json(evidence, FIELD, ascii_only=False), its keys' text kept (evidence of plain values
        and lists of strings, the common cases, here; anything else by plain_json)."""
        keys = self._keys
        texts = self._texts
        items = []
        for key, item in evidence.items():
            text = texts[item] if type(item) is str else scalar_text(item, encode)
            if text is None:
                if type(item) is list and item and all([type(member) is str for member in item]):  # a list of names, ids...
                    text = LIST_START + LIST_SEPARATOR.join(map(encode, item)) + LIST_END
                else:
                    return plain_json(evidence, FIELD, ascii_only=False)
            head = keys.get(key)
            if head is None:
                if type(key) is not str:
                    return plain_json(evidence, FIELD, ascii_only=False)
                if len(keys) >= TEXTS_KEPT:
                    keys.clear()
                head = keys[key] = f"{EVIDENCE_ITEM}{encode(key)}: "
            items.append(head + text)
        return "{\n" + ",\n".join(items) + EVIDENCE_END

    @staticmethod
    def _check_text(check: tuple[Any, ...], criteria: dict[str, list[str]]) -> tuple[Any, ...]:
        """What every finding of a check says alike, encoded once: (the values, the criteria and a copy
        of them, the fields from check_id to category, those from criteria to waiver)."""
        check_id, title, provider, service, severity, category, remediation = check
        middle = "".join(
            f'{FIELD}"{name}": {encode(value)},\n'
            for name, value in (("check_id", check_id), ("check_title", title), ("provider", provider), ("service", service),
                                ("severity", severity.value), ("category", category.value))
        )
        tail = (f'{FIELD}"criteria": {plain_json(criteria, FIELD, ascii_only=False)},\n'
                f'{FIELD}"remediation": {encode(remediation)},\n{FIELD}"waiver": null,\n')
        return check, criteria, {k: list(v) for k, v in criteria.items()}, middle, tail


_STATUS = {status: encode(status.value) for status in Status}
