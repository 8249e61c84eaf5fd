"""Issued documents: one row per document, never changed except to note its successor."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin

_ORIGINAL = text("supersedes_id IS NULL")


class IssuedDocument(IdMixin, Base):
    """One original per kind, subject and language (partial unique index), each document replaced
    at most once (unique `supersedes_id`): so at any time exactly one of a chain is current, even
    when two requests race to issue or correct the same document."""

    __tablename__ = "issued_document"
    __table_args__ = (
        Index(
            "uq_issued_document_original",
            "kind",
            "subject",
            "language",
            unique=True,
            sqlite_where=_ORIGINAL,
            postgresql_where=_ORIGINAL,
        ),
    )

    # 文件编号, e.g. 文书〔2026〕000017: one sequence per year.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # Printed on the document and in its QR code: /verify/{code}.
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    # What it is about: an announcement, receipt, section or refund id, or a month (2026-03).
    subject: Mapped[str] = mapped_column(String(64), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    # Who may read it besides the kind's readers: its organisation's users; a bureau its sector.
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # The organisation that gets a copy: the principal of an award notice, the seller of a sale.
    copy_to_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sector: Mapped[str | None] = mapped_column(String(20))
    # The signed PDF in the blob store, by SHA-256.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[uuid.UUID]
    issuer_name: Mapped[str] = mapped_column(String(100))
    # A correction names the document it replaces and why.
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("issued_document.id"), unique=True)
    correction_reason: Mapped[str | None] = mapped_column(String(500))


class DocumentCounter(Base):
    """The last document number used per year."""

    __tablename__ = "document_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
