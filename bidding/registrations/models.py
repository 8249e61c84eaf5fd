"""Registrations (报名) and their qualification documents (资格文件).

A registration is one bidder organisation's application to bid on one section. At most one
*live* registration (submitted or accepted) exists per section and bidder, enforced by a partial
unique index on both SQLite and PostgreSQL; rejected and withdrawn ones stay as history, and the
bidder may register again after either while registration is open.

The documents' bytes live in the content-addressed BlobStore; a row holds the digest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType

# The statuses that hold a place: the partial unique index and the service use the same list.
LIVE_STATUSES = ("submitted", "accepted")
_LIVE_SQL = text("status IN ('submitted', 'accepted')")


class Registration(IdMixin, Base):
    __tablename__ = "registration"
    __table_args__ = (
        Index(
            "uq_registration_live",
            "section_id",
            "organisation_id",
            unique=True,
            sqlite_where=_LIVE_SQL,
            postgresql_where=_LIVE_SQL,
        ),
    )

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    # The bidder (投标人 / 供应商 / 竞买人 / 意向受让方).
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(60))
    contact_phone: Mapped[str] = mapped_column(String(30))
    contact_email: Mapped[str] = mapped_column(String(200))
    # submitted → accepted | rejected; submitted | accepted → withdrawn (rules.TRANSITIONS).
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Why staff rejected it, or the bidder's written statement when it withdrew.
    reason: Mapped[str | None] = mapped_column(String(500))
    # A property transferee's answer to each of the transferor's conditions, checked when it
    # registered: [{"condition", "met", "evidence"}]; empty when the listing states none
    # (None on registrations older than the check).
    transferee_answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
    # The deposit sub-account (虚拟子账号) funds opened for this bidder and section, if a deposit is due.
    subaccount_number: Mapped[str | None] = mapped_column(String(40))
    registered_at: Mapped[dt.datetime]
    registered_by: Mapped[uuid.UUID]
    reviewed_at: Mapped[dt.datetime | None]
    reviewed_by: Mapped[uuid.UUID | None]
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by: Mapped[uuid.UUID | None]


class QualificationDocument(IdMixin, Base):
    __tablename__ = "qualification_document"

    registration_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registration.id"), index=True)
    # business_licence, qualification_certificate, safety_licence, financial_statement, other.
    kind: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(255))
    # Detected from the content (magic bytes), never taken from the client's declaration.
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_at: Mapped[dt.datetime]
    uploaded_by: Mapped[uuid.UUID]
    # Where the upload came from, for the collusion signals (C-12): the client's address as the
    # trusted-proxy logic finds it, and the installation id its tool sent (X-Trading-Device).
    client_address: Mapped[str | None] = mapped_column(String(45))
    device_id: Mapped[str | None] = mapped_column(String(64))
