"""Write an evidence bundle: the report, the snapshot it follows from, summaries, HTML and a manifest.

Layout (flat, so an auditor can open it without tools):

    manifest.json        what, who, when, scope, digests of the checks and mapping, SHA-256 of every file
    signature.json       optional Ed25519 signature over manifest.json's bytes
    report.json          the report (secrets redacted)
    snapshot.json        the inventory snapshot every verdict rests on (secrets redacted)
    mapping-soc2.json    the framework mapping the report was rolled up with
    criteria.csv         per-criterion summary
    criteria.md
    report.html          the human-readable report (print CSS)

The bundle is a pure function of (report, snapshot, mapping, check catalogue): there is no creation
timestamp of its own, so the same scan always gives the same bytes, and `verify` can rebuild the
manifest and every derived file and compare them byte for byte. Before anything is written, the
bundle proves itself: the redacted snapshot is re-evaluated and must reproduce the report's findings.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.errors import ConfigurationError
from scanner.evidence.redact import redact, redacted_paths
from scanner.mapping import Framework
from scanner.models.common import Status
from scanner.models.inventory import Inventory, Snapshot
from scanner.models.report import Finding, Report

BUNDLE_FORMAT = "trustscan-evidence-bundle"
MANIFEST_VERSION = "2"  # 2 records whether (and by which key) the bundle was signed
READABLE_MANIFEST_VERSIONS = ("1", "2")
MANIFEST = "manifest.json"
REPORT = "report.json"
SNAPSHOT = "snapshot.json"
CRITERIA_CSV = "criteria.csv"
CRITERIA_MD = "criteria.md"
HTML = "report.html"
SIGNATURE = "signature.json"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

VERIFICATION_METHOD = (
    "snapshot.json is re-evaluated offline with the checks listed here, the check parameters recorded in report.json and the "
    "bundled mapping; the resulting findings must equal report.json's findings byte for byte once waivers are stripped (a WAIVED "
    "finding compares with its waiver's original_status and no waiver; baseline_state is not compared, as neither follows from "
    "the snapshot). Summary and criteria rollup are recomputed from report.json's findings; the CSV, Markdown and HTML files are "
    "re-rendered from report.json."
)


def mapping_file(name: str) -> str:
    return f"mapping-{name}.json"


# -- digests ---------------------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checks_digest(check_ids: Iterable[str]) -> str:
    """SHA-256 over the selected checks' metadata and function source: which code decided the verdicts."""
    from scanner.registry import load_checks

    registry = load_checks()
    entries = []
    for check_id in sorted(check_ids):
        spec = registry.get(check_id)
        if spec is None:
            entries.append({"id": check_id, "missing": True})
            continue
        try:
            source = inspect.getsource(spec.func)
        except (OSError, TypeError):
            source = "<source unavailable>"
        entries.append({
            "id": spec.id, "title": spec.title, "severity": spec.severity.value, "category": spec.category.value,
            "resource_type": spec.resource_type, "reads": list(spec.reads), "remediation": spec.remediation,
            "rationale": spec.rationale, "source_sha256": sha256_bytes(source.encode()),
        })
    return sha256_bytes(json.dumps(entries, sort_keys=True, separators=(",", ":")).encode())


# -- waivers and canonical findings ----------------------------------------------------------------


def strip_waiver(finding: Finding) -> Finding:
    """The finding as evaluation produced it: a waiver's original status, no waiver, no baseline state."""
    update: dict[str, Any] = {}
    if finding.waiver is not None:
        update["status"] = finding.waiver.original_status
        update["waiver"] = None
    if finding.baseline_state is not None:
        update["baseline_state"] = None
    return finding.model_copy(update=update) if update else finding


def canonical_finding(finding: Finding) -> str:
    """The bytes a finding is compared by, after the bundle's redaction rules."""
    text = finding.model_dump_json()
    data = finding.model_dump(mode="json")
    redacted = redact(data)
    if redacted != data:
        return Finding.model_validate(redacted).model_dump_json()
    return text


def findings_bytes(findings: Iterable[Finding]) -> list[str]:
    return [canonical_finding(f) for f in findings]


def report_checks(report: Report) -> list[str]:
    """The checks a report evaluated: every evaluated check yields at least one finding."""
    return sorted({f.check_id for f in report.findings})


def reevaluate(inventory: Inventory | Snapshot, report: Report, check_ids: list[str], frameworks: Mapping[str, Framework]) -> list[Finding]:
    """Evaluate the snapshot with the report's checks and recorded parameters (the engine's `evaluate`)."""
    from scanner.engine.evaluate import evaluate
    from scanner.registry import load_checks

    registry = load_checks()
    missing = [c for c in check_ids if c not in registry]
    if missing:
        raise ConfigurationError(f"check {missing[0]} is not in this trustscan (the report was made with trustscan {report.metadata.tool_version})")
    deferred = report.deferred.checks if report.deferred is not None and report.metadata.shard is not None else []
    skip = deferred if isinstance(inventory, Snapshot) and inventory.organization_scope() is None else []
    return evaluate(inventory, [registry[c] for c in check_ids], frameworks, report.metadata.parameters, deferred=skip)


def scope_field(inventory: Inventory | Snapshot) -> str:
    """What a collection unit is ("region" for AWS, "account" for Azure / GCP), as manifests record it."""
    if isinstance(inventory, Inventory):
        return inventory.metadata.scope_field
    if inventory.scopes:
        return inventory.scopes[0].metadata.scope_field
    return "region" if inventory.metadata.provider == "aws" else "account"


def load_snapshot_model(data: Any) -> Inventory | Snapshot:
    """A snapshot document (schema "2" or "1") as its model."""
    from scanner.models.inventory import SNAPSHOT_SCHEMA_VERSION

    return (Snapshot if isinstance(data, dict) and data.get("schema_version") == SNAPSHOT_SCHEMA_VERSION else Inventory).model_validate(data)


def first_difference(expected: list[str], actual: list[str], findings: list[Finding]) -> str:
    """Explain the first difference between two canonical finding lists (expected = from the snapshot)."""
    if len(expected) != len(actual):
        exp_ids = {json.loads(e)["finding_id"] for e in expected}
        act_ids = {json.loads(a)["finding_id"] for a in actual}
        extra, missing = sorted(act_ids - exp_ids), sorted(exp_ids - act_ids)
        detail = []
        if extra:
            detail.append(f"{len(extra)} finding(s) not produced by the snapshot (first {extra[0]})")
        if missing:
            detail.append(f"{len(missing)} finding(s) the snapshot produces are missing (first {missing[0]})")
        return f"{len(actual)} findings, the snapshot gives {len(expected)}: " + "; ".join(detail or ["order differs"])
    for index, (exp, act) in enumerate(zip(expected, actual)):
        if exp != act:
            exp_data, act_data = json.loads(exp), json.loads(act)
            fields = [k for k in sorted(set(exp_data) | set(act_data)) if exp_data.get(k) != act_data.get(k)]
            finding = findings[index] if index < len(findings) else None
            where = f"finding {index} ({finding.check_id} on {finding.resource_name})" if finding else f"finding {index}"
            field = fields[0] if fields else "bytes"
            return (
                f"{where}: {field} is {json.dumps(act_data.get(field))} in the report but {json.dumps(exp_data.get(field))} "
                "when the snapshot is re-evaluated"
            )
    return "findings are equal"


# -- the manifest ----------------------------------------------------------------------------------


def manifest_document(
    report: Report,
    inventory: Inventory | Snapshot,
    frameworks: Mapping[str, Framework],
    files: Mapping[str, bytes],
    report_data: Any,
    snapshot_data: Any,
    signature: Mapping[str, str] | None = None,
    version: str = MANIFEST_VERSION,
) -> dict[str, Any]:
    """The manifest for these files: every field derives from the bundle's contents and the checks.

    `signature` ({algorithm, key_fingerprint}) records that the bundle is signed, so that deleting
    signature.json is caught; None records an unsigned bundle. Version 1 manifests have no record."""
    meta = report.metadata
    checks = report_checks(report)
    waived = [f for f in report.findings if f.waiver is not None]
    accounts = sorted({meta.identity.account, *meta.scopes, *(f.account for f in report.findings)})
    document: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "manifest_version": version,
        "tool": {"name": "trustscan", "version": meta.tool_version},
        "report_schema_version": report.schema_version,
        "snapshot_schema_version": inventory.schema_version,
        "provider": meta.provider,
        "source": meta.source,
        "scope": {
            "accounts": accounts,
            "regions": list(meta.regions),
            "scope_field": scope_field(inventory),
            "scopes": list(meta.scopes),
        },
        "identity": meta.identity.model_dump(mode="json"),
        "times_utc": {
            "collection_started": _iso(inventory.metadata.collected_at),
            "collection_finished": _iso(inventory.metadata.finished_at) if inventory.metadata.finished_at else None,
            "scan_started": _iso(meta.started_at),
            "scan_finished": _iso(meta.finished_at),
        },
        "incomplete": meta.incomplete,
        "checks": checks,
        "digests": {
            "checks_sha256": checks_digest(checks),
            "mappings_sha256": {name: fw.digest for name, fw in sorted(frameworks.items())},
        },
        "summary": {s.value: n for s, n in sorted(_counts(report.findings).items(), key=lambda kv: kv[0].value)},
        "waived_findings": len(waived),
        "redacted": {REPORT: redacted_paths(report_data), SNAPSHOT: redacted_paths(snapshot_data)},
        "verification": VERIFICATION_METHOD,
        "files": {name: {"sha256": sha256_bytes(data), "bytes": len(data)} for name, data in sorted(files.items())},
    }
    if version != "1":
        document["signature"] = dict(signature) if signature else None
    return document


def dump_manifest(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def _iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _counts(findings: Iterable[Finding]) -> dict[Status, int]:
    counts: dict[Status, int] = {}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


# -- building --------------------------------------------------------------------------------------


@dataclass
class Bundle:
    files: dict[str, bytes]  # name -> bytes, manifest (and signature) included
    manifest: dict[str, Any]


def derived_files(report: Report, frameworks: Mapping[str, Framework]) -> dict[str, bytes]:
    """The files rendered from the report: what verify re-renders and compares."""
    from scanner.evidence.html import render_report_html
    from scanner.evidence.summaries import criteria_csv, criteria_markdown

    return {
        CRITERIA_CSV: criteria_csv(report, frameworks).encode(),
        CRITERIA_MD: criteria_markdown(report, frameworks).encode(),
        HTML: render_report_html(report, frameworks).encode(),
    }


def frameworks_for(report: Report) -> dict[str, Framework]:
    from scanner.mapping import load_framework

    return {name: load_framework(name) for name in sorted({r.framework for r in report.criteria})}


def build_bundle(report: Report, inventory: Inventory | Snapshot, *, signing_key: Any = None, frameworks: Mapping[str, Framework] | None = None) -> Bundle:
    """Redact, self-verify and render every file of the bundle in memory."""
    from scanner.formatters.json_format import render as render_json
    from scanner.snapshot import dump_snapshot

    if report.metadata.provider != inventory.metadata.provider or report.metadata.identity.account != inventory.metadata.identity.account:
        raise ConfigurationError(
            f"the report ({report.metadata.provider} {report.metadata.identity.account}) and the snapshot "
            f"({inventory.metadata.provider} {inventory.metadata.identity.account}) are not from the same scan"
        )
    frameworks = dict(frameworks or frameworks_for(report))
    try:
        red_inventory = load_snapshot_model(redact(inventory.model_dump(mode="json")))
        red_report = Report.model_validate(redact(report.model_dump(mode="json")))
    except ValueError as exc:
        raise ConfigurationError(f"redaction produced an invalid document: {exc}") from exc

    # Self-check: the bundle must verify, so refuse to write one whose report does not follow from its snapshot.
    checks = report_checks(red_report)
    expected = findings_bytes(reevaluate(red_inventory, red_report, checks, frameworks))
    actual = findings_bytes(strip_waiver(f) for f in red_report.findings)
    if expected != actual:
        raise ConfigurationError(
            "the report does not follow from the snapshot with this trustscan's checks and mapping, so the bundle would not verify: "
            + first_difference(expected, actual, red_report.findings)
        )

    snapshot_text = dump_snapshot(red_inventory)
    report_text = render_json(red_report)
    files: dict[str, bytes] = {REPORT: report_text.encode(), SNAPSHOT: snapshot_text.encode()}
    for name, framework in frameworks.items():
        files[mapping_file(name)] = (framework.model_dump_json(indent=2) + "\n").encode()
    files.update(derived_files(red_report, frameworks))
    signature = None
    if signing_key is not None:
        from scanner.evidence.signing import ALGORITHM, fingerprint

        signature = {"algorithm": ALGORITHM, "key_fingerprint": fingerprint(signing_key.public_key())}
    manifest = manifest_document(
        red_report, red_inventory, frameworks, files, json.loads(report_text), json.loads(snapshot_text), signature
    )
    manifest_bytes = dump_manifest(manifest)
    files[MANIFEST] = manifest_bytes
    if signing_key is not None:
        from scanner.evidence.signing import sign

        files[SIGNATURE] = sign(manifest_bytes, signing_key).encode()
    return Bundle(files=files, manifest=manifest)


def check_output_dir(path: str) -> None:
    """Fail before scanning if the bundle folder cannot be written (it must be new or empty)."""
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise ConfigurationError(f"evidence folder {path} exists and is not a folder")
        if os.listdir(path):
            raise ConfigurationError(f"evidence folder {path} is not empty (a bundle lists every file in it)")
        return
    # A new folder: it is created at the end, so the nearest existing ancestor must be a writable folder
    # (a file there, --evidence-dir report.json/ev, would otherwise cost the whole scan).
    ancestor = os.path.dirname(os.path.abspath(path))
    while not os.path.exists(ancestor):
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        raise ConfigurationError(f"evidence folder {path}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigurationError(f"evidence folder {path}: cannot write in {ancestor}")


def write_bundle(bundle: Bundle, out_dir: str, *, make_zip: bool = False) -> list[str]:
    """Write the bundle's files into out_dir (new or empty); with make_zip also `<out_dir>.zip`. Returns paths written."""
    check_output_dir(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, data in sorted(bundle.files.items()):
        path = os.path.join(out_dir, name)
        with open(path, "wb") as handle:
            handle.write(data)
        written.append(path)
    if make_zip:
        zip_path = os.path.normpath(out_dir) + ".zip"
        top = os.path.basename(os.path.normpath(out_dir))
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in sorted(bundle.files.items()):
                info = zipfile.ZipInfo(f"{top}/{name}", date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        written.append(zip_path)
    return written
