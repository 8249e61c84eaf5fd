"""Sealed bids as received, and the receipts the platform signed for them.

A bid row never changes its content: a replacement is a new row and the old one becomes
`superseded`; a withdrawal marks it `withdrawn`. At most one `active` bid per section and bidder,
enforced by a partial unique index on both SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin

_ACTIVE = text("status = 'active'")


class Bid(IdMixin, Base):
    __tablename__ = "bid"
    __table_args__ = (
        Index(
            "uq_bid_active",
            "section_id",
            "organisation_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    # active → superseded (replaced) | withdrawn, only before the deadline.
    status: Mapped[str] = mapped_column(String(20), index=True)
    certificate_serial: Mapped[str] = mapped_column(String(40))
    package_id: Mapped[str] = mapped_column(String(36), unique=True)
    # The stored file (BlobStore, by SHA-256): ciphertext and wraps only.
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    package_size: Mapped[int] = mapped_column(BigInteger)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    # The manifest in clear (digests, wraps, commitments, certificate): nothing in it opens the bid.
    manifest: Mapped[dict[str, Any]]
    received_at: Mapped[dt.datetime]
    submitted_by: Mapped[uuid.UUID]
    ended_at: Mapped[dt.datetime | None]
    ended_by: Mapped[uuid.UUID | None]


class Receipt(IdMixin, Base):
    """回执: signed by the platform, verifiable offline; numbered per section in order of issue."""

    __tablename__ = "bid_receipt"
    __table_args__ = (UniqueConstraint("section_id", "sequence", name="uq_bid_receipt_sequence"),)

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # submitted | withdrawn
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    issued_at: Mapped[dt.datetime]
    body: Mapped[dict[str, Any]]
    signature: Mapped[str] = mapped_column(Text)
