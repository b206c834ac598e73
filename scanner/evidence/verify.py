"""Verify an evidence bundle (a folder or its .zip): digests, signature, and that the report follows from the snapshot.

Every problem names the file it was found in. Without a signature, someone who edits a file can also
edit its digest in the manifest; the derived files (CSV, Markdown, HTML) are therefore also re-rendered
and compared, and report.json is re-derived from snapshot.json, so most such edits are still caught.
Only a signature checked against a pinned key (`--public-key`) proves who made the bundle.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from scanner.errors import ConfigurationError
from scanner.evidence import bundle as b
from scanner.safe_load import one_line
from scanner.text import count


@dataclass
class Problem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class Verification:
    path: str
    problems: list[Problem] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # what was checked and held
    signer: str | None = None  # key fingerprint when a signature verified
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, file: str, message: str) -> None:
        self.problems.append(Problem(file, message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.path,
            "verified": self.ok,
            "signer": self.signer,
            "problems": [{"file": p.file, "message": p.message} for p in self.problems],
            "checked": self.passed,
        }


MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_SIGNATURE_BYTES = 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024  # a hard cap on any one file, whatever the manifest claims
CHUNK = 1024 * 1024


def verify_bundle(path: str, *, public_key: Any = None, require_signature: bool = False) -> Verification:
    if not os.path.exists(path):
        raise ConfigurationError(f"evidence bundle not found: {path}")
    if os.path.isfile(path):
        if not zipfile.is_zipfile(path):
            raise ConfigurationError(f"{path} is neither a bundle folder nor a .zip")
        with tempfile.TemporaryDirectory(prefix="trustscan-verify-") as tmp:
            root, extract_problems = _extract(path, tmp)
            result = _verify_dir(root, public_key, require_signature)
            result.path = path
            for name, reason in extract_problems:  # a corrupt member, or one larger than the manifest records
                if not any(p.file == name and p.message == reason for p in result.problems):
                    result.fail(name, reason)
            return result
    return _verify_dir(path, public_key, require_signature)


def _extract(zip_path: str, target: str) -> tuple[str, list[tuple[str, str]]]:
    """Extract member by member, streamed and bounded: a member listed in the manifest up to the size the
    manifest records, one not listed not at all (an empty placeholder, so it is reported as added), the
    manifest and signature up to fixed caps. A zip of a few kilobytes that inflates to gigabytes costs
    neither memory nor disk. A member that fails its CRC is written as read and reported."""
    problems: list[tuple[str, str]] = []
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise ConfigurationError(f"{zip_path} is not a readable zip ({exc})") from exc
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        for name in names:
            if name.startswith("/") or ".." in name.split("/"):
                raise ConfigurationError(f"{zip_path} contains an unsafe path {name!r}")
        tops = {n.split("/", 1)[0] for n in names}
        strip = len(tops) == 1 and all("/" in n for n in names)
        members = {(name.split("/", 1)[1] if strip else name): name for name in names}
        limits = {b.MANIFEST: MAX_MANIFEST_BYTES, b.SIGNATURE: MAX_SIGNATURE_BYTES}
        if b.MANIFEST in members:
            destination = _destination(target, b.MANIFEST)
            _copy_member(archive, members[b.MANIFEST], destination, MAX_MANIFEST_BYTES, b.MANIFEST, problems)
            limits.update(_recorded_sizes(destination))
        for relative, name in members.items():
            if relative == b.MANIFEST:
                continue
            _copy_member(archive, name, _destination(target, relative), limits.get(relative, 0), relative, problems)
    return target, problems


def _destination(target: str, relative: str) -> str:
    destination = os.path.join(target, *relative.split("/"))
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    return destination


def _recorded_sizes(manifest_path: str) -> dict[str, int]:
    """{file: bytes} from a manifest, or nothing when it cannot be read (verify then reports why)."""
    try:
        with open(manifest_path, "rb") as handle:
            files = json.loads(handle.read()).get("files", {})
        return {
            name: min(entry["bytes"], MAX_FILE_BYTES)
            for name, entry in files.items()
            if isinstance(entry, dict) and isinstance(entry.get("bytes"), int) and entry["bytes"] >= 0
        }
    except (ValueError, RecursionError, AttributeError, OSError):
        return {}


def _copy_member(archive: zipfile.ZipFile, name: str, destination: str, limit: int, relative: str, problems: list) -> None:
    written = 0
    try:
        with archive.open(name) as source, open(destination, "wb") as out:
            while written < limit:
                chunk = source.read(min(CHUNK, limit - written))
                if not chunk:
                    return
                out.write(chunk)
                written += len(chunk)
            if source.read(1):
                problems.append(
                    (relative, f"larger in the zip than the {limit} bytes manifest.json records (not extracted further)")
                    if limit
                    else (relative, "not listed in manifest.json (added after the bundle was made; not extracted)")
                )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        problems.append((relative, f"corrupt in the zip ({one_line(exc)})"))


def _list_files(root: str) -> list[str]:
    found = []
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            found.append(os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/"))
    return sorted(found)


def _read_capped(path: str, cap: int) -> bytes | None:
    """The file's bytes, or None when it is larger than `cap` (then it is not read)."""
    if os.path.getsize(path) > cap:
        return None
    with open(path, "rb") as handle:
        data = handle.read()  # read(cap) would allocate cap bytes up front
    return data if len(data) <= cap else None


def _verify_dir(root: str, public_key: Any, require_signature: bool) -> Verification:
    result = Verification(path=root)
    manifest_path = os.path.join(root, b.MANIFEST)
    if not os.path.isfile(manifest_path):
        result.fail(b.MANIFEST, "missing: not an evidence bundle")
        return result
    manifest_bytes = _read_capped(manifest_path, MAX_MANIFEST_BYTES)
    if manifest_bytes is None:
        result.fail(b.MANIFEST, f"larger than {MAX_MANIFEST_BYTES} bytes: not a manifest trustscan wrote (not read)")
        return result

    manifest: dict[str, Any] | None = None
    try:
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict) or manifest.get("format") != b.BUNDLE_FORMAT:
            raise ValueError(f"format is not {b.BUNDLE_FORMAT!r}")
        if manifest.get("manifest_version") not in b.READABLE_MANIFEST_VERSIONS:
            raise ValueError(f"manifest_version {str(manifest.get('manifest_version'))[:20]!r} is not one of {', '.join(b.READABLE_MANIFEST_VERSIONS)}")
        files = manifest["files"]
        if not isinstance(files, dict) or not all(isinstance(v, dict) and "sha256" in v for v in files.values()):
            raise ValueError("files is not a map of name -> {sha256, bytes}")
        _signature_record(manifest)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        _check_signature(root, manifest_bytes, public_key, require_signature, None, result)
        result.fail(b.MANIFEST, f"not a valid manifest ({one_line(exc) if not isinstance(exc, RecursionError) else 'nested too deeply'})")
        return result
    result.manifest = manifest

    _check_signature(root, manifest_bytes, public_key, require_signature, manifest, result)
    contents = _check_digests(root, files, result)
    _check_derivation(contents, manifest, result)
    return result


def _signature_record(manifest: dict[str, Any]) -> dict[str, str] | None | str:
    """What the manifest says about signing: {algorithm, key_fingerprint}, None (unsigned), or
    "unrecorded" for a version 1 manifest, which predates the record. ValueError when malformed."""
    if manifest.get("manifest_version") == "1":
        return "unrecorded"
    if "signature" not in manifest:
        raise ValueError("signature is missing (manifest_version 2 records whether the bundle was signed)")
    record = manifest["signature"]
    if record is None:
        return None
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("algorithm", "key_fingerprint")):
        raise ValueError("signature is neither null nor {algorithm, key_fingerprint}")
    return record


def _check_signature(
    root: str, manifest_bytes: bytes, public_key: Any, require_signature: bool, manifest: dict[str, Any] | None, result: Verification
) -> None:
    from scanner.evidence.signing import SignatureError, verify

    record = _signature_record(manifest) if manifest is not None else "unrecorded"
    path = os.path.join(root, b.SIGNATURE)
    if not os.path.isfile(path):
        if isinstance(record, dict):
            result.fail(b.SIGNATURE, f"missing: manifest.json records that the bundle was signed by {record['key_fingerprint']}")
        elif require_signature or public_key is not None:
            result.fail(b.SIGNATURE, "missing: the bundle is not signed")
        return
    signature_text = _read_capped(path, MAX_SIGNATURE_BYTES)
    if signature_text is None:
        result.fail(b.SIGNATURE, f"larger than {MAX_SIGNATURE_BYTES} bytes: not a signature trustscan wrote (not read)")
        return
    try:
        result.signer = verify(manifest_bytes, signature_text, public_key)
    except SignatureError as exc:
        result.fail(b.SIGNATURE, str(exc))
        return
    if record is None:
        result.fail(b.SIGNATURE, "present, but manifest.json records an unsigned bundle")
        return
    if isinstance(record, dict) and record["key_fingerprint"] != result.signer:
        result.fail(b.SIGNATURE, f"signed by {result.signer}, but manifest.json records {record['key_fingerprint']}")
        return
    pinned = " (the expected key)" if public_key is not None else " (key not pinned: pass --public-key to prove who signed)"
    result.passed.append(f"{b.SIGNATURE}: Ed25519 signature over manifest.json by {result.signer}{pinned}")


def _check_digests(root: str, files: dict[str, Any], result: Verification) -> dict[str, bytes]:
    """Each listed file's size and SHA-256. Files are read only up to the size the manifest records:
    one that is larger is hashed in a stream (to say whether the file or the manifest changed) and
    never held in memory."""
    contents: dict[str, bytes] = {}
    present = set(_list_files(root)) - {b.MANIFEST, b.SIGNATURE}
    for name in sorted(files):
        path = os.path.join(root, *name.split("/"))
        if name in (b.MANIFEST, b.SIGNATURE) or not os.path.isfile(path):
            result.fail(name, "listed in manifest.json but missing from the bundle")
            continue
        recorded = files[name].get("bytes")
        size = os.path.getsize(path)
        if not isinstance(recorded, int) or isinstance(recorded, bool) or size != recorded:
            if _stream_sha256(path) == files[name].get("sha256"):
                result.fail(b.MANIFEST, f"records {str(recorded)[:20]!r} bytes for {name}, which has {size} (manifest.json was modified)")
            else:
                result.fail(name, f"has {size} bytes, manifest.json records {str(recorded)[:20]}: SHA-256 does not match (modified)")
            continue
        data = _read_capped(path, min(recorded, MAX_FILE_BYTES))
        if data is None:
            result.fail(name, f"larger than {MAX_FILE_BYTES} bytes: not read")
            continue
        contents[name] = data
        if b.sha256_bytes(data) != files[name].get("sha256"):
            result.fail(name, "SHA-256 does not match manifest.json (this file or its digest in manifest.json was modified)")
        else:
            result.passed.append(f"{name}: SHA-256 matches manifest.json")
    for name in sorted(present - set(files)):
        result.fail(name, "not listed in manifest.json (added after the bundle was made)")
    return contents


def _stream_sha256(path: str) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_derivation(contents: dict[str, bytes], manifest: dict[str, Any], result: Verification) -> None:
    """Re-derive what can be re-derived: report from snapshot, summaries and HTML from report, manifest from all."""
    from pydantic import ValidationError

    from scanner.mapping import Framework, rollup
    from scanner.models.inventory import INVENTORY_SCHEMA_VERSION, SNAPSHOT_SCHEMA_VERSION
    from scanner.models.report import Report

    if b.REPORT not in contents or b.SNAPSHOT not in contents:
        for name in (b.REPORT, b.SNAPSHOT):
            if name not in contents and not any(p.file == name for p in result.problems):
                result.fail(name, "missing: nothing to re-evaluate")
        return
    try:
        report = Report.model_validate_json(contents[b.REPORT])
    except ValidationError as exc:
        result.fail(b.REPORT, f"not a valid trustscan report ({_first_error(exc)})")
        return
    try:
        snapshot_data = json.loads(contents[b.SNAPSHOT])
        if not isinstance(snapshot_data, dict) or snapshot_data.get("schema_version") not in (SNAPSHOT_SCHEMA_VERSION, INVENTORY_SCHEMA_VERSION):
            raise ValueError(f"schema_version is not {SNAPSHOT_SCHEMA_VERSION!r} or {INVENTORY_SCHEMA_VERSION!r}")
        inventory = b.load_snapshot_model(snapshot_data)
    except ValidationError as exc:
        result.fail(b.SNAPSHOT, f"not a valid trustscan snapshot ({_first_error(exc)})")
        return
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        result.fail(b.SNAPSHOT, f"not a valid trustscan snapshot ({one_line(exc) if not isinstance(exc, RecursionError) else 'nested too deeply'})")
        return

    frameworks: dict[str, Framework] = {}
    for name in sorted({r.framework for r in report.criteria}):
        file = b.mapping_file(name)
        if file not in contents:
            result.fail(file, f"missing: report.json rolls up {name} criteria")
            continue
        try:
            frameworks[name] = Framework.model_validate_json(contents[file])
        except ValidationError as exc:
            result.fail(file, f"not a valid mapping ({_first_error(exc)})")
    if len(frameworks) != len({r.framework for r in report.criteria}):
        return

    # 1. report.json follows from snapshot.json
    checks = manifest.get("checks")
    if not isinstance(checks, list) or checks != b.report_checks(report):
        result.fail(b.MANIFEST, "checks do not list the checks evaluated in report.json")
        checks = b.report_checks(report)
    try:
        derived = b.reevaluate(inventory, report, checks, frameworks)
    except ConfigurationError as exc:
        result.fail(b.REPORT, f"cannot be re-evaluated here: {exc}")
        return
    expected = b.findings_bytes(derived)
    actual = b.findings_bytes(b.strip_waiver(f) for f in report.findings)
    if expected != actual:
        result.fail(b.REPORT, "findings do not follow from snapshot.json: " + b.first_difference(expected, actual, report.findings))
    else:
        waived = sum(1 for f in report.findings if f.waiver is not None)
        result.passed.append(
            f"{b.REPORT}: {count(len(actual), 'finding')} re-derived byte for byte from {b.SNAPSHOT} with {count(len(checks), 'check')}"
            + (f" ({waived} waived findings compared on their original status)" if waived else "")
        )
    _check_report_consistency(report, inventory, frameworks, checks, rollup, result)

    # 2. files rendered from report.json
    for name, data in b.derived_files(report, frameworks).items():
        if name not in contents:
            result.fail(name, "missing from the bundle")
        elif contents[name] != data:
            result.fail(name, "does not match what report.json renders to (modified)")
        else:
            result.passed.append(f"{name}: re-rendered from {b.REPORT}, identical")

    # 3. the manifest's own fields
    record = manifest.get("signature")  # checked against signature.json above
    expected_manifest = b.manifest_document(
        report, inventory, frameworks, {k: v for k, v in contents.items()}, json.loads(contents[b.REPORT]), snapshot_data,
        record if isinstance(record, dict) else None, str(manifest.get("manifest_version")),
    )
    differing = [k for k in sorted(set(expected_manifest) | set(manifest)) if k != "files" and expected_manifest.get(k) != manifest.get(k)]
    for key in differing:
        if key == "digests" and isinstance(manifest.get("digests"), dict):
            if manifest["digests"].get("checks_sha256") != expected_manifest["digests"]["checks_sha256"]:
                result.fail(
                    b.MANIFEST,
                    f"checks_sha256 differs from this trustscan's checks (the bundle names trustscan "
                    f"{report.metadata.tool_version}; verify with that version, or manifest.json was modified)",
                )
            if manifest["digests"].get("mappings_sha256") != expected_manifest["digests"]["mappings_sha256"]:
                result.fail(b.MANIFEST, "mappings_sha256 does not match the bundled mapping files")
        else:
            result.fail(b.MANIFEST, f"{key!r} does not match the bundle's contents (expected {json.dumps(expected_manifest.get(key))[:200]})")
    if not differing:
        result.passed.append(f"{b.MANIFEST}: scope, identity, times, checks and mapping digests match the bundle")


def _check_report_consistency(report: Any, inventory: Any, frameworks: dict, checks: list[str], rollup: Any, result: Verification) -> None:
    """The parts of report.json that are not findings: summary, rollup, collection errors, metadata."""
    from scanner.models.common import CoverageState

    counts: dict[str, int] = {}
    for f in report.findings:
        counts[f.status.value] = counts.get(f.status.value, 0) + 1
    if {s.value: n for s, n in report.summary.items() if n} != counts:
        result.fail(b.REPORT, "summary counts do not match its findings")
    providers = {report.metadata.provider}
    expected = [r.model_dump(mode="json") for name, fw in frameworks.items() for r in rollup(fw, report.findings, checks, providers)]
    if expected != [r.model_dump(mode="json") for r in report.criteria]:
        result.fail(b.REPORT, "criteria rollup does not follow from its findings and the bundled mapping")
    from scanner.engine.evaluate import as_snapshot, recount_scopes, report_regions, report_scope_ids, scope_summaries

    snapshot = as_snapshot(inventory)
    errors = [
        (c.key, c.scope, c.state.value, c.reason or "", c.error_code)
        for c in snapshot.coverage
        if c.state in (CoverageState.FAILED, CoverageState.NOT_COLLECTED)
    ]
    if errors != [(e.key, e.scope, e.state, e.reason, e.error_code) for e in report.collection_errors]:
        result.fail(b.REPORT, "collection_errors do not match the snapshot's coverage")
    if report.scopes:  # reports before 1.1 have no per-scope summary
        expected_scopes = recount_scopes(scope_summaries(snapshot, [], frameworks), report.findings, frameworks)
        if [s.model_dump(mode="json") for s in expected_scopes] != [s.model_dump(mode="json") for s in report.scopes]:
            result.fail(b.REPORT, "per-scope summaries do not follow from the snapshot's scopes and the report's findings")
    meta, inv = report.metadata, snapshot.metadata
    mismatched = [
        name
        for name, left, right in [
            ("provider", meta.provider, inv.provider),
            ("identity", meta.identity, inv.identity),
            ("regions", meta.regions, report_regions(snapshot)),
            ("scopes", meta.scopes, report_scope_ids(snapshot)),
            ("collected_at", meta.collected_at, inv.collected_at),
            ("incomplete", meta.incomplete, inv.incomplete),
            ("api_calls", meta.api_calls, inv.api_calls),
            ("checks_evaluated", meta.checks_evaluated, len(checks)),
        ]
        if left != right
    ]
    if mismatched:
        result.fail(b.REPORT, f"metadata does not match snapshot.json: {', '.join(mismatched)}")
    else:
        result.passed.append(f"{b.REPORT}: summary, criteria rollup, collection errors and metadata consistent with {b.SNAPSHOT}")


def _first_error(exc: Any) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error.get("loc", ())) or "document"
    return f"{where}: {error.get('msg')}"
