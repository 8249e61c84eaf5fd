from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field


class ProfileIn(BaseModel):
    """What the expert keeps up to date; staff approve each change before draws use it."""

    specialties: list[str] = Field(min_length=1, max_length=8)
    region: str = Field(min_length=1, max_length=60)
    employer_name: str = Field(min_length=1, max_length=200)
    employer_id: uuid.UUID | None = None
    title: str = Field(min_length=1, max_length=40)
    certificate_no: str = Field(min_length=1, max_length=40)
    certificate_expires: dt.date
    interests: list[uuid.UUID] = Field(default_factory=list, max_length=50)


class ExpertIn(ProfileIn):
    user_id: uuid.UUID
    name: str = Field(min_length=1, max_length=60)


class StatusIn(BaseModel):
    status: str
    reason: str | None = Field(default=None, max_length=300)


class ControlLinkIn(BaseModel):
    controlling_id: uuid.UUID
    controlled_id: uuid.UUID


class ExpertOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    name: str
    specialties: list[str]
    region: str
    employer_id: uuid.UUID | None
    employer_name: str
    title: str
    certificate_no: str
    certificate_expires: dt.date
    status: str
    suspended_reason: str | None
    interests: list[str]
    approved: bool
    pending_profile: dict | None
