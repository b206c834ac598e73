"""ACM (regional): certificates of every key type, from ListCertificates alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.collect.registry import collector
from scanner.models.aws.acm import Certificate

if TYPE_CHECKING:
    from scanner.collect.aws._client import AwsScope

# ListCertificates returns only RSA_2048 certificates unless asked for the other key types.
KEY_TYPES = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]


@collector("aws.acm.certificates", regional=True, permissions=["acm:ListCertificates"])
def certificates(scope: AwsScope) -> list[Certificate]:
    listed = scope.pages("acm", "ListCertificates", "CertificateSummaryList", Includes={"keyTypes": KEY_TYPES})
    return [
        Certificate(
            id=c["CertificateArn"],
            name=c.get("DomainName") or c["CertificateArn"].rsplit("/", 1)[-1],
            region=scope.region,
            account=scope.account,
            domain_name=c.get("DomainName"),
            status=c.get("Status", "UNKNOWN"),
            type=c.get("Type"),
            key_algorithm=c.get("KeyAlgorithm"),
            not_after=c.get("NotAfter"),
            in_use=bool(c.get("InUse")),
            renewal_eligibility=c.get("RenewalEligibility"),
        )
        for c in listed
    ]
