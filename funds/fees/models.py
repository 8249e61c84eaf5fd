"""Transaction service fees (交易服务费): per-sector sliding scales, and the invoices they give."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class FeeSchedule(IdMixin, Base):
    """A sector's scale from a date on; a later schedule of the sector replaces it from its own date."""

    __tablename__ = "funds_fee_schedule"
    __table_args__ = (
        UniqueConstraint("sector", "effective_from"),
        CheckConstraint("payer IN ('winner', 'principal')", name="payer"),
    )

    sector: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[dt.date]
    # Who the fee is charged to: the winning bidder or the principal.
    payer: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class FeeBand(IdMixin, Base):
    """The part of the contract value from `lower_fen` up to `upper_fen` pays `rate_ppm`."""

    __tablename__ = "funds_fee_band"
    __table_args__ = (
        UniqueConstraint("schedule_id", "lower_fen"),
        CheckConstraint("rate_ppm >= 0", name="rate_not_negative"),
    )

    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_fee_schedule.id"), index=True)
    lower_fen: Mapped[int] = mapped_column(BigInteger)
    upper_fen: Mapped[int | None] = mapped_column(BigInteger)
    rate_ppm: Mapped[int] = mapped_column(Integer)


class FeeInvoice(IdMixin, Base):
    __tablename__ = "funds_fee_invoice"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="amount_not_negative"),)

    number: Mapped[str] = mapped_column(String(24), unique=True)
    # One invoice per section (the fee of its contract).
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    payer: Mapped[str] = mapped_column(String(10))
    payer_organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    contract_value_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # The bands applied, with each band's part: the invoice explains itself.
    breakdown: Mapped[list[str]]
    schedule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_fee_schedule.id"))
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(100))
    settled_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds_journal_entry.id"))
