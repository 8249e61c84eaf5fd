import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from trading.venue.rules import Purpose


class RoomIn(BaseModel):
    name: str = Field(min_length=1, max_length=60)
    kind: Literal["opening", "evaluation"]
    capacity: int = Field(ge=1, le=1000)
    equipment: list[str] = Field(default_factory=list, max_length=30)


class RoomOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    capacity: int
    equipment: list[str]


class BookingIn(BaseModel):
    room_id: uuid.UUID
    section_id: uuid.UUID
    purpose: Purpose
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class BookingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    room_id: uuid.UUID
    section_id: uuid.UUID
    sector: str
    purpose: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


class CheckInIn(BaseModel):
    role: Literal["staff", "supervisor", "expert", "bidder_representative", "principal", "agency"]
    name: str = Field(min_length=1, max_length=60)
    organisation: str | None = Field(default=None, max_length=200)
    presence: Literal["present", "online"]


class MoveIn(BaseModel):
    action: Literal["pause", "resume", "close"]
    note: str | None = Field(default=None, max_length=500)


class IncidentIn(BaseModel):
    note: str = Field(min_length=1, max_length=500)


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    booking_id: uuid.UUID
    section_id: uuid.UUID
    sector: str
    kind: str
    status: str
    started_at: dt.datetime
    closed_at: dt.datetime | None


class TimelineItem(BaseModel):
    at: dt.datetime
    source: Literal["session", "audit", "supervision"]
    kind: str
    note: str | None
    attendee: dict[str, Any] | None


class TimelineOut(BaseModel):
    session: SessionOut
    items: list[TimelineItem]
