"""Ed25519 signatures over the bundle manifest (via `cryptography`).

Keys are files: a PEM private key (PKCS#8, `openssl genpkey -algorithm ed25519 -out key.pem`; an
encrypted one takes its passphrase from TRUSTSCAN_KEY_PASSPHRASE) to sign; a PEM public key
(`openssl pkey -in key.pem -pubout -out key.pub`) or an OpenSSH `ssh-ed25519` line to verify.
`signature.json` carries the signer's public key and its fingerprint, so a bundle verifies on its
own; pinning the expected key with `verify --public-key` is what proves who signed it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from scanner.errors import ConfigurationError

SIGNATURE_FILE = "signature.json"
ALGORITHM = "Ed25519"


class SignatureError(Exception):
    """The signature is malformed or does not verify."""


def _serialization() -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization


def load_private_key(path: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    serialization = _serialization()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigurationError(f"cannot read signing key {path}: {exc.strerror}") from exc
    passphrase = os.environ.get("TRUSTSCAN_KEY_PASSPHRASE")
    try:
        if data.lstrip().startswith(b"-----BEGIN OPENSSH PRIVATE KEY"):
            key = serialization.load_ssh_private_key(data, password=passphrase.encode() if passphrase else None)
        else:
            key = serialization.load_pem_private_key(data, password=passphrase.encode() if passphrase else None)
    except TypeError as exc:
        raise ConfigurationError(f"signing key {path} is encrypted: set TRUSTSCAN_KEY_PASSPHRASE") from exc
    except ValueError as exc:
        raise ConfigurationError(f"{path} is not a PEM or OpenSSH private key ({exc})") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"signing key {path} is not an Ed25519 key")
    return key


def load_public_key(path: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    serialization = _serialization()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ConfigurationError(f"cannot read public key {path}: {exc.strerror}") from exc
    try:
        if data.lstrip().startswith(b"ssh-ed25519"):
            key = serialization.load_ssh_public_key(data.strip())
        elif b"PRIVATE KEY" in data:
            key = load_private_key(path).public_key()  # a private key file pins its own public key
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ConfigurationError(f"{path} is not a PEM or OpenSSH public key ({exc})") from exc
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(f"public key {path} is not an Ed25519 key")
    return key


def raw_public_key(public_key: Any) -> bytes:
    serialization = _serialization()
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public_key: Any) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw_public_key(public_key)).digest()).decode().rstrip("=")


def sign(manifest_bytes: bytes, private_key: Any) -> str:
    """The signature.json text for these manifest bytes."""
    public_key = private_key.public_key()
    document = {
        "algorithm": ALGORITHM,
        "signed_file": "manifest.json",
        "public_key": base64.b64encode(raw_public_key(public_key)).decode(),
        "key_fingerprint": fingerprint(public_key),
        "signature": base64.b64encode(private_key.sign(manifest_bytes)).decode(),
    }
    return json.dumps(document, indent=2) + "\n"


def verify(manifest_bytes: bytes, signature_text: bytes, pinned: Any | None = None) -> str:
    """Check signature.json against the manifest bytes; return the signer's key fingerprint.

    With `pinned`, the signature must come from that key. Raises SignatureError.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        document = json.loads(signature_text)
        if not isinstance(document, dict):
            raise ValueError("not an object")
        if document.get("algorithm") != ALGORITHM:
            raise SignatureError(f"unsupported signature algorithm {document.get('algorithm')!r}")
        if document.get("signed_file") != "manifest.json":
            raise SignatureError(f"signs {document.get('signed_file')!r}, not manifest.json")
        embedded = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"], validate=True))
        signature = base64.b64decode(document["signature"], validate=True)
    except SignatureError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise SignatureError(f"malformed signature file ({exc})") from exc
    if document.get("key_fingerprint") != fingerprint(embedded):
        raise SignatureError("key_fingerprint does not match the embedded public key")
    key = embedded
    if pinned is not None:
        if raw_public_key(pinned) != raw_public_key(embedded):
            raise SignatureError(f"signed by key {fingerprint(embedded)}, not by the expected key {fingerprint(pinned)}")
        key = pinned
    try:
        key.verify(signature, manifest_bytes)
    except InvalidSignature as exc:
        raise SignatureError("the signature does not match manifest.json (manifest or signature modified)") from exc
    return fingerprint(key)
