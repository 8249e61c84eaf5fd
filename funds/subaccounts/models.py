"""Virtual sub-accounts (虚拟子账号): one per bidder per section, the number the bidder pays into.

The row also carries the deposit's settlement (held until it is refunded, forfeited or converted):
the one row every money movement of that deposit locks, so two of them never race.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class VirtualAccount(IdMixin, Base):
    __tablename__ = "funds_virtual_account"
    __table_args__ = (
        UniqueConstraint("section_id", "organisation_id"),
        CheckConstraint("state IN ('held', 'refunded', 'forfeited', 'converted')", name="state"),
    )

    number: Mapped[str] = mapped_column(String(24), unique=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    # The ledger account (chart: subaccount:<number>) holding the qualifying deposit.
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_account.id"), unique=True)
    opened_at: Mapped[dt.datetime]
    opened_by: Mapped[str] = mapped_column(String(100))
    # held → refunded | forfeited | converted (funds/deposits/rules.py)
    state: Mapped[str] = mapped_column(String(12), default="held")
    settled_at: Mapped[dt.datetime | None]
    settled_by: Mapped[str | None] = mapped_column(String(100))
    settlement_reason: Mapped[str | None] = mapped_column(String(500))


class FundsCounter(Base):
    """Numbers handed out in sequence (virtual accounts, invoices, payment batches), never reused."""

    __tablename__ = "funds_counter"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
