"""Refunds (退还保证金) and returns (退回误入款项), their payment batches, and the interest rates.

One refund per bank credit, ever (a unique constraint): the money of a credit goes back once, to
the account it came from (the payee is copied from the credit, and no API can set it). A failed
payment is retried on the same refund, not by a second one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Refund(IdMixin, Base):
    __tablename__ = "funds_refund"
    __table_args__ = (
        CheckConstraint("principal_fen > 0", name="principal_positive"),
        CheckConstraint("status IN ('pending', 'sent', 'confirmed', 'failed')", name="status"),
        CheckConstraint("kind IN ('deposit', 'return')", name="kind"),
    )

    credit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_bank_credit.id"), unique=True)
    # deposit: a deposit falls due for refund; return: money that was never a deposit goes back.
    kind: Mapped[str] = mapped_column(String(8))
    virtual_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("funds_virtual_account.id"), index=True
    )
    section_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    sector: Mapped[str | None] = mapped_column(String(20), index=True)
    # Why it fell due: section.failed, section.contracted, registration.withdrawn, manual, late_payment...
    trigger: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str | None] = mapped_column(String(8))
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    with_interest: Mapped[bool]
    # P-05: a procurement refund made after its deadline carries a charge.
    late_charge_applies: Mapped[bool]
    # Fixed when the first payment instruction is issued.
    interest_fen: Mapped[int | None] = mapped_column(BigInteger)
    late_charge_fen: Mapped[int | None] = mapped_column(BigInteger)
    interest_from: Mapped[dt.date]
    # Copied from the credit: never anyone else's account.
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_account: Mapped[str] = mapped_column(String(40))
    payee_bank: Mapped[str] = mapped_column(String(100))
    fell_due_at: Mapped[dt.datetime]
    # The last day (center's calendar) on which the refund must be made.
    due_on: Mapped[dt.date] = mapped_column(index=True)
    # days | working_days, with _provisional when counted over a year whose notice is not loaded (D-03)
    due_basis: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    instruction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds_refund_instruction.id"))
    sent_at: Mapped[dt.datetime | None]
    paid_on: Mapped[dt.date | None]
    confirmed_at: Mapped[dt.datetime | None]
    bank_txn_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failed_at: Mapped[dt.datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(300))


class RefundInstruction(IdMixin, Base):
    """One payment file for the bank: every refund pending when it was made."""

    __tablename__ = "funds_refund_instruction"

    number: Mapped[str] = mapped_column(String(24), unique=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))


class InterestRate(IdMixin, Base):
    """An annual rate effective from a date until the next row of the same kind."""

    __tablename__ = "funds_interest_rate"
    __table_args__ = (
        UniqueConstraint("kind", "effective_from"),
        CheckConstraint("kind IN ('current_deposit', 'benchmark_loan')", name="kind"),
        CheckConstraint("rate_ppm >= 0", name="rate_not_negative"),
    )

    # current_deposit: the bank's current-deposit rate (C-16 interest);
    # benchmark_loan: the central bank's benchmark loan rate (P-05 late charge: + 20 %).
    kind: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[dt.date]
    # Annual rate in parts per million: 0.35 % = 3500.
    rate_ppm: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime]
    recorded_by: Mapped[str] = mapped_column(String(100))
