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
    # Where the package came from, for the collusion signals (C-12): the client's address as the
    # trusted-proxy logic finds it, and the sealing tool's installation id (X-Trading-Device).
    client_address: Mapped[str | None] = mapped_column(String(45))
    device_id: Mapped[str | None] = mapped_column(String(64))
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


class PackageCheck(IdMixin, Base):
    """One check of a stored package against the digest its receipt signed (E-05): at the
    deadline, on demand, before unsealing, or the bidder handing the package in again."""

    __tablename__ = "bid_package_check"

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bid.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    # deadline | request | opening | bidder
    trigger: Mapped[str] = mapped_column(String(20))
    # intact | corrupted | missing | restored (handed in again by the bidder, as the receipt names)
    result: Mapped[str] = mapped_column(String(20))
    expected_sha256: Mapped[str] = mapped_column(String(64))
    found_sha256: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime]
