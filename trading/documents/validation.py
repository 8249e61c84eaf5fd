"""Checking a PDF's signature the way a reader does offline: pyHanko's validator, trusting only the
center's document CA, fetching nothing (no network is needed to check a document)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool
    intact: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer: str | None = None

    @property
    def valid(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def check_signature(pdf: bytes, ca: x509.Certificate) -> SignatureCheck:
    """Synchronous (pyHanko runs its own loop): call it from a thread, never on the event loop."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    except Exception:  # a file that is not a readable PDF is simply not a signed document
        return SignatureCheck(signed=False)
    if not signatures:
        return SignatureCheck(signed=False)
    root = asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))
    context = ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail")
    signature = signatures[-1]
    status = validate_pdf_signature(
        signature, context, key_usage_settings=KeyUsageConstraints(key_usage={"non_repudiation"})
    )
    return SignatureCheck(
        signed=True,
        intact=status.intact and status.valid,
        trusted=status.trusted,
        covers_whole_file=status.coverage.name == "ENTIRE_FILE",
        signer=status.signing_cert.subject.human_friendly,
    )
