import datetime as dt
import uuid

from pydantic import BaseModel, Field

from trading.money import Yuan, YuanOut


class GuaranteeIn(BaseModel):
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    issuer: str = Field(min_length=2, max_length=200, description="the bank or insurer that issued it")
    number: str = Field(min_length=1, max_length=64)
    amount: Yuan
    valid_from: dt.date
    valid_until: dt.date


class GuaranteeOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    issuer: str
    number: str
    amount: YuanOut
    valid_from: dt.date
    valid_until: dt.date
    status: str
    recorded_at: dt.datetime
    closed_at: dt.datetime | None
    closed_reason: str | None
