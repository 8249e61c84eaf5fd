"""Checking a submission receipt offline: the platform's signature, and the package it names.

A receipt (回执) is a signed document (see `documents`) whose body names the section, the bidder,
the package's SHA-256 and size, the time the platform received it (by its own clock) and the
receipt's number in the section. With the platform root CA kept from before, anyone (the bidder, a
supervisor, a court) can check it without asking the platform.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from cryptography import x509

from bidding.sealing.documents import DocumentInvalid, verify_document

RECEIPT_FORMAT = "trading-bid-receipt/1"


class ReceiptInvalid(ValueError):
    pass


def verify_receipt(
    document: Any, ca_certificate: x509.Certificate, *, package_path: Path | None = None
) -> dict[str, Any]:
    """The receipt's body when the platform signed it (and, given the package, when it names that
    file); ReceiptInvalid saying why otherwise."""
    try:
        body = verify_document(document, ca_certificate)
    except DocumentInvalid as exc:
        raise ReceiptInvalid(str(exc)) from exc
    if body.get("format") != RECEIPT_FORMAT:
        raise ReceiptInvalid(f"not a bid receipt (format {body.get('format')!r})")
    if package_path is not None:
        digest, size = hashlib.sha256(), 0
        with package_path.open("rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        named = body.get("package") or {}
        if named.get("sha256") != digest.hexdigest() or named.get("size") != size:
            raise ReceiptInvalid("the receipt names another package than this file")
    return body
