"""Electronic bank guarantees (电子保函) that secure a deposit instead of cash."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Guarantee(IdMixin, Base):
    __tablename__ = "funds_guarantee"
    __table_args__ = (
        UniqueConstraint("issuer", "number"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("status IN ('accepted', 'released', 'claimed')", name="status"),
    )

    virtual_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_virtual_account.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # Validity, in calendar dates of the center's time zone, both days included.
    valid_from: Mapped[dt.date]
    valid_until: Mapped[dt.date]
    # accepted (secures the deposit) → released (given back) | claimed (deposit forfeited)
    status: Mapped[str] = mapped_column(String(10))
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(String(300))
