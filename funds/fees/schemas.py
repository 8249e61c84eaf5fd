import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from trading.money import Yuan, YuanOut


class BandIn(BaseModel):
    lower: Yuan = Field(description="the band starts at this contract value (yuan)")
    upper: Yuan | None = Field(default=None, description="and ends here; none for the last band")
    rate_percent: str = Field(pattern=r"^\d{1,2}(\.\d{1,4})?$", examples=["0.15"])


class ScheduleIn(BaseModel):
    effective_from: dt.date
    payer: Literal["winner", "principal"]
    bands: list[BandIn] = Field(min_length=1, max_length=30)
    source: str = Field(min_length=2, max_length=200, description="the price notice the scale follows")


class BandOut(BaseModel):
    lower: YuanOut
    upper: YuanOut | None
    rate_percent: str


class ScheduleOut(BaseModel):
    id: uuid.UUID
    sector: str
    effective_from: dt.date
    payer: str
    source: str
    bands: list[BandOut]


class InvoiceIn(BaseModel):
    section_id: uuid.UUID
    contract_value: Yuan


class InvoiceOut(BaseModel):
    id: uuid.UUID
    number: str
    section_id: uuid.UUID
    sector: str
    payer: str
    payer_organisation_id: uuid.UUID
    contract_value: YuanOut
    amount: YuanOut
    settled: YuanOut
    breakdown: list[str]
    issued_at: dt.datetime
