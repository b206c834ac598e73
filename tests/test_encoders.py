"""The fast paths of evaluation give exactly what the general ones give: a finding's JSON as the JSON
writer encodes it against pydantic's serialisation (the reference every format golden rests on), on
the demo snapshots of all three providers and on findings with unusual values; a scope validated
from its text straight into the provider's models against Inventory's own validation (values, and
the errors of bad input); findings built from results and tallied in C against the general code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from scanner.engine import evaluate as engine
from scanner.engine.scan import ScanOptions, load_snapshot, report_for
from scanner.formatters._stream import Unsupported, plain_json
from scanner.formatters.json_format import ITEM, JsonWriter
from scanner.models.common import Status
from scanner.models.inventory import Inventory, validate_scope_json
from scanner.models.report import AppliedWaiver, Finding
from scanner.registry import load_checks, select_checks

SNAPSHOTS = Path(__file__).parent / "snapshots"
PROVIDERS = ["aws", "azure", "gcp"]


def _reference(finding: Finding) -> str:
    """A finding as pydantic serialises it, nested as in the report (what JsonWriter must write)."""
    return ITEM + Finding.__pydantic_serializer__.to_json(finding, indent=2).decode("utf-8").replace("\n", "\n" + ITEM)


@pytest.fixture(scope="module")
def demo_findings() -> dict[str, list[Finding]]:
    found = {}
    for provider in PROVIDERS:
        snapshot = load_snapshot(str(SNAPSHOTS / f"{provider}-demo.json"))
        checks = select_checks(load_checks(), provider=provider, ids=snapshot.metadata.checks)
        found[provider] = report_for(snapshot, ScanOptions(checks=checks), source="snapshot").findings
    return found


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_json_writer_encodes_each_demo_finding_as_pydantic_does(provider, demo_findings):
    findings = demo_findings[provider]
    writer = JsonWriter(None)  # type: ignore[arg-type]  # encode only
    fast = [writer._fast(finding) for finding in findings]
    assert sum(text is not None for text in fast) > 0.9 * len(findings)  # nearly every finding takes the fast path (floats are pydantic's)...
    for finding, text in zip(findings, fast):
        assert text in (None, _reference(finding)), finding.check_id  # ...and gives pydantic's bytes
    assert writer.encode(findings) == ("\n" + ",\n".join(map(_reference, findings))).encode("utf-8")


UNUSUAL_TEXT = [
    "plain",
    "",
    "quote \" backslash \\ slash / tab \t newline \n return \r",
    "controls \x00 \x01 \x08 \x0b \x0c \x1f \x7f",
    "unicode é ü ß 東京 \U0001f512 \u2028 \u2029 \ufeff",
    "surrogate-free emoji 🔐🔑",
    "%s %(x)s {} {0}",
]
UNUSUAL_EVIDENCE = [
    {},
    {"a": None},
    {"b": True, "a": False},
    {"n": 0, "m": -1, "big": 2**63 - 1, "small": -(2**63), "u64": 2**64 - 1},
    {"huge": 2**64},  # beyond what the plain encoder writes: pydantic's
    {"f": 1.5},
    {"nested": {"list": [1, "two", None, {"three": [True]}], "empty": [], "dict": {}}},
    {"é": "ü", "ctl\x01": "line\nbreak"},
    {"s": "x" * 5000},
    {"ids": ["b", "a", "é"], "flags": [True, None, 3], "none": []},  # lists of plain values, kept in their order
    {"deep": [["x"]], "mixed": ["x", {"k": "v"}]},
    {"names": ["b", "a", "é", 'q"uote\n'], "one": ["x"], "n": 1},  # lists of strings only
    {"é": False, "b": "again"},  # keys seen before, in another order and with other values
    {"one": [1, {"k": "v"}]},  # one key, a list of more than plain values
    {"when": None, "rules": [{"port": 22}], "ok": True},  # plain values beside a list of dicts
]


def _unusual(base: Finding) -> list[Finding]:
    out = []
    for i, text in enumerate(UNUSUAL_TEXT):
        out.append(base.model_copy(update={"resource_id": f"{base.resource_id}{text}", "resource_name": text, "message": text,
                                           "account": text or "a", "region": text, "resource_type": text}))
        out.append(base.model_copy(update={"check_title": f"title {text}", "remediation": text, "service": text, "provider": text}))
        out.append(base.model_copy(update={"criteria": {"soc2": [text or "CC1.1", "CC9.9"], f"fw{i}": []}}))
    for evidence in UNUSUAL_EVIDENCE:
        out.append(base.model_copy(update={"evidence": evidence}))
    for status in Status:
        out.append(base.model_copy(update={"status": status}))
    for state in ("new", "unchanged", "resolved"):
        out.append(base.model_copy(update={"baseline_state": state}))
    waiver = AppliedWaiver(waiver_id="w1", justification="accepted é", owner="o@example.com", expires="2099-01-01",
                           original_status=Status.FAIL)
    out.append(base.model_copy(update={"waiver": waiver, "status": Status.WAIVED}))
    out.append(base)  # the check's own values again, after findings of the same id with others
    return out


def test_the_json_writer_encodes_unusual_findings_as_pydantic_does(demo_findings):
    """Unicode, control characters, JSON and format-string metacharacters, evidence of every shape,
    None, waivers, baseline states; and findings of one check id whose shared values change (the
    per-check parts encoded once must follow them)."""
    base = next(f for f in demo_findings["aws"] if f.evidence)
    findings = _unusual(base)
    writer = JsonWriter(None)  # type: ignore[arg-type]
    fast = 0
    for finding in findings:
        text = writer._fast(finding)
        fast += text is not None
        assert (text if text is not None else _reference(finding)) == _reference(finding), finding
    assert fast > len(findings) - 5  # only the unsupported values (a float, a 2**64, a nested list, a waiver) fall back
    assert writer.encode(findings) == ("\n" + ",\n".join(map(_reference, findings))).encode("utf-8")


def test_the_json_writer_forgets_the_strings_it_keeps_without_changing_a_byte(demo_findings, monkeypatch):
    """The encoded strings kept from finding to finding (resource ids, messages, evidence values...)
    are dropped when there are more than TEXTS_KEPT: the next findings are still pydantic's bytes."""
    import scanner.formatters.json_format as json_format

    monkeypatch.setattr(json_format, "TEXTS_KEPT", 3)
    findings = [f for provider in PROVIDERS for f in demo_findings[provider]]
    writer = JsonWriter(None)  # type: ignore[arg-type]
    for part in (findings[:50], findings, findings[::-1]):
        assert writer.encode(part) == ("\n" + ",\n".join(map(_reference, part))).encode("utf-8")
        assert len(writer._texts) <= 3


def test_findings_are_sorted_and_deduplicated_as_one_at_a_time(demo_findings):
    """evaluate_scope's order and its first finding per id, taken over values in C, against the
    general code (setdefault per finding id, then sorted by check, resource and region)."""
    findings = [f for provider in PROVIDERS for f in demo_findings[provider]]
    values = [dict(f.__dict__) for f in findings[::-1]] + [dict(f.__dict__, message="again") for f in findings[:40]]
    unique: dict[str, dict] = {}
    for item in values:
        unique.setdefault(item["finding_id"], item)
    expected = sorted(unique.values(), key=lambda v: (v["check_id"], v["resource_id"], v["region"]))
    assert sorted(engine._first_of_each_id(values), key=engine._legacy_values_order) == expected
    assert engine._first_of_each_id(values[:10]) is not None and list(map(engine.fields_of, findings)) == [f.__dict__ for f in findings]


@pytest.mark.parametrize("ascii_only", [False, True])
def test_plain_json_lays_out_values_as_json_dumps(ascii_only):
    for value in [*UNUSUAL_EVIDENCE, {"k": text for text in UNUSUAL_TEXT}, {text: 1 for text in UNUSUAL_TEXT if text}]:
        try:
            text = plain_json(value, "    ", ascii_only=ascii_only)
        except Unsupported:
            assert any(type(v) is float or (type(v) is int and v >= 2**64) for v in value.values())
            continue
        expected = json.dumps(value, indent=2, ensure_ascii=ascii_only).replace("\n", "\n    ")
        assert text == expected


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_scope_validated_from_its_text_is_the_inventory_validation_gives(provider):
    snapshot = json.loads((SNAPSHOTS / f"{provider}-demo.json").read_text())
    for scope in snapshot["scopes"]:
        text = json.dumps(scope, indent=1)
        fast, reference = validate_scope_json(text, provider), Inventory.model_validate_json(text)
        assert type(fast) is Inventory
        assert fast == reference
        assert fast.model_fields_set == reference.model_fields_set
        assert fast.model_dump_json() == reference.model_dump_json()


def _errors(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.errors(include_url=False, include_context=False)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_bad_scope_text_fails_as_inventory_validation_does(provider):
    scope = json.loads((SNAPSHOTS / f"{provider}-demo.json").read_text())["scopes"][0]
    section = scope[provider]
    service = next(name for name, value in section.items() if isinstance(value, dict) and any(isinstance(v, list) and v for v in value.values()))
    key = next(k for k, v in section[service].items() if isinstance(v, list) and v)
    broken = []
    for value in ("not a list", [{"id": 5}], [42]):
        changed = json.loads(json.dumps(scope))
        changed[provider][service][key] = value
        broken.append(json.dumps(changed))
    changed = json.loads(json.dumps(scope))
    changed["metadata"]["collected_at"] = "2026-01-01T00:00"  # naive: refused
    broken += [json.dumps(changed), json.dumps(scope)[:-10], "[]", json.dumps({**scope, provider: "x"})]
    for text in broken:
        assert _errors(lambda: validate_scope_json(text, provider)) == _errors(lambda: Inventory.model_validate_json(text))
    text = json.dumps(scope)
    assert validate_scope_json(text, "other") == Inventory.model_validate_json(text)  # an unknown provider: Inventory's own


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_tally_counts_in_c_as_one_finding_at_a_time(provider, demo_findings):
    findings = demo_findings[provider] * 2
    one_by_one = engine.Tally()
    for finding in findings:
        one_by_one.add(finding)
    at_once = engine.Tally().add_all(findings[:7]).add_all(findings[7:])
    assert list(at_once._counts.items()) == list(one_by_one._counts.items()) and at_once.count == one_by_one.count


def test_evidence_of_plain_values_is_what_the_general_conversion_gives():
    from datetime import datetime, timezone

    for evidence in [*UNUSUAL_EVIDENCE, {"z": 1, "a": 2.5, "m": None}, {"when": datetime(2026, 1, 1, tzinfo=timezone.utc)},
                     {"set": {"b", "a"}}, {1: "int key"}, {"t": ("x", "y")}]:
        assert engine._evidence(evidence) == engine._plain(dict(evidence))
        assert list(engine._evidence(evidence)) == list(engine._plain(dict(evidence)))


@pytest.mark.parametrize("kept", [16384, 2])
def test_sarif_results_from_templates_are_those_of_the_general_path(demo_findings, kept, monkeypatch):
    """Each FAIL finding's SARIF result encoded from its check's template against the general path
    (result_dict laid out by json.dumps): the demo findings of all three providers, then findings of
    one check with unusual values, including values the template leaves to the general path; the
    strings it keeps escaped forgotten as it goes, or not."""
    from scanner.formatters import sarif
    from scanner.formatters.sarif import _encode_result, _ResultTemplates, is_result

    monkeypatch.setattr(sarif, "TEXTS_KEPT", kept)
    templates = _ResultTemplates()
    base = next(f for f in demo_findings["aws"] if f.status == Status.FAIL and f.evidence)
    unusual = [f for f in _unusual(base) if is_result(f)]
    fast = 0
    for finding in [f for provider in PROVIDERS for f in demo_findings[provider] if is_result(f)] + unusual:
        try:
            fast += templates.encode(finding) is not None
        except Unsupported:  # a float, a 2**64: the general path's
            pass
        assert _encode_result(finding, templates) == _encode_result(finding), finding
    assert fast > 100


def test_results_from_the_shortcuts_are_those_the_dataclass_builds():
    """Result.passed & co. set the fields at once: what Result(...) gives, field for field and in order, still frozen."""
    import dataclasses

    from scanner.models.common import Resource
    from scanner.registry import Result

    resource = Resource(id="r-1", name="r", region="us-east-1", account="111122223333")
    for make, status in [(Result.passed, Status.PASS), (Result.failed, Status.FAIL), (Result.unknown, Status.UNKNOWN),
                         (Result.not_applicable, Status.NOT_APPLICABLE), (Result.error, Status.ERROR)]:
        for evidence in [{}, {"port": 22, "cidr": "0.0.0.0/0"}]:
            fast, general = make(resource, "why", **evidence), Result(resource, status, "why", dict(evidence))
            assert type(fast) is Result and fast == general and repr(fast) == repr(general)
            assert list(vars(fast).items()) == list(vars(general).items())
            with pytest.raises(dataclasses.FrozenInstanceError):
                fast.message = "changed"  # type: ignore[misc]


def test_findings_built_from_values_are_the_validated_model(demo_findings):
    """A finding built without validation (engine._finding_values, finding_of, findings_of) is the model pydantic builds from the same values."""
    for finding in [f for provider in PROVIDERS for f in demo_findings[provider]][:400]:
        validated = Finding.model_validate(finding.model_dump())
        assert finding == validated and finding.model_dump_json() == validated.model_dump_json()
        assert finding.__pydantic_extra__ is None and finding.__pydantic_private__ is None
        assert finding.model_fields_set == set(Finding.model_fields) - {"waiver", "baseline_state"}
        rebuilt = engine.finding_of(dict(finding.__dict__))
        assert rebuilt == finding and rebuilt.model_fields_set == finding.model_fields_set
    findings = [f for provider in PROVIDERS for f in demo_findings[provider]][:400]
    at_once = engine.findings_of([dict(f.__dict__) for f in findings])
    assert at_once == findings and engine.findings_of([]) == []
    assert [(f.model_fields_set, f.__pydantic_extra__, f.__pydantic_private__) for f in at_once] == [
        (f.model_fields_set, None, None) for f in findings]
