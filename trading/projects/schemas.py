import datetime as dt
import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from trading.money import Yuan, YuanOut
from trading.sectors import Procedure, Sector


class Schedule(BaseModel):
    """Key dates of a section; all times are ISO 8601 with a time zone."""

    documents_issued_at: AwareDatetime | None = None
    documents_sale_start: AwareDatetime | None = None
    documents_sale_end: AwareDatetime | None = None
    registration_start: AwareDatetime | None = None
    registration_end: AwareDatetime | None = None
    bid_deadline: AwareDatetime | None = Field(
        default=None, description="投标截止时间; for land and property: the end of the listing or disclosure"
    )
    listing_start: AwareDatetime | None = None
    listing_end: AwareDatetime | None = None
    sale_start: AwareDatetime | None = Field(
        default=None,
        description="Land tender or auction: when the tender or the auction starts (投标、拍卖开始时间); "
        "the transfer announcement must precede it by 20 days (L-01)",
    )


class SectionIn(Schedule):
    name: str = Field(min_length=2, max_length=200)
    procedure: Procedure
    contract_kind: Literal["works", "goods", "services"] | None = None
    budget: Yuan | None = Field(default=None, description="estimated contract price or budget, yuan")
    starting_price: Yuan | None = None
    reserve_price: Yuan | None = None
    appraised_value: Yuan | None = None
    below_appraisal_consent: bool = False
    deposit: Yuan = Field(default=0, description="bid / auction deposit, yuan")
    bid_validity_days: int | None = Field(default=None, ge=1, le=365)


class ProjectIn(BaseModel):
    name: str = Field(min_length=2, max_length=200)
    sector: Sector
    region: str = Field(min_length=2, max_length=60)
    description: str = Field(default="", max_length=20000)
    principal_id: uuid.UUID
    agency_id: uuid.UUID | None = None
    sections: list[SectionIn] = Field(min_length=1, max_length=50)


class SectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    number: int
    code: str
    name: str
    procedure: str
    status: str
    status_zh: str
    status_reason: str | None
    allowed_actions: list[str]
    contract_kind: str | None
    budget: YuanOut | None
    starting_price: YuanOut | None
    reserve_price: YuanOut | None
    appraised_value: YuanOut | None
    below_appraisal_consent: bool
    deposit: YuanOut
    bid_validity_days: int | None
    documents_issued_at: dt.datetime | None
    documents_sale_start: dt.datetime | None
    documents_sale_end: dt.datetime | None
    registration_start: dt.datetime | None
    registration_end: dt.datetime | None
    bid_deadline: dt.datetime | None
    listing_start: dt.datetime | None
    listing_end: dt.datetime | None
    sale_start: dt.datetime | None
    announced_at: dt.datetime | None
    publicity_end: dt.datetime | None
    winner_id: uuid.UUID | None


class ProjectOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    sector: str
    region: str
    description: str
    principal_id: uuid.UUID
    agency_id: uuid.UUID | None
    registered_at: dt.datetime
    sections: list[SectionOut]


class TransitionIn(BaseModel):
    action: Literal["open_bids", "evaluate", "publish_candidates", "award", "contract", "fail", "cancel"]
    reason: str | None = Field(default=None, max_length=500)
    winner_id: uuid.UUID | None = Field(default=None, description="the winning organisation, for 'award'")
