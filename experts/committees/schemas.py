from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field


class SignInIn(BaseModel):
    """The declaration each member makes on signing in: no conflict, or a recusal with its reason."""

    conflict: bool
    reason: str | None = Field(default=None, max_length=500)


class RecuseIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ChairIn(BaseModel):
    member_id: uuid.UUID


class SeatOut(BaseModel):
    member_id: uuid.UUID
    specialty: str
    kind: str
    state: str
    chair: bool
    signed_in_at: dt.datetime | None
    stepped_in_for: uuid.UUID | None
    expert_id: uuid.UUID | None = None
    name: str | None = None
    recusal_reason: str | None = None


class CommitteeOut(BaseModel):
    section_id: uuid.UUID
    experts: int
    representatives: int
    sealed: bool
    ready: bool
    vacant_seats: int
    seats: list[SeatOut]


class MySeatOut(BaseModel):
    section_id: uuid.UUID
    section_code: str
    section_name: str
    member_id: uuid.UUID
    kind: str
    state: str
