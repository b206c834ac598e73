"""Cloud KMS keys (google_kms_crypto_key in a google_kms_key_ring).

google provider defaults: purpose ENCRYPT_DECRYPT, no rotation_period (the key never rotates
automatically), a first key version created enabled (unless skip_initial_version_creation),
protection level SOFTWARE. A key's IAM policy is the sum of google_kms_crypto_key_iam_* resources,
key ring and project bindings: it is read live."""

from __future__ import annotations

from typing import Any

from scanner.models.gcp.kms import CryptoKey
from scanner.sources.terraform.adapters import Context, Fields, adapter, as_bool, identity, name_or_address
from scanner.sources.terraform.adapters.gcp_data import project
from scanner.sources.terraform.modules import TfResource


@identity("google_kms_key_ring")
def _ring_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    where = tf.values.get("location")
    ring = f"projects/{project(tf)}/locations/{where if isinstance(where, str) else '(location)'}/keyRings/{name}"
    return {"id": ring, "name": name}


@identity("google_kms_crypto_key")
def _key_identity(ctx: Context, tf: TfResource) -> dict[str, str]:
    name = name_or_address(tf.values.get("name"), tf)
    ring = ctx.ref(tf, tf.values.get("key_ring"))
    ring_id = ring if isinstance(ring, str) else f"(known after apply: {tf.address}.key_ring)"
    return {"id": f"{ring_id}/cryptoKeys/{name}", "name": name}


def duration_seconds(value: Any) -> int:
    """A google duration ("7776000s") in seconds."""
    if not isinstance(value, str) or not value.endswith("s"):
        raise ValueError('not a duration in seconds ("7776000s")')
    return int(float(value[:-1]))


@adapter("gcp.kms.crypto_keys", ["google_kms_crypto_key"], unsupported_facets={
    "iam_policy": "a key's IAM policy is the sum of every google_kms_crypto_key_iam_*, key ring and project binding, read live",
})
def crypto_keys(ctx: Context) -> list[CryptoKey]:
    out = []
    for tf in ctx.of_type("google_kms_crypto_key"):
        f = Fields(ctx, tf)
        f.get("purpose", default="ENCRYPT_DECRYPT", placeholder="ENCRYPT_DECRYPT")
        f.get("rotation_period_seconds", "rotation_period", convert=duration_seconds, note="without rotation_period the key never rotates automatically")
        skip = f.get("primary_state", "skip_initial_version_creation", default=False, convert=as_bool, placeholder=None)
        if isinstance(skip, bool):
            f.values["primary_state"] = None if skip else "ENABLED"
            if not skip:
                f.defaults["primary_state"] = "the key's first version is created enabled"
        f.get("protection_level", "version_template.protection_level", default="SOFTWARE")
        ident = ctx.identity_of(tf)
        region = ident["id"].split("/locations/", 1)[1].split("/", 1)[0] if "/locations/" in ident["id"] else "unknown"
        out.append(f.build(CryptoKey, id=ident["id"], name=ident["name"], region=region))
    return out
