import uuid

from pydantic import BaseModel, Field

from funds.deposits.rules import ForfeitReason
from trading.money import YuanOut


class RefundRequestIn(BaseModel):
    # No min_length: an empty reason gets the documented 422 refund.reason_required, not a 400.
    reason: str = Field(max_length=300, description="why the deposit is refunded now")


class ForfeitIn(BaseModel):
    reason: ForfeitReason
    note: str = Field(min_length=2, max_length=400, description="the facts and the document they rest on")


class ConvertIn(BaseModel):
    settle_fee: bool = Field(
        default=True, description="first pay the winner's invoiced service fee out of the deposit"
    )


class SettlementOut(BaseModel):
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    state: str
    settlement_reason: str | None
    to_fee: YuanOut | None = None
    to_price: YuanOut | None = None
