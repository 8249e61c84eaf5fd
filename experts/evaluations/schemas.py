from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field


class CriterionIn(BaseModel):
    code: str = Field(min_length=1, max_length=10)
    name: str = Field(min_length=1, max_length=100)
    max_points: int = Field(ge=1, le=100)


class EvaluationIn(BaseModel):
    method: str
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=40)
    price_points: int = Field(default=0, ge=0, le=100)
    candidates: int = 3
    outlier_percent: int = Field(default=20, ge=1, le=100)
    fast_percent: int = Field(default=30, ge=1, le=100)
    state_controlled: bool = False


class RejectionIn(BaseModel):
    organisation_id: uuid.UUID
    ground: str
    text: str = Field(min_length=1, max_length=1000)


class SheetIn(BaseModel):
    # {organisation_id: {criterion code: points}}
    scores: dict[str, dict[str, float]]


class SignIn(BaseModel):
    dissent: str | None = Field(default=None, max_length=2000)


class BidReviewOut(BaseModel):
    organisation_id: uuid.UUID
    bidder: str
    price: int | None
    valid: bool
    reasons: list[dict[str, Any]]


class EvaluationOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    method: str
    criteria: list[dict[str, Any]]
    price_points: int
    candidates_wanted: int
    state_controlled: bool
    status: str
    round: int
    bids: list[BidReviewOut]
    sheets_submitted: int
    my_sheet: dict[str, Any] | None = None
    ranking: list[dict[str, Any]] | None = None
    flags: list[dict[str, Any]] | None = None
    signatures: int
    report: dict[str, Any] | None = None
    report_sha256: str | None = None
    signed_at: dt.datetime | None = None
    publicity_due: dt.datetime | None = None
