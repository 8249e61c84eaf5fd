from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field


class AssessmentIn(BaseModel):
    expert_id: uuid.UUID
    rating: str
    note: str = Field(default="", max_length=1000)


class AssessmentOut(BaseModel):
    id: uuid.UUID
    expert_id: uuid.UUID
    section_id: uuid.UUID
    rating: str
    note: str
    assessed_at: dt.datetime
    expert_suspended: bool


class ReviewIn(BaseModel):
    findings: str = Field(min_length=1, max_length=10000)


class ReviewOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    findings: str
    reviewed_at: dt.datetime


class SampledOut(BaseModel):
    section_id: uuid.UUID
    section_code: str
    section_name: str
    signed_at: dt.datetime
