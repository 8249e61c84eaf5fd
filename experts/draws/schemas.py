from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field


class DrawLineIn(BaseModel):
    specialty: str = Field(min_length=1, max_length=10)
    experts: int = Field(ge=1, le=30)
    reserves: int = Field(default=2, ge=0, le=10)


class DrawIn(BaseModel):
    lines: list[DrawLineIn] = Field(min_length=1, max_length=6)
    # The principal's representatives on the committee (TL art. 37 ¶2), not drawn.
    representatives: int = Field(default=0, ge=0, le=10)
    region: str | None = Field(default=None, max_length=60)
    # An expert drawn for the same principal within this many days is left out.
    cooldown_days: int = Field(default=90, ge=0, le=730)
    complex_project: bool = False


class DrawnExpertOut(BaseModel):
    expert_id: uuid.UUID
    name: str
    specialty: str
    kind: str


class DrawOut(BaseModel):
    id: uuid.UUID
    section_id: uuid.UUID
    drawn_at: dt.datetime
    request: dict
    seed: str
    pool_digest: str
    result_digest: str
    excluded: dict
    experts_drawn: int
    # Sealed (E-06): only the sector's supervisor sees the names before the award.
    sealed: bool
    experts: list[DrawnExpertOut] | None


class TopUpIn(BaseModel):
    specialty: str = Field(min_length=1, max_length=10, description="a specialty of the draw's request")
    reserves: int = Field(default=1, ge=1, le=10)


class TopUpOut(BaseModel):
    id: uuid.UUID
    draw_id: uuid.UUID
    round: int
    drawn_at: dt.datetime
    specialty: str
    reserves: int
    seed: str
    pool_digest: str
    result_digest: str
    excluded: dict
    # How many of the new reserves took a vacant seat at once.
    stepped_in: int
    sealed: bool = True


class TopUpReplayOut(BaseModel):
    top_up_id: uuid.UUID
    round: int
    snapshot_intact: bool
    same_result: bool
    experts: list[DrawnExpertOut]


class ReplayOut(BaseModel):
    draw_id: uuid.UUID
    snapshot_intact: bool
    same_result: bool
    experts: list[DrawnExpertOut]
    # Each top-up draw replayed the same way, in order.
    top_ups: list[TopUpReplayOut] = []
