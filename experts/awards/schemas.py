from __future__ import annotations

import datetime as dt
import uuid

from pydantic import AwareDatetime, BaseModel, Field


class ObjectionIn(BaseModel):
    matter: str = Field(min_length=1, max_length=5000)


class AnswerIn(BaseModel):
    upheld: bool
    answer: str = Field(min_length=1, max_length=5000)


class ObjectionOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    kind: str
    matter: str
    filed_at: dt.datetime
    answer_due: dt.datetime
    status: str
    answer: str | None
    answered_at: dt.datetime | None


class PassedOverIn(BaseModel):
    organisation_id: str
    reason: str


class AwardIn(BaseModel):
    winner_id: uuid.UUID
    passed_over: list[PassedOverIn] = Field(default_factory=list, max_length=2)


class ContractIn(BaseModel):
    price: str = Field(pattern=r"^\d{1,13}(\.\d{1,2})?$")


class AwardOut(BaseModel):
    section_id: uuid.UUID
    winner_id: uuid.UUID
    rank: int
    passed_over: list[dict]
    decided_at: dt.datetime
    notice_due: dt.datetime | None
    notice_issued_at: dt.datetime | None
    contract_due: dt.datetime | None
    report_due: dt.datetime
    report_filed_at: dt.datetime | None
    contract_signed_at: dt.datetime | None
    contract_price: str | None
    publication_due: dt.datetime | None
    contract_published_at: dt.datetime | None
    # Late against its rule: notice (P-14), contract (C-15 / P-09), report (C-19), publication (P-15).
    late: list[str]


class NoticeIn(BaseModel):
    # The candidates' publicity: its end (at least 3 days, C-14).
    publicity_end: AwareDatetime | None = None


class NoticeOut(BaseModel):
    announcement_id: uuid.UUID
    kind: str
    status: str
    title: str
    body: str
