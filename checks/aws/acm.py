"""ACM: certificates not about to expire, and with strong keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scanner.models.common import Category, Severity
from scanner.registry import CheckContext, Param, Result, check
from scanner.text import count

if TYPE_CHECKING:
    from scanner.models.aws import AwsInventory

JUDGED = ("ISSUED", "EXPIRED")  # pending, failed or revoked requests protect nothing


@check(
    id="aws.acm.certificate_not_expiring",
    title="ACM certificates do not expire within the configured days",
    severity=Severity.HIGH,
    category=Category.ENCRYPTION,
    resource_type="AWS::CertificateManager::Certificate",
    reads=["aws.acm.certificates"],
    params={"min_days": Param(30, minimum=1, maximum=3650)},
    remediation="Renew the certificate: fix DNS/email validation so ACM can renew an Amazon-issued certificate, or "
    "import a renewed certificate (aws acm import-certificate --certificate-arn ARN ...).",
)
def certificate_not_expiring(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """An expired certificate breaks TLS: clients either fail or are taught to click through
    warnings, which removes the protection of data in transit (CC6.7). ACM renews Amazon-issued
    certificates 60 days ahead, so one inside `min_days` of expiry means renewal is failing;
    imported certificates are never renewed automatically."""
    minimum = ctx.params["min_days"]
    for cert in inv.acm.certificates:
        if cert.status not in JUDGED:
            continue
        evidence = {"not_after": cert.not_after, "type": cert.type, "in_use": cert.in_use, "status": cert.status}
        if cert.not_after is None:
            yield Result.unknown(cert, "NotAfter is not reported", **evidence)
            continue
        days = (cert.not_after - ctx.now).days
        if cert.status == "EXPIRED" or days < 0:
            yield Result.failed(cert, f"certificate expired on {cert.not_after:%Y-%m-%d}", **evidence)
        elif days < minimum:
            yield Result.failed(cert, f"certificate expires in {count(days, 'day')} (< {minimum})", days_left=days, **evidence)
        else:
            yield Result.passed(cert, f"certificate expires in {count(days, 'day')} (>= {minimum})", days_left=days, **evidence)


@check(
    id="aws.acm.certificate_key_strength",
    title="ACM certificates use RSA keys of at least 2048 bits or ECDSA keys",
    severity=Severity.MEDIUM,
    category=Category.ENCRYPTION,
    resource_type="AWS::CertificateManager::Certificate",
    reads=["aws.acm.certificates"],
    params={"min_rsa_bits": Param(2048, minimum=1024, maximum=16384)},
    remediation="Request or import a replacement certificate with an RSA 2048+ or ECDSA P-256+ key and move the "
    "listeners and distributions to it.",
)
def certificate_key_strength(inv: AwsInventory, ctx: CheckContext) -> Iterator[Result]:
    """RSA keys shorter than 2048 bits are considered breakable and are rejected by current browsers
    and by NIST SP 800-131A, so TLS protected by them does not protect data in transit (CC6.7)."""
    minimum = ctx.params["min_rsa_bits"]
    for cert in inv.acm.certificates:
        if cert.status not in JUDGED:
            continue
        algorithm = cert.key_algorithm or ""
        if algorithm.startswith("EC"):
            yield Result.passed(cert, f"KeyAlgorithm is {algorithm}", key_algorithm=algorithm)
        elif algorithm.startswith("RSA_") and algorithm[4:].isdigit():
            bits = int(algorithm[4:])
            if bits >= minimum:
                yield Result.passed(cert, f"KeyAlgorithm is {algorithm} (>= {minimum} bits)", key_algorithm=algorithm)
            else:
                yield Result.failed(cert, f"KeyAlgorithm is {algorithm} (< {minimum} bits)", key_algorithm=algorithm)
        else:
            yield Result.unknown(cert, f"KeyAlgorithm {algorithm or 'not reported'} is not recognised", key_algorithm=algorithm)
