"""The center's document signer: its own certificate authority and one signing certificate.

Made at the composition root on first start and kept in `data_dir/documents/` (shared storage
with several instances, as the blob store is). Separate from bidding's platform CA: the core does
not import `bidding`, and a document reader needs only this CA certificate to check offline.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from trading.documents.rendering import SignerFiles

CA_YEARS = 20
SIGNER_YEARS = 10


@dataclass(frozen=True)
class DocumentSigner:
    files: SignerFiles
    ca: x509.Certificate
    certificate: x509.Certificate

    @property
    def ca_pem(self) -> str:
        return self.ca.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the CA certificate, as readers compare it (AA:BB:...)."""
        return self.ca.fingerprint(hashes.SHA256()).hex(":").upper()


def _name(center: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, center),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _certificate(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    at: dt.datetime,
    years: int,
    ca: bool,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(at - dt.timedelta(minutes=5))
        .not_valid_after(at + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, data: bytes, *, secret: bool) -> None:
    temp = path.with_suffix(path.suffix + ".tmp")
    temp.write_bytes(data)
    if secret:
        temp.chmod(0o600)
    os.replace(temp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_or_create(folder: Path, *, center: str, at: dt.datetime) -> DocumentSigner:
    """The signer kept in `folder`; on first use a new CA and signing certificate (P-256, SHA-256)."""
    files = SignerFiles(
        key=str(folder / "signer.key"), certificate=str(folder / "signer.pem"), ca=str(folder / "ca.pem")
    )
    if not Path(files.certificate).exists():
        folder.mkdir(parents=True, exist_ok=True)
        ca_key, signer_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        ca_name = _name(center, f"{center}文书根证书 Document CA")
        ca = _certificate(ca_name, ca_key, ca_name, ca_key, at=at, years=CA_YEARS, ca=True)
        signer = _certificate(
            _name(center, f"{center}电子签章 Document Signer"),
            signer_key,
            ca_name,
            ca_key,
            at=at,
            years=SIGNER_YEARS,
            ca=False,
        )
        _write(folder / "ca.key", _key_pem(ca_key), secret=True)
        _write(Path(files.ca), ca.public_bytes(serialization.Encoding.PEM), secret=False)
        _write(Path(files.key), _key_pem(signer_key), secret=True)
        _write(Path(files.certificate), signer.public_bytes(serialization.Encoding.PEM), secret=False)
    return DocumentSigner(
        files=files,
        ca=x509.load_pem_x509_certificate(Path(files.ca).read_bytes()),
        certificate=x509.load_pem_x509_certificate(Path(files.certificate).read_bytes()),
    )
