import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from trading.money import Yuan, YuanOut


class PaymentTerms(BaseModel):
    """R-04: a lump sum within 5 working days of the contract taking effect, or instalments with a
    first payment of at least 30 % and the rest, secured, within 12 months."""

    kind: Literal["lump_sum", "instalments"] = "lump_sum"
    working_days: int = Field(default=5, ge=1, le=60)
    first_payment_percent: int = Field(default=100, ge=1, le=100)
    balance_months: int = Field(default=0, ge=0, le=120)
    balance_secured: bool = False


class TransfereeCondition(BaseModel):
    """One of the transferor's conditions for transferees (受让方资格条件), as the disclosure states it.
    A plain string is a condition that asks only for the transferee's declaration."""

    model_config = ConfigDict(str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=500)
    evidence_required: bool = Field(
        default=False, description="the transferee must name its evidence (证明材料) when it registers"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: object) -> object:
        return {"text": value} if isinstance(value, str) else value


class ListingIn(BaseModel):
    """The sale's own terms; prices and the listing period come from the section."""

    method: Literal["auction", "sealed_quote"] = Field(
        default="auction",
        description="auction: offers, then online bidding; sealed_quote (property only): one sealed "
        "quote per transferee, opened after the deadline (一次性报价)",
    )
    increment: Yuan = Field(description="加价幅度 (yuan), more than 0")
    auction_delay_minutes: int = Field(
        default=10, description="minutes from the listing's end to the auction"
    )
    auction_minutes: int = Field(default=5, description="the auction's countdown before any bid")
    extension_minutes: int = Field(
        default=5, description="延时周期: a bid in the last N minutes ends it N minutes later"
    )
    sign_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="hours the winner has to sign the confirmation"
    )
    changes_control: bool = Field(default=False, description="property: the transfer changes control (R-01)")
    pre_disclosure_start: dt.datetime | None = None
    pre_disclosure_end: dt.datetime | None = None
    transferee_conditions: list[TransfereeCondition] = Field(
        default_factory=list,
        max_length=20,
        description="property: the transferor's conditions, each answered by a transferee when it registers",
    )
    payment: PaymentTerms = Field(default_factory=PaymentTerms)
    appraised_on: dt.date | None = Field(default=None, description="date of the appraisal report (R-02)")
    previous_listing_id: uuid.UUID | None = Field(
        default=None, description="a relisting: the failed listing (R-02)"
    )


class BidIn(BaseModel):
    price: Yuan


class RefusalIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="the facts: what the winner said or did")
    declared: bool = Field(default=False, description="the winner declared in writing it will not sign")


class BidOut(BaseModel):
    kind: str = "bid"
    seq: int
    phase: str
    number: int
    price: str
    at: str
    auction_end: str | None


class BidderOut(BaseModel):
    number: int
    wants_auction: bool
    joined_at: dt.datetime


class ResultOut(BaseModel):
    """The transaction confirmation's data (成交确认书), once sold."""

    confirmation_number: str | None
    winner_number: int | None
    winner: str | None
    price: YuanOut | None
    ended_at: dt.datetime | None
    reason: str | None
    rule: str | None
    sign_due_at: dt.datetime | None
    signed_at: dt.datetime | None
    refused_at: dt.datetime | None
    announcement_due_on: dt.date | None
    payment: dict
    reserve_price: YuanOut | None
    converted_at: dt.datetime | None


class BoardOut(BaseModel):
    """The public board: the price and the time left, no bidder named or numbered."""

    listing_id: uuid.UUID
    section_id: uuid.UUID
    method: str
    status: str
    status_zh: str
    phase: str
    server_time: dt.datetime
    starting_price: YuanOut
    increment: YuanOut
    current_price: YuanOut | None
    minimum_bid: YuanOut
    listing_start: dt.datetime
    listing_end: dt.datetime
    auction_start: dt.datetime | None
    auction_end: dt.datetime | None
    seconds_left: int | None
    last_seq: int


class RoomOut(BoardOut):
    """The room's state for its watchers: numbers, not names; the result once ended."""

    current_number: int | None
    your_number: int | None
    bidders: int
    result: ResultOut | None


class ConversionOut(BaseModel):
    listing_id: uuid.UUID
    to_fee: YuanOut
    to_price: YuanOut
