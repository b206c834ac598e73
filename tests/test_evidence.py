"""Evidence bundles: a real demo scan (moto) -> bundle -> verify; tampering with any file is named; signatures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.demo.aws import DEMO_REGIONS, seed_demo_account
from scanner.errors import ConfigurationError
from scanner.evidence import bundle as b
from scanner.evidence.bundle import build_bundle, write_bundle
from scanner.evidence.redact import MARKER, redact, redacted_paths
from scanner.evidence.verify import verify_bundle
from scanner.models.common import Status
from scanner.registry import load_checks

PYTHON = sys.executable


def _keypair(directory: Path, name: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = directory / f"{name}.pem"
    public = directory / f"{name}.pub"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


@pytest.fixture(scope="module")
def demo_scan(moto_endpoint):
    """One real demo scan per module (moto is reset first; the results are kept in memory)."""
    from scanner.demo.aws import reset
    from tests.conftest import MotoAccount

    reset(moto_endpoint)
    account = MotoAccount(moto_endpoint)
    seed_demo_account(account.session(), account.endpoint_url)
    return account.collect([c for c in load_checks() if c.startswith("aws.")], regions=DEMO_REGIONS)


@pytest.fixture
def signed_bundle(demo_scan, tmp_path):
    from scanner.evidence.signing import load_private_key

    inventory, report = demo_scan
    private, public = _keypair(tmp_path, "signer")
    out = tmp_path / "bundle"
    write_bundle(build_bundle(report, inventory, signing_key=load_private_key(str(private))), str(out), make_zip=True)
    return out, private, public, report


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0x01
    path.write_bytes(bytes(data))


def test_bundle_round_trip_verifies(signed_bundle):
    out, _, public, report = signed_bundle
    from scanner.evidence.signing import load_public_key

    result = verify_bundle(str(out), public_key=load_public_key(str(public)))
    assert result.ok, [str(p) for p in result.problems]
    assert result.signer and result.signer.startswith("SHA256:")
    assert any(f"{len(report.findings)} findings re-derived byte for byte" in line for line in result.passed)
    names = sorted(os.listdir(out))
    assert names == sorted([b.MANIFEST, b.SIGNATURE, b.REPORT, b.SNAPSHOT, "mapping-soc2.json", b.CRITERIA_CSV, b.CRITERIA_MD, b.HTML])
    manifest = json.loads((out / b.MANIFEST).read_text())
    assert manifest["scope"]["accounts"] == [report.metadata.identity.account]
    assert manifest["scope"]["regions"] == list(DEMO_REGIONS)
    assert manifest["identity"]["principal"] == report.metadata.identity.principal
    assert manifest["times_utc"]["scan_started"].endswith("Z") and manifest["checks"] == sorted({f.check_id for f in report.findings})
    assert set(manifest["files"]) == set(names) - {b.MANIFEST, b.SIGNATURE}
    assert len(manifest["digests"]["checks_sha256"]) == 64 and "soc2" in manifest["digests"]["mappings_sha256"]
    assert {Status.PASS, Status.FAIL} <= {f.status for f in report.findings}
    # The zip verifies the same way.
    assert verify_bundle(str(out) + ".zip", public_key=load_public_key(str(public))).ok


def test_bundle_bytes_are_reproducible(demo_scan):
    inventory, report = demo_scan
    assert build_bundle(report, inventory).files == build_bundle(report, inventory).files


@pytest.mark.parametrize(
    "name", [b.MANIFEST, b.SIGNATURE, b.REPORT, b.SNAPSHOT, "mapping-soc2.json", b.CRITERIA_CSV, b.CRITERIA_MD, b.HTML]
)
def test_flipping_one_byte_in_any_file_fails_and_names_it(signed_bundle, tmp_path, name):
    out, *_ = signed_bundle
    copy = tmp_path / f"tampered-{name}"
    shutil.copytree(out, copy)
    _flip(copy / name)
    result = verify_bundle(str(copy))
    assert not result.ok
    named = [p for p in result.problems if p.file == name]
    assert named, f"no problem names {name}: {[str(p) for p in result.problems]}"


def test_tampered_zip_names_the_member(signed_bundle, tmp_path):
    out, *_ = signed_bundle
    archive = tmp_path / "copy.zip"
    shutil.copy(str(out) + ".zip", archive)
    import zipfile

    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("bundle/snapshot.json")
    data = bytearray(archive.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0x01  # inside the compressed bytes
    archive.write_bytes(bytes(data))
    result = verify_bundle(str(archive))
    assert not result.ok and any(p.file == b.SNAPSHOT for p in result.problems), [str(p) for p in result.problems]


def test_unsigned_tampering_with_file_and_digest_is_still_caught(demo_scan, tmp_path):
    """Edit a verdict in report.json and fix its digest in the manifest: re-evaluation catches it."""
    inventory, report = demo_scan
    out = tmp_path / "bundle"
    write_bundle(build_bundle(report, inventory), str(out))
    data = json.loads((out / b.REPORT).read_text())
    failing = next(f for f in data["findings"] if f["status"] == "FAIL")
    failing["status"] = "PASS"
    text = json.dumps(data, indent=2) + "\n"
    (out / b.REPORT).write_text(text)
    manifest = json.loads((out / b.MANIFEST).read_text())
    manifest["files"][b.REPORT]["sha256"] = b.sha256_bytes(text.encode())
    (out / b.MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    problems = [str(p) for p in verify_bundle(str(out)).problems]
    assert any(p.startswith("report.json: findings do not follow from snapshot.json") and failing["resource_name"] in p for p in problems), problems


def test_wrong_key_and_missing_signature_fail(signed_bundle, tmp_path, demo_scan):
    from scanner.evidence.signing import load_public_key

    out, _, public, _ = signed_bundle
    _, other_public = _keypair(tmp_path, "other")
    result = verify_bundle(str(out), public_key=load_public_key(str(other_public)))
    assert not result.ok
    assert [p.file for p in result.problems] == [b.SIGNATURE]
    assert "not by the expected key" in result.problems[0].message
    # An unsigned bundle fails only when a signature is required.
    inventory, report = demo_scan
    unsigned = tmp_path / "unsigned"
    write_bundle(build_bundle(report, inventory), str(unsigned))
    assert verify_bundle(str(unsigned)).ok
    assert [p.file for p in verify_bundle(str(unsigned), require_signature=True).problems] == [b.SIGNATURE]
    # A valid signature over a different manifest does not transfer.
    manifest = json.loads((unsigned / b.MANIFEST).read_text())
    manifest["verification"] += " "
    (unsigned / b.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    shutil.copy(out / b.SIGNATURE, unsigned / b.SIGNATURE)
    result = verify_bundle(str(unsigned), public_key=load_public_key(str(public)))
    assert any(p.file == b.SIGNATURE and "does not match manifest.json" in p.message for p in result.problems)


def test_extra_and_missing_files_are_named(signed_bundle, tmp_path):
    out, *_ = signed_bundle
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "notes.txt").write_text("added later")
    (copy / b.CRITERIA_MD).unlink()
    problems = {p.file: p.message for p in verify_bundle(str(copy)).problems}
    assert "added after the bundle was made" in problems["notes.txt"]
    assert "missing" in problems[b.CRITERIA_MD]


def test_waived_findings_verify_on_their_original_status(demo_scan, tmp_path):
    from datetime import date

    from scanner.config import Waiver
    from scanner.waivers import apply_waivers

    inventory, report = demo_scan
    waiver = Waiver(
        id="W-1", check="aws.s3.bucket_access_logging", resource="*", justification="CloudTrail data events instead",
        owner="security@example.com", ticket="SEC-1", expires=date(2099, 12, 31),
    )
    waived = apply_waivers(report, [waiver])
    assert any(f.status == Status.WAIVED for f in waived.findings)
    out = tmp_path / "bundle"
    write_bundle(build_bundle(waived, inventory), str(out))
    result = verify_bundle(str(out))
    assert result.ok, [str(p) for p in result.problems]
    assert any("waived findings compared on their original status" in line for line in result.passed)
    html = (out / b.HTML).read_text()
    assert "CloudTrail data events instead" in html and "security@example.com" in html and "2099-12-31" in html
    # Un-waiving a finding in the report (without the waiver it has no justification) is caught.
    data = json.loads((out / b.REPORT).read_text())
    target = next(f for f in data["findings"] if f["status"] == "WAIVED")
    target["waiver"]["original_status"] = "PASS"
    (out / b.REPORT).write_text(json.dumps(data, indent=2) + "\n")
    assert any(p.file == b.REPORT and "do not follow" in p.message for p in verify_bundle(str(out)).problems)


def test_a_report_that_does_not_follow_from_the_snapshot_is_refused(demo_scan):
    inventory, report = demo_scan
    findings = list(report.findings)
    index = next(i for i, f in enumerate(findings) if f.status == Status.FAIL)
    findings[index] = findings[index].model_copy(update={"status": Status.PASS})
    with pytest.raises(ConfigurationError, match="does not follow from the snapshot"):
        build_bundle(report.model_copy(update={"findings": findings}), inventory)


def test_secrets_are_redacted_and_the_bundle_still_verifies(aws, tmp_path):
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="pass-tls")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::pass-tls", "arn:aws:s3:::pass-tls/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pass-tls/*",
             "Condition": {"StringEquals": {"aws:Referer": token}}},
        ],
    }
    s3.put_bucket_policy(Bucket="pass-tls", Policy=json.dumps(policy))
    inventory, report = aws.collect(["aws.s3.bucket_tls_only"])
    assert token in inventory.model_dump_json()
    out = tmp_path / "bundle"
    write_bundle(build_bundle(report, inventory), str(out))
    for name in os.listdir(out):
        assert token not in (out / name).read_text(), name
    manifest = json.loads((out / b.MANIFEST).read_text())
    assert any("Condition" in path for path in manifest["redacted"][b.SNAPSHOT])
    assert verify_bundle(str(out)).ok


def test_redaction_rules():
    found: list[str] = []
    data = {
        "password_enabled": True, "password_last_used": "2026-01-01T00:00:00Z", "kms_key_id": "arn:aws:kms:k", "password": "hunter2",
        "clientSecret": "s3cr3t", "user_data": "#!/bin/sh", "tags": [{"Key": "note", "Value": "AccountKey=" + "x" * 40}],
        "pem": "-----BEGIN RSA PRIVATE KEY-----\nabc", "name": "plain",
    }
    out = redact(data, found=found)
    assert out["password_enabled"] is True and out["password_last_used"].startswith("2026") and out["kms_key_id"] == "arn:aws:kms:k"
    assert out["password"] == out["clientSecret"] == out["user_data"] == out["pem"] == out["tags"][0]["Value"] == MARKER
    assert out["name"] == "plain"
    assert sorted(found) == sorted(redacted_paths(out)) and "/tags/0/Value" in found
    assert redact(out) == out  # idempotent


def test_cli_demo_with_evidence_dir_then_verify(tmp_path):
    """The user's path: `demo --evidence-dir --evidence-key --evidence-zip`, then `verify --public-key`."""
    private, public = _keypair(tmp_path, "ci")
    out = tmp_path / "evidence"
    env = os.environ.copy()
    demo = subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", "demo", "-q", "--checks", "aws.s3.bucket_versioning,aws.iam.root_mfa_enabled,aws.ec2.vpc_flow_logs",
         "--format", f"json={tmp_path / 'r.json'}", "--evidence-dir", str(out),
         "--evidence-key", str(private), "--evidence-zip"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=180,
    )
    assert demo.returncode == 1, demo.stderr  # the demo account has failing findings
    assert "wrote evidence bundle" in demo.stderr and (tmp_path / "evidence.zip").exists()
    verify = subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", "verify", str(tmp_path / "evidence.zip"), "--public-key", str(public)],
        capture_output=True, text=True, timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.strip().splitlines()[-1].startswith("verified:")
    _flip(out / b.SNAPSHOT)
    verify = subprocess.run([PYTHON, "-m", "scanner.cli.main", "verify", str(out)], capture_output=True, text=True, timeout=120)
    assert verify.returncode == 1
    assert "FAIL  snapshot.json: SHA-256 does not match" in verify.stdout
    # A non-empty --evidence-dir is refused before anything is scanned.
    again = subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", "demo", "-q", "--evidence-dir", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert again.returncode == 2 and "is not empty" in again.stderr


def test_cli_evidence_command_and_errors(demo_scan, tmp_path):
    from scanner.formatters.json_format import render
    from scanner.snapshot import dump_snapshot

    inventory, report = demo_scan
    (tmp_path / "r.json").write_text(render(report))
    (tmp_path / "s.json").write_text(dump_snapshot(inventory))
    run = subprocess.run(
        [PYTHON, "-m", "scanner.cli.main", "evidence", str(tmp_path / "r.json"), str(tmp_path / "s.json"), "--out", str(tmp_path / "ev")],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    check = subprocess.run([PYTHON, "-m", "scanner.cli.main", "verify", str(tmp_path / "ev"), "--format", "json"], capture_output=True, text=True)
    assert check.returncode == 0 and json.loads(check.stdout)["verified"] is True
    missing = subprocess.run([PYTHON, "-m", "scanner.cli.main", "verify", str(tmp_path / "nope")], capture_output=True, text=True)
    assert missing.returncode == 2 and "evidence bundle not found" in missing.stderr


def test_mappings_coverage_statement():
    from scanner.evidence.coverage import MANUAL, PARTLY, coverage_statement

    statement = coverage_statement("soc2")
    assert statement["criteria_count"] == 61
    rows = {r["criterion"]: r for r in statement["criteria"]}
    assert rows["CC6.1"]["coverage"] == PARTLY and "aws.iam.root_mfa_enabled" in rows["CC6.1"]["checks"]["aws"]
    assert rows["CC6.1"]["manual_evidence"]
    for criterion in ("PI1.1", "PI1.5", "P1.1", "P6.7", "P8.1", "CC1.1"):
        assert rows[criterion]["coverage"] == MANUAL and rows[criterion]["manual_evidence"], criterion
        assert not any(rows[criterion]["checks"].values())
    assert sum(statement["totals"].values()) == 61
    result = subprocess.run([PYTHON, "-m", "scanner.cli.main", "mappings", "coverage", "soc2", "--format", "markdown"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "| P8.1 |" in result.stdout and "61 criteria" in result.stdout
