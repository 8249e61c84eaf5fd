"""Signed JSON documents anyone can check offline: receipts, sealing parameters, opening records.

A document is `{"body": {...}, "signature": <base64>, "certificate": <PEM>}`. The signature covers
the canonical JSON of the body (sorted keys, no spaces, UTF-8); the certificate is the platform's
signing certificate, which must chain to the platform root CA that the verifier already trusts
(`GET /api/bidding/platform/certificates`, kept once, like any CA root).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from bidding.sealing.keys import SigningKey, b64, sign, unb64, verify


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON value that signatures and digests are computed over."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentInvalid(ValueError):
    """A signed document does not verify; the message says why."""


def sign_document(body: dict[str, Any], key: SigningKey, certificate_pem: str) -> dict[str, Any]:
    return {"body": body, "signature": b64(sign(key, canonical(body))), "certificate": certificate_pem}


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def within_validity(certificate: x509.Certificate, at: dt.datetime) -> bool:
    return certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc


def verify_document(document: Any, ca_certificate: x509.Certificate) -> dict[str, Any]:
    """The body of a document signed by a certificate the platform CA issued; DocumentInvalid else."""
    if not isinstance(document, dict) or set(document) != {"body", "signature", "certificate"}:
        raise DocumentInvalid("not a signed document: expected body, signature and certificate")
    body = document["body"]
    if not isinstance(body, dict):
        raise DocumentInvalid("the body is not a JSON object")
    try:
        signer = x509.load_pem_x509_certificate(str(document["certificate"]).encode())
        signature = unb64(str(document["signature"]))
    except ValueError as exc:
        raise DocumentInvalid(f"unreadable certificate or signature: {exc}") from exc
    if not issued_by(signer, ca_certificate):
        raise DocumentInvalid("the signing certificate was not issued by the platform CA")
    if not verify(signer.public_key(), signature, canonical(body)):
        raise DocumentInvalid("the signature does not match the document")
    return body
