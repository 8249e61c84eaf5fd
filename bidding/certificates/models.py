"""The platform's own keys and the certificates it issued to bidder organisations."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class PlatformKey(IdMixin, Base):
    """The root CA and the document signer: created once, shared by every instance.

    The private key is stored encrypted (AES-256-GCM) under a key derived from the platform's
    secret key; these keys sign and certify, they never decrypt a bid."""

    __tablename__ = "bid_platform_key"

    name: Mapped[str] = mapped_column(String(20), unique=True)  # "ca" or "signer"
    certificate_pem: Mapped[str] = mapped_column(Text)
    encrypted_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class BidderCertificate(IdMixin, Base):
    """A signing certificate the platform CA issued to a bidder organisation (CSR → certificate)."""

    __tablename__ = "bidder_certificate"

    serial: Mapped[str] = mapped_column(String(40), unique=True)  # hex
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    uscc: Mapped[str] = mapped_column(String(18))
    subject: Mapped[str] = mapped_column(String(300))
    certificate_pem: Mapped[str] = mapped_column(Text)
    # SHA-256 of the SubjectPublicKeyInfo: one live certificate per key.
    key_fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    not_before: Mapped[dt.datetime]
    not_after: Mapped[dt.datetime]
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[uuid.UUID]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[uuid.UUID | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(40))
    revocation_note: Mapped[str | None] = mapped_column(String(500))
    # From when signatures by this key are not trusted (X.509 invalidityDate); at most revoked_at.
    invalid_since: Mapped[dt.datetime | None]
