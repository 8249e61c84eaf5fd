import datetime as dt
import uuid

from pydantic import BaseModel, Field

from trading.money import YuanOut


class SubaccountIn(BaseModel):
    section_id: uuid.UUID
    organisation_id: uuid.UUID


class PositionOut(BaseModel):
    """Where a bidder's deposit stands: what is due, what secures it, whether it may bid."""

    status: str = Field(
        description="not_required | unpaid | partly_paid | secured | refunded | forfeited | converted"
    )
    status_zh: str
    required: YuanOut
    paid: YuanOut = Field(description="qualifying cash in the sub-account plus accepted guarantees' cover")
    outstanding: YuanOut
    deadline: dt.datetime | None = Field(description="the deposit deadline: the section's bid deadline")
    may_bid: bool


class SubaccountOut(BaseModel):
    id: uuid.UUID
    number: str = Field(description="虚拟子账号: the account number the bidder pays its deposit into")
    section_id: uuid.UUID
    section_code: str
    section_name: str
    organisation_id: uuid.UUID
    organisation_name: str
    sector: str
    opened_at: dt.datetime
    state: str
    position: PositionOut
