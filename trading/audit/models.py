"""The audit chain: one append-only, hash-chained row per state change.

Each event holds the previous event's hash, so editing, deleting or reordering any past row
breaks every later link; `trading audit verify` names the first broken one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base
from trading.ids import new_id

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SequenceNumber = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(default=new_id, unique=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]]
    data_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
