"""Keys that live on the bidder's and the key holder's side, never on the server.

A bidder has two: a signing key (EC P-256, or Ed25519) whose public half the platform certifies
(the CSR goes to `POST /api/bidding/certificates`), and an X25519 decryption key, so that it can
open its own bid during the decryption window (the E-05 remedy). A key holder has one X25519 key;
it registers the public half for a section and keeps the private half to itself.
Private keys are written as PKCS#8 PEM, encrypted when a passphrase is given.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.x509.oid import NameOID

from bidding.sealing.envelope import key_fingerprint, raw_public

SigningKey = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
VerifyingKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


def new_signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def new_x25519_key() -> x25519.X25519PrivateKey:
    return x25519.X25519PrivateKey.generate()


def sign(key: SigningKey, data: bytes) -> bytes:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hashes.SHA256()))
    return key.sign(data)


def verify(key: Any, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `key`'s signature of `data` (P-256/ECDSA-SHA256 or Ed25519)."""
    try:
        if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
            return True
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
            return True
    except InvalidSignature:
        return False
    return False


def acceptable_public_key(key: Any) -> bool:
    """The certificate keys the platform accepts: EC P-256 or Ed25519."""
    return (isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)) or isinstance(
        key, ed25519.Ed25519PublicKey
    )


def certificate_request(key: SigningKey, *, uscc: str, name: str) -> x509.CertificateSigningRequest:
    """A CSR proving possession of `key`; the platform writes the subject from its own records."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, uscc),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ]
    )
    algorithm = hashes.SHA256() if isinstance(key, ec.EllipticCurvePrivateKey) else None
    return x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, algorithm)


def private_pem(key: Any, passphrase: bytes | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def load_private_pem(data: bytes, passphrase: bytes | None = None) -> Any:
    return serialization.load_pem_private_key(data, password=passphrase)


def write_private_key(path: Path, key: Any, passphrase: bytes | None = None) -> None:
    """Write a private key readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(private_pem(key, passphrase))


def load_signing_key(path: Path, passphrase: bytes | None = None) -> SigningKey:
    key = load_private_pem(path.read_bytes(), passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        raise ValueError(f"{path} is not an EC P-256 or Ed25519 signing key")
    return key


def load_x25519_key(path: Path, passphrase: bytes | None = None) -> x25519.X25519PrivateKey:
    key = load_private_pem(path.read_bytes(), passphrase)
    if not isinstance(key, x25519.X25519PrivateKey):
        raise ValueError(f"{path} is not an X25519 key")
    return key


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, *, expected: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError) as exc:
        raise ValueError("not valid base64") from exc
    if expected is not None and len(data) != expected:
        raise ValueError(f"expected {expected} bytes, got {len(data)}")
    return data


def x25519_public_from_b64(text: str) -> x25519.X25519PublicKey:
    return x25519.X25519PublicKey.from_public_bytes(unb64(text, expected=32))


@dataclass(frozen=True)
class PublicKeyInfo:
    """An X25519 public key as registered and as manifests name it."""

    raw: bytes

    @property
    def b64(self) -> str:
        return b64(self.raw)

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.raw)

    @classmethod
    def of(cls, key: x25519.X25519PrivateKey | x25519.X25519PublicKey) -> PublicKeyInfo:
        public = key.public_key() if isinstance(key, x25519.X25519PrivateKey) else key
        return cls(raw_public(public))
