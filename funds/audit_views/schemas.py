import datetime as dt
import uuid

from pydantic import BaseModel

from trading.money import YuanOut


class BalanceLineOut(BaseModel):
    account: str
    name: str
    kind: str
    sector: str | None
    debit: YuanOut
    credit: YuanOut


class TrialBalanceOut(BaseModel):
    at: dt.datetime
    lines: list[BalanceLineOut]
    total_debit: YuanOut
    total_credit: YuanOut
    complete: bool
    balanced: bool


class MovementOut(BaseModel):
    seq: int
    entry_id: uuid.UUID
    posted_at: dt.datetime
    value_at: dt.datetime
    code: str
    memo: str
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    account: str
    account_name: str
    debit: YuanOut
    credit: YuanOut
    balance_after: YuanOut
    reverses_id: uuid.UUID | None


class HeldDepositOut(BaseModel):
    virtual_account: str
    sector: str
    section_id: uuid.UUID
    section_code: str
    organisation_id: uuid.UUID
    organisation_name: str
    required: YuanOut
    cash: YuanOut
    guarantee: YuanOut


class OutstandingRefundOut(BaseModel):
    refund_id: uuid.UUID
    kind: str
    sector: str | None
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    payee_name: str
    payee_account: str
    total: YuanOut
    due_on: dt.date
    status: str
    overdue: bool
    warning: str | None
    rule: str | None


class OutstandingOut(BaseModel):
    held: list[HeldDepositOut]
    refunds: list[OutstandingRefundOut]


class LedgerReportOut(BaseModel):
    intact: bool
    entries: int
    postings: int
    accounts: int
    first_broken_seq: int | None
    reason: str | None
    # The signed checkpoints the journal was held to, and the newest one's size (docs/integrity.md).
    checkpoints_checked: int = 0
    checkpoint_size: int | None = None
