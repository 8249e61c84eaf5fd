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
