import datetime as dt
import uuid

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from trading.money import Yuan, YuanOut


class CreditNoticeIn(BaseModel):
    """The bank's notification of one credit to the escrow account (docs/funds.md, bank API)."""

    model_config = ConfigDict(extra="forbid")

    bank_txn_id: str = Field(
        min_length=1, max_length=64, description="the bank's transaction id (idempotency)"
    )
    virtual_account: str = Field(max_length=40, description="the virtual sub-account number credited")
    amount: Yuan
    payer_name: str = Field(min_length=1, max_length=200)
    payer_account: str = Field(min_length=1, max_length=40)
    payer_bank: str = Field(default="", max_length=100)
    value_time: AwareDatetime = Field(description="when the money reached the escrow account")


class CreditOut(BaseModel):
    id: uuid.UUID
    bank_txn_id: str
    virtual_account: str
    amount: YuanOut
    payer_name: str
    payer_account: str
    value_time: dt.datetime
    received_at: dt.datetime
    source: str
    disposition: str = Field(description="deposit | late | foreign_payer | unmatched")
    reason: str | None
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    reversed_at: dt.datetime | None
    duplicate: bool = Field(
        default=False, description="true when this answers a repeat of a known transaction"
    )


class ReasonIn(BaseModel):
    reason: str = Field(min_length=2, max_length=300)
