"""The platform's certificate authority, as pure functions over `cryptography` X.509 objects.

The root CA certifies two kinds of keys: the platform's own signing key (receipts, sealing
parameters, opening records) and each bidder organisation's signing key, a stand-in for the CA
certificates bidders use in China (CFCA and the provincial CAs). A bidder certificate carries the
organisation's USCC in the subject's serialNumber and its name in O and CN.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

CA_YEARS = 20
SIGNER_YEARS = 10
BIDDER_DAYS = 365
PLATFORM = "公共资源交易平台"


def _name(common_name: str, organisation: str = PLATFORM, serial_number: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ]
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _key_usage(*, signing: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def build_root(key: ec.EllipticCurvePrivateKey, at: dt.datetime) -> x509.Certificate:
    name = _name(f"{PLATFORM}根证书 Root CA")
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(at - dt.timedelta(minutes=5))
        .not_valid_after(at + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signing=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def _issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    *,
    not_before: dt.datetime,
    not_after: dt.datetime,
    serial: int | None = None,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(public_key)
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signing=True, ca=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def issue_platform_signer(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, key: ec.EllipticCurvePrivateKey, at: dt.datetime
) -> x509.Certificate:
    """The platform's document signer: receipts, sealing parameters, opening records."""
    return _issue(
        ca_key,
        ca,
        _name(f"{PLATFORM}签章 Document Signer"),
        key.public_key(),
        not_before=at - dt.timedelta(minutes=5),
        not_after=at + dt.timedelta(days=365 * SIGNER_YEARS),
    )


def issue_bidder(
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    public_key: ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey,
    *,
    uscc: str,
    name: str,
    at: dt.datetime,
    days: int = BIDDER_DAYS,
) -> x509.Certificate:
    return _issue(
        ca_key,
        ca,
        _name(name, organisation=name, serial_number=uscc),
        public_key,
        not_before=at,
        not_after=at + dt.timedelta(days=days),
    )


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def public_key_fingerprint(certificate: x509.Certificate) -> str:
    der = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def subject_uscc(certificate: x509.Certificate) -> str | None:
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None


REVOCATION_REASONS = {
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "unspecified": x509.ReasonFlags.unspecified,
}


def build_crl(
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    revoked: list[tuple[str, dt.datetime, str, dt.datetime | None]],
    *,
    at: dt.datetime,
    next_update: dt.timedelta = dt.timedelta(days=1),
) -> x509.CertificateRevocationList:
    """A CRL of (serial hex, revoked at, reason, invalid since) entries."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(at)
        .next_update(at + next_update)
    )
    for serial, revoked_at, reason, invalid_since in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial, 16))
            .revocation_date(revoked_at)
            .add_extension(
                x509.CRLReason(REVOCATION_REASONS.get(reason, x509.ReasonFlags.unspecified)), False
            )
        )
        if invalid_since is not None:
            entry = entry.add_extension(x509.InvalidityDate(invalid_since.replace(tzinfo=None)), False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca_key, hashes.SHA256())
