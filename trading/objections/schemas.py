import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class ObjectionIn(BaseModel):
    grounds: str = Field(min_length=10, max_length=20_000, description="异议的事项、理由和请求")


class AnswerIn(BaseModel):
    answer: str = Field(min_length=4, max_length=20_000, description="招标人的书面答复")


class ObjectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    status: str
    status_zh: str
    grounds: str
    filed_at: dt.datetime
    bid_deadline: dt.datetime
    answer_due_at: dt.datetime
    answer: str | None
    answered_at: dt.datetime | None
    deadline_moved_to: dt.datetime | None


class SectionObjections(BaseModel):
    """A section's objections; `paused` while any waits for its answer (TLR art. 22)."""

    section_id: uuid.UUID
    paused: bool
    bid_deadline: dt.datetime | None
    objections: list[ObjectionOut]
