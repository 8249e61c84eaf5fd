import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AcknowledgeIn(BaseModel):
    note: str = Field(min_length=1, max_length=1000)


class StepDoneIn(BaseModel):
    note: str = Field(min_length=1, max_length=500, description="what was received, e.g. the report's number")


class WarningOut(BaseModel):
    id: uuid.UUID
    level: str
    reason: str
    sector: str
    step: str
    rule: str
    department: str
    subject: str
    section_id: uuid.UUID | None
    due_on: dt.date
    done_on: dt.date | None
    raised_at: dt.datetime
    message: dict[str, str]
    acknowledged_at: dt.datetime | None
    acknowledgement: str | None
    closed: bool


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    step: str
    rule: str
    sector: str
    section_id: uuid.UUID | None
    department: str
    subject: str
    started_on: dt.date
    due_on: dt.date
    due_basis: str
    done_on: dt.date | None
    status: str


class EvaluationOut(BaseModel):
    audit_head: int
    yellow: int
    red: int
    escalated: int


class LetterIn(BaseModel):
    warning_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    addressee_kind: Literal["agency", "principal", "center"]
    organisation_id: uuid.UUID | None = None
    department: str | None = Field(default=None, max_length=200, description="the center's department")
    subject: str = Field(min_length=2, max_length=200)
    body: str = Field(min_length=2, max_length=5000)
    due_on: dt.date


class AnswerIn(BaseModel):
    explanation: str = Field(min_length=2, max_length=5000)
    correction: str = Field(min_length=2, max_length=5000)


class ReviewIn(BaseModel):
    accept: bool
    note: str = Field(min_length=1, max_length=1000)
    new_due_on: dt.date | None = None


class LetterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    sector: str
    section_id: uuid.UUID | None
    warning_id: uuid.UUID | None
    addressee_kind: str
    organisation_id: uuid.UUID | None
    department: str
    subject: str
    body: str
    due_on: dt.date
    status: str
    issued_at: dt.datetime
    explanation: str | None
    correction: str | None
    answered_at: dt.datetime | None
    review_note: str | None
    escalated_at: dt.datetime | None
    rounds: int


class CircularIn(BaseModel):
    sector: Literal["construction", "procurement", "land", "property"]
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


class CircularOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    sector: str
    month: str
    generated_at: dt.datetime
    content: dict[str, Any]
    sha256: str


class SectorDashboard(BaseModel):
    sector: str
    open_yellow: int
    open_red: int
    unacknowledged: int
    letters_open: int
    letters_escalated: int
    complaints_open: int
    sessions_today: int
    refunds_overdue: int


class DashboardOut(BaseModel):
    today: dt.date
    sectors: list[SectorDashboard]


class ArchiveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    section_id: uuid.UUID
    sector: str
    ended_at: dt.datetime
    ending: str
    retention_until: dt.date
    manifest: dict[str, Any]
    sha256: str


class ArchiveCheckOut(BaseModel):
    intact: bool
    problems: list[str]
