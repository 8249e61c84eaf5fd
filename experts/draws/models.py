"""A random draw of experts for a section (专家抽取), recorded so that it can be replayed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType


class Draw(IdMixin, Base):
    __tablename__ = "expert_draw"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    principal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    drawn_at: Mapped[dt.datetime] = mapped_column(index=True)
    drawn_by: Mapped[uuid.UUID | None]
    # What was asked: [{"specialty": "A0101", "experts": 3, "reserves": 2}, ...], region, cool-down.
    request: Mapped[dict[str, Any]] = mapped_column(JsonType)
    seed: Mapped[str] = mapped_column(String(64))
    # The eligible experts per request line, sorted (the snapshot), and its SHA-256.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType)
    pool_digest: Mapped[str] = mapped_column(String(64))
    # Why the others were left out: {"employer_conflict": 3, "expired": 12, ...}.
    excluded: Mapped[dict[str, Any]] = mapped_column(JsonType)
    # The drawn experts in draw order per line (members first, then reserves), and its SHA-256.
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result_digest: Mapped[str] = mapped_column(String(64))
    experts_drawn: Mapped[int] = mapped_column(Integer)
