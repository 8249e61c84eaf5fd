import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trading.supervision.schemas import AttachmentRef


class ComplaintIn(BaseModel):
    section_id: uuid.UUID
    matter: Literal["documents", "opening", "evaluation_result", "other", "challenge_answer"]
    claims: str = Field(min_length=2, max_length=5000, description="明确的请求")
    evidence: list[AttachmentRef] = Field(default_factory=list, max_length=10)
    knew_on: dt.date
    objection_filed_on: dt.date | None = None
    objection_answered_on: dt.date | None = None
    challenge_filed_on: dt.date | None = None
    challenge_answered_on: dt.date | None = None


class ReviewIn(BaseModel):
    accept: bool
    reason: str = Field(min_length=1, max_length=1000)


class SuspendIn(BaseModel):
    until: dt.date
    reason: str = Field(min_length=1, max_length=500)


class DecideIn(BaseModel):
    upheld: bool
    decision: str = Field(min_length=2, max_length=5000)


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sector: str
    section_id: uuid.UUID
    complainant_id: uuid.UUID
    matter: str
    claims: str
    evidence: dict[str, Any]
    knew_on: dt.date
    filed_at: dt.datetime
    file_by: dt.date
    accept_by: dt.date
    decide_by: dt.date | None
    status: str
    review_reason: str | None
    suspended_until: dt.date | None
    suspension_lifted_at: dt.datetime | None
    decision: str | None
    upheld: bool | None
    decided_at: dt.datetime | None
