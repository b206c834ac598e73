"""Evidence bundles against deletion and zip bombs: a bundle that was signed says so in its manifest,
so verify fails when the signature is gone (without --require-signature); zip members are streamed and
bounded by the sizes the manifest records, so a small zip with a huge member costs no memory."""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from scanner.evidence import bundle as b
from scanner.evidence.bundle import build_bundle, write_bundle
from scanner.evidence.verify import verify_bundle
from tests.inprocess import run
from tests.test_evidence import _keypair

HUGE = 200 * 1024 * 1024  # bytes once inflated; ~200 KB in the zip


@pytest.fixture(scope="module")
def small_scan(moto_endpoint):
    from scanner.demo.aws import reset
    from tests.conftest import MotoAccount

    reset(moto_endpoint)
    account = MotoAccount(moto_endpoint)
    account.client("s3").create_bucket(Bucket="plain")
    return account.collect(["aws.s3.bucket_versioning"])


@pytest.fixture
def signed(small_scan, tmp_path):
    from scanner.evidence.signing import fingerprint, load_private_key

    inventory, report = small_scan
    private, public = _keypair(tmp_path, "signer")
    key = load_private_key(str(private))
    out = tmp_path / "bundle"
    write_bundle(build_bundle(report, inventory, signing_key=key), str(out), make_zip=True)
    return out, private, public, fingerprint(key.public_key())


def test_a_signed_bundle_records_its_signer_in_the_manifest(signed, small_scan, tmp_path):
    out, _, _, fp = signed
    manifest = json.loads((out / b.MANIFEST).read_text())
    assert manifest["signature"] == {"algorithm": "Ed25519", "key_fingerprint": fp}
    inventory, report = small_scan
    unsigned = tmp_path / "unsigned"
    write_bundle(build_bundle(report, inventory), str(unsigned))
    assert json.loads((unsigned / b.MANIFEST).read_text())["signature"] is None
    assert verify_bundle(str(unsigned)).ok


def test_deleting_the_signature_fails_verification(signed):
    out, *_ , fp = signed
    (out / b.SIGNATURE).unlink()
    result = verify_bundle(str(out))
    assert not result.ok
    problem = next(p for p in result.problems if p.file == b.SIGNATURE)
    assert "missing" in problem.message and fp in problem.message
    code, stdout, _ = run("verify", str(out))
    assert code == 1 and "signature.json" in stdout


def test_deleting_the_signature_from_the_zip_fails_too(signed, tmp_path):
    out, *_ = signed
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(str(out) + ".zip") as source, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if not info.filename.endswith("/" + b.SIGNATURE):
                target.writestr(info, source.read(info))
    assert run("verify", str(stripped))[0] == 1


def test_a_signature_by_another_key_than_the_manifest_records_fails(signed, tmp_path):
    from scanner.evidence.signing import load_private_key, sign

    out, *_ = signed
    other, _ = _keypair(tmp_path, "other")
    (out / b.SIGNATURE).write_text(sign((out / b.MANIFEST).read_bytes(), load_private_key(str(other))))
    result = verify_bundle(str(out))
    assert any(p.file == b.SIGNATURE and "manifest.json records" in p.message for p in result.problems), result.problems


def _copy_with(source_zip: str, target: Path, extra: tuple[str, int] | None = None, grow: str | None = None) -> None:
    """Copy a bundle zip, adding a member of `extra` zero bytes or growing `grow` by HUGE bytes, streamed."""
    with zipfile.ZipFile(source_zip) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        top = source.namelist()[0].split("/")[0]
        for info in source.infolist():
            data = source.read(info)
            if grow and info.filename.endswith("/" + grow):
                with out.open(info.filename, "w", force_zip64=True) as handle:
                    handle.write(data)
                    for _ in range(HUGE // (1 << 20)):
                        handle.write(b" " * (1 << 20))
            else:
                out.writestr(info, data)
        if extra:
            with out.open(f"{top}/{extra[0]}", "w", force_zip64=True) as handle:
                for _ in range(extra[1] // (1 << 20)):
                    handle.write(b"\0" * (1 << 20))


@pytest.mark.parametrize("how", ["unlisted member", "listed member larger than recorded"])
def test_a_huge_member_is_neither_read_whole_nor_kept(signed, tmp_path, how):
    out, *_ = signed
    bomb = tmp_path / "bomb.zip"
    if how == "unlisted member":
        _copy_with(str(out) + ".zip", bomb, extra=("padding.bin", HUGE))
    else:
        _copy_with(str(out) + ".zip", bomb, grow=b.REPORT)
    assert os.path.getsize(bomb) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        result = verify_bundle(str(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not result.ok
    named = "padding.bin" if how == "unlisted member" else b.REPORT
    assert any(p.file == named for p in result.problems), [str(p) for p in result.problems]
    assert peak < 64 * 1024 * 1024, f"verify held {peak / 2**20:.0f} MiB for a {HUGE / 2**20:.0f} MiB member"


def test_a_huge_file_in_a_bundle_folder_is_not_read(signed, tmp_path):
    out, *_ = signed
    copy = tmp_path / "folder"
    shutil.copytree(out, copy)
    with open(copy / b.SNAPSHOT, "ab") as handle:
        handle.truncate(HUGE)  # sparse: costs no disk
    tracemalloc.start()
    try:
        result = verify_bundle(str(copy))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert any(p.file == b.SNAPSHOT and "bytes" in p.message for p in result.problems), [str(p) for p in result.problems]
    assert peak < 64 * 1024 * 1024
