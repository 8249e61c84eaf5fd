from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    id: uuid.UUID
    occurred_at: dt.datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: str
    data: dict[str, Any]
    data_digest: str
    prev_hash: str
    hash: str


class ChainReportOut(BaseModel):
    events: int
    intact: bool
    first_broken_seq: int | None
    reason: str | None
    checkpoints_checked: int = 0
    checkpoint_size: int | None = None


class LogReportOut(BaseModel):
    """The replay of one log against its own chain and against every checkpoint it was held to."""

    log_id: str
    rows: int
    intact: bool
    first_broken_seq: int | None
    reason: str | None
    checkpoints_checked: int
    checkpoint_size: int | None

    @classmethod
    def of(cls, log_id: str, report: Any) -> LogReportOut:
        return cls(
            log_id=log_id,
            rows=report.rows,
            intact=report.intact,
            first_broken_seq=report.first_broken_seq,
            reason=report.reason,
            checkpoints_checked=report.checkpoints_checked,
            checkpoint_size=report.checkpoint_size,
        )


class VerifyIn(BaseModel):
    """A checkpoint kept outside the platform (as exported), to hold the database to."""

    checkpoint: dict[str, Any] | None = None


class LogKeyOut(BaseModel):
    """The platform's log key, to pin before trusting any checkpoint, and the logs it signs."""

    public_key: str
    key_id: str
    logs: list[str]
