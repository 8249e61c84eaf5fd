import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from trading.money import Yuan, YuanOut


class RefundOut(BaseModel):
    id: uuid.UUID
    kind: str
    trigger: str
    rule: str | None
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    sector: str | None
    principal: YuanOut
    interest: YuanOut | None
    late_charge: YuanOut | None
    total: YuanOut
    payee_name: str
    payee_account: str
    payee_bank: str
    fell_due_at: dt.datetime
    due_on: dt.date
    due_basis: str
    status: str = Field(description="pending | sent | confirmed | failed")
    attempt: int
    reference: str | None = Field(description="the payment reference of the current attempt")
    paid_on: dt.date | None
    bank_txn_id: str | None
    failure_reason: str | None


class InstructionOut(BaseModel):
    id: uuid.UUID
    number: str
    created_at: dt.datetime
    count: int
    total: YuanOut
    sha256: str
    file_url: str


class ConfirmIn(BaseModel):
    bank_txn_id: str = Field(min_length=1, max_length=64)
    paid_on: dt.date
    amount: Yuan | None = Field(
        default=None, description="the amount the bank paid, checked against the refund"
    )


class FailIn(BaseModel):
    reason: str = Field(min_length=2, max_length=300)


class RateIn(BaseModel):
    kind: Literal["current_deposit", "benchmark_loan"]
    effective_from: dt.date
    rate_percent: str = Field(
        pattern=r"^\d{1,2}(\.\d{1,4})?$",
        description='annual rate in per cent, e.g. "0.35"',
        examples=["0.35"],
    )
    source: str = Field(min_length=2, max_length=200, description="the notice or bank announcement")


class RateOut(BaseModel):
    id: uuid.UUID
    kind: str
    effective_from: dt.date
    rate_percent: str
    source: str
    recorded_at: dt.datetime


class InterestFundingIn(BaseModel):
    """Money credited to the escrow account to pay refund interest with (funded before it is paid)."""

    source: Literal["bank_interest", "center_transfer"] = Field(
        description="the bank's interest on the escrow account, or a transfer from the center's own account"
    )
    bank_txn_id: str = Field(min_length=1, max_length=64, description="the bank's id of the credit")
    amount: Yuan
    value_date: dt.date


class InterestFundingOut(BaseModel):
    entry_id: uuid.UUID
    entry_seq: int
    created: bool = Field(description="false: this bank transaction was already booked")
    available: YuanOut = Field(description="interest funds left after this credit")
