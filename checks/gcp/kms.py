"""Cloud KMS: rotation, public access, separation of duties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from checks.gcp._iam import grants
from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.gcp import GcpInventory

DAY = 86400
KMS_USE_ROLES = {
    "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    "roles/cloudkms.cryptoKeyEncrypter",
    "roles/cloudkms.cryptoKeyDecrypter",
}


@check(
    id="gcp.kms.key_rotation_period",
    title="Symmetric KMS keys rotate automatically at least every configured days",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="cloudkms.googleapis.com/CryptoKey",
    reads=["gcp.kms.crypto_keys"],
    params={"max_days": Param(90, minimum=1, maximum=36500)},
    remediation="gcloud kms keys update KEY --keyring R --location L --rotation-period=90d --next-rotation-time=...",
)
def key_rotation_period(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Automatic rotation limits how much data one key version protects and how long a
    compromised version stays in use (CC6.1). Asymmetric keys cannot rotate automatically and
    keys without an enabled primary are not in use: both are skipped."""
    limit = ctx.params["max_days"]
    for key in inv.kms.crypto_keys:
        if key.purpose != "ENCRYPT_DECRYPT" or key.primary_state not in ("ENABLED", None):
            continue
        if key.rotation_period_seconds is None:
            yield Result.failed(key, "no rotationPeriod: the key never rotates automatically")
            continue
        days = key.rotation_period_seconds / DAY
        if days <= limit:
            yield Result.passed(key, f"rotationPeriod is {count(days, 'day')} (limit {limit})", rotation_days=days)
        else:
            yield Result.failed(key, f"rotationPeriod is {count(days, 'day')} (limit {limit})", rotation_days=days)


@check(
    id="gcp.kms.key_not_public",
    title="KMS keys are not accessible to allUsers or allAuthenticatedUsers",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="cloudkms.googleapis.com/CryptoKey",
    reads=["gcp.kms.crypto_keys:iam_policy"],
    remediation="Remove the allUsers / allAuthenticatedUsers members from the key's IAM policy.",
)
def key_not_public(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """A key anyone can use to decrypt protects nothing: whoever obtains the ciphertext can read
    it (C1.1, CC6.1)."""
    for key in inv.kms.crypto_keys:
        public = key.iam_policy.public_bindings if key.iam_policy else []
        if public:
            yield Result.failed(key, "public IAM bindings: " + ", ".join(f"{m} ({r})" for r, m in public))
        else:
            yield Result.passed(key, "no allUsers / allAuthenticatedUsers binding")


@check(
    id="gcp.kms.separation_of_duties",
    title="No one both administers KMS keys and uses them to encrypt or decrypt",
    severity=Severity.MEDIUM,
    category=Category.MFA,
    resource_type="cloudresourcemanager.googleapis.com/Project",
    reads=["gcp.resourcemanager.projects:iam_policy"],
    remediation="Give roles/cloudkms.admin and the CryptoKey Encrypter/Decrypter roles to different people or service accounts.",
)
def separation_of_duties(inv: GcpInventory, ctx: CheckContext) -> Iterator[Result]:
    """Whoever administers keys can change their IAM policy and rotation; if the same principal can
    also decrypt, one compromised account reads and hides access to protected data (CC6.3)."""
    for project in inv.resourcemanager.projects:
        admins = {m for m, _ in grants(project.iam_policy, {"roles/cloudkms.admin"}, lambda m: True)}
        users = {m for m, _ in grants(project.iam_policy, KMS_USE_ROLES, lambda m: True)}
        both = sorted(admins & users)
        if both:
            yield Result.failed(project, f"cloudkms.admin and an encrypt/decrypt role held by: {', '.join(both)}", members=both)
        else:
            yield Result.passed(project, "no member holds roles/cloudkms.admin together with an encrypt/decrypt role")
