"""The escrow ledger: a double-entry journal in integer fen.

Design overview (after django-hordak and TigerBeetle):

- **Account** (`funds_account`): one line of the chart of accounts (funds/journal/chart.py): the
  center's single escrow bank account (E-09), one virtual sub-account per bidder per section,
  suspense, late payments, refunds payable, forfeitures payable, fees receivable, fee income,
  interest expense, price payable to the grantor or transferor. `kind` says which way the account
  normally runs (asset, liability, income, expense).
- **JournalEntry** (`funds_journal_entry`): one business event that moves money between accounts
  (a deposit received, a refund, a forfeiture...). `code` says why. `idempotency_key` is supplied
  by whoever asks for the entry (the bank's transaction id, "refund:<credit id>", ...) and is
  unique: a retry returns the first entry, never a second one.
- **Posting** (`funds_posting`): one leg of an entry on one account; `amount_fen` is signed,
  debit positive and credit negative. **The postings of an entry always sum to zero**: the
  service refuses anything else and, on PostgreSQL, a DEFERRABLE INITIALLY DEFERRED constraint
  trigger refuses it again at COMMIT.
- **Append-only**: no update or delete path exists in the service (and PostgreSQL triggers refuse
  UPDATE and DELETE on these tables). A mistake is corrected by a reversing entry (`code =
  "reversal"`) that names the one it reverses in `reverses_id`; an entry is reversed at most once.
- **Balances in O(1)**: each posting stores the account's `balance_after_fen`, computed while the
  journal is locked, and the index (account_id, posted_at, entry_seq) makes the balance of any
  account, now or at any past instant, one index lookup, whatever the length of the journal.
- **Hash chain**: entries are numbered by `seq` without gaps; each holds the previous entry's hash
  and its own hash over its fields and its postings, so editing, deleting or reordering any row
  breaks the chain. `trading funds verify` (funds.journal.service.verify_ledger) replays the
  journal, recomputes every balance and names the first broken link.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin
from trading.ids import new_id

Fen = BigInteger


class Account(IdMixin, Base):
    __tablename__ = "funds_account"
    __table_args__ = (CheckConstraint("kind IN ('asset', 'liability', 'income', 'expense')", name="kind"),)

    # Stable name in the chart: "escrow_bank", "refunds_payable:construction", "subaccount:<number>".
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    # The sector an account belongs to (None: center-wide, e.g. the escrow bank account).
    sector: Mapped[str | None] = mapped_column(String(20), index=True)
    section_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    opened_at: Mapped[dt.datetime]


class JournalEntry(Base):
    __tablename__ = "funds_journal_entry"

    # The chain's order: 1, 2, 3... without gaps, taken under the journal lock.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[uuid.UUID] = mapped_column(default=new_id, unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    # Ledger time: the clock's time of posting, never earlier than the previous entry's, so that
    # "the balance at instant t" is well defined and one index lookup.
    posted_at: Mapped[dt.datetime] = mapped_column(index=True)
    # Business time (the bank's value time of a credit, ...).
    value_at: Mapped[dt.datetime]
    memo: Mapped[str] = mapped_column(String(500))
    section_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("funds_journal_entry.id"), unique=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class Posting(Base):
    __tablename__ = "funds_posting"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
        Index("ix_funds_posting_balance", "account_id", "posted_at", "entry_seq"),
    )

    entry_seq: Mapped[int] = mapped_column(ForeignKey("funds_journal_entry.seq"), primary_key=True)
    line: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("funds_account.id"))
    # Debit positive, credit negative.
    amount_fen: Mapped[int] = mapped_column(Fen)
    # The account's balance (debit positive) after this posting.
    balance_after_fen: Mapped[int] = mapped_column(Fen)
    # The entry's posted_at, repeated here for the balance index.
    posted_at: Mapped[dt.datetime]
