"""ACM through moto's server: imported certificates (self-signed, made here with `cryptography`) near
or far from expiry, with weak and strong keys, and denied reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from tests.conftest import finding, verdicts

EXPIRY = "aws.acm.certificate_not_expiring"
STRENGTH = "aws.acm.certificate_key_strength"


def _import(acm, domain: str, days_valid: int, key=None) -> str:
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days_valid))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return acm.import_certificate(
        Certificate=cert.public_bytes(serialization.Encoding.PEM),
        PrivateKey=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        ),
    )["CertificateArn"]


def test_certificate_expiry_and_key_strength(aws):
    acm = aws.client("acm")
    _import(acm, "pass-valid.example.com", 365)
    _import(acm, "fail-expiring.example.com", 10)
    _import(acm, "fail-weak.example.com", 365, key=rsa.generate_private_key(public_exponent=65537, key_size=1024))
    _import(acm, "pass-ec.example.com", 200, key=ec.generate_private_key(ec.SECP256R1()))
    report = aws.scan(EXPIRY, STRENGTH)
    assert verdicts(report, "aws.acm.certificate_not_expiring") == {
        ("pass-valid.example.com", "PASS"),
        ("fail-expiring.example.com", "FAIL"),
        ("fail-weak.example.com", "PASS"),
        ("pass-ec.example.com", "PASS"),
    }
    assert finding(report, EXPIRY, "fail-expiring.example.com").message == "certificate expires in 9 days (< 30)"
    assert verdicts(report, "aws.acm.certificate_key_strength") == {
        ("pass-valid.example.com", "PASS"),
        ("fail-expiring.example.com", "PASS"),
        ("fail-weak.example.com", "FAIL"),
        ("pass-ec.example.com", "PASS"),
    }
    assert finding(report, STRENGTH, "fail-weak.example.com").message == "KeyAlgorithm is RSA_1024 (< 2048 bits)"
    assert finding(report, STRENGTH, "pass-ec.example.com").message == "KeyAlgorithm is EC_prime256v1"
    stricter = aws.scan(EXPIRY, params={EXPIRY: {"min_days": 250}})
    assert verdicts(stricter, "aws.acm.certificate_not_expiring") == {
        ("pass-valid.example.com", "PASS"),
        ("fail-expiring.example.com", "FAIL"),
        ("fail-weak.example.com", "PASS"),
        ("pass-ec.example.com", "FAIL"),
    }


def test_pending_requests_are_not_judged(aws):
    aws.client("acm").request_certificate(DomainName="pending.example.com")  # PENDING_VALIDATION in moto
    report = aws.scan(EXPIRY)
    assert {f.status.value for f in report.findings} == {"NOT_APPLICABLE"}


def test_denied_listing_is_error_never_pass(aws, denied_session):
    _import(aws.client("acm"), "hidden.example.com", 365)
    report = aws.scan(EXPIRY, session=denied_session("acm:ListCertificates"))
    region = "account 123456789012 in us-east-1"
    assert verdicts(report, "aws.acm.certificate_not_expiring") == {(region, "ERROR")}
    assert "access denied to acm:ListCertificates" in finding(report, EXPIRY, region).message
