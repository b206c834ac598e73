"""Cloud KMS: every crypto key of each project (locations -> key rings -> keys) with its IAM policy.

KMS has no cross-location list, so this reads the project's locations first. Key rings and keys of
each location are read concurrently on the shared pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.gcp._facets import read_facets, seconds
from scanner.collect.registry import collector, facet
from scanner.models.gcp.iam_policy import IamPolicy
from scanner.models.gcp.kms import CryptoKey

if TYPE_CHECKING:
    from scanner.collect.gcp._client import GcpScope


@collector(
    "gcp.kms.crypto_keys",
    regional=True,
    permissions=["cloudkms.locations.list", "cloudkms.keyRings.list", "cloudkms.cryptoKeys.list"],
    facets={
        "iam_policy": facet(["cloudkms.cryptoKeys.getIamPolicy"], ["iam_policy"]),
    },
)
def crypto_keys(scope: GcpScope) -> list[CryptoKey]:
    locations = scope.pages("cloudkms", "projects.locations.list", "locations", name=f"projects/{scope.project}")
    rings = [
        ring["name"]
        for found in scope.map(
            lambda loc: scope.pages("cloudkms", "projects.locations.keyRings.list", "keyRings", parent=loc["name"]), locations
        )
        for ring in found
    ]
    keys = [
        key
        for found in scope.map(
            lambda ring: scope.pages("cloudkms", "projects.locations.keyRings.cryptoKeys.list", "cryptoKeys", parent=ring), rings
        )
        for key in found
    ]
    return scope.map(lambda key: _key(scope, key), keys)


def _key(scope: GcpScope, k: dict) -> CryptoKey:
    name = k["name"]
    fields, errors = read_facets(
        scope,
        {
            "iam_policy": lambda: {
                "iam_policy": IamPolicy.from_api(scope.call("cloudkms", "projects.locations.keyRings.cryptoKeys.getIamPolicy", resource=name))
            }
        },
    )
    primary = k.get("primary") or {}
    return CryptoKey(
        id=name,
        name=name.rsplit("/", 1)[-1],
        region=name.split("/locations/", 1)[1].split("/", 1)[0],
        account=scope.account,
        purpose=k.get("purpose", "ENCRYPT_DECRYPT"),
        rotation_period_seconds=seconds(k.get("rotationPeriod")),
        primary_state=primary.get("state"),
        protection_level=(k.get("versionTemplate") or {}).get("protectionLevel"),
        errors=errors,
        **fields,
    )
