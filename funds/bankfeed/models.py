"""Credits the escrow bank reports: by its notification (push) or in its daily statement (file).

One row per bank transaction id, whichever way it arrived first: the unique constraint is what
makes the feed idempotent (the same credit sent twenty times credits once).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin

# deposit: a qualifying deposit, in the bidder's sub-account.
# late: paid after the deadline (or after the deposit was settled): recorded, returned.
# foreign_payer: a bidder bound by C-06 paid from another account: suspense, returned to the payer.
# unmatched: no such virtual account: suspense until staff return it.
DISPOSITIONS = ("deposit", "late", "foreign_payer", "unmatched")


class BankCredit(IdMixin, Base):
    __tablename__ = "funds_bank_credit"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(f"disposition IN {DISPOSITIONS!r}", name="disposition"),
    )

    bank_txn_id: Mapped[str] = mapped_column(String(64), unique=True)
    virtual_account_number: Mapped[str] = mapped_column(String(40), index=True)
    virtual_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("funds_virtual_account.id"), index=True
    )
    section_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sector: Mapped[str | None] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_account: Mapped[str] = mapped_column(String(40))
    payer_bank: Mapped[str] = mapped_column(String(100))
    # When the money reached the escrow account (the bank's value time): decides "late".
    value_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(12))  # notification | statement
    disposition: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    entry_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_journal_entry.id"))
    # A bank recall or a posting mistake, corrected by a reversing entry.
    reversed_at: Mapped[dt.datetime | None]
    reversal_entry_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds_journal_entry.id"))
    # The daily statement that listed this credit (reconciliation).
    statement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds_bank_statement.id"))
