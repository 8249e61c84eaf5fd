"""A random draw of experts for a section (专家抽取), recorded so that it can be replayed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
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


class TopUp(IdMixin, Base):
    """A top-up draw (补充抽取): more reserves of one specialty once recusals have used up the
    draw's reserves. Drawn under the draw's own exclusions and recorded the same way (seed,
    snapshot, digests), so a supervisor replays it as it replays the draw."""

    __tablename__ = "expert_draw_top_up"
    __table_args__ = (UniqueConstraint("draw_id", "round", name="uq_expert_draw_top_up_round"),)

    draw_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_draw.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    drawn_at: Mapped[dt.datetime]
    drawn_by: Mapped[uuid.UUID | None]
    specialty: Mapped[str] = mapped_column(String(10))
    reserves: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JsonType)
    pool_digest: Mapped[str] = mapped_column(String(64))
    excluded: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result: Mapped[dict[str, Any]] = mapped_column(JsonType)
    result_digest: Mapped[str] = mapped_column(String(64))
