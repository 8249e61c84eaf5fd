"""The evaluation committee (评标委员会) of a section and its seats."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Committee(IdMixin, Base):
    __tablename__ = "expert_committee"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    draw_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_draw.id"))
    # The principal's representatives sit beside the drawn experts (TL art. 37 ¶2).
    representatives: Mapped[int] = mapped_column(Integer)
    experts: Mapped[int] = mapped_column(Integer)
    formed_at: Mapped[dt.datetime]


class Member(IdMixin, Base):
    __tablename__ = "expert_committee_member"
    __table_args__ = (UniqueConstraint("committee_id", "expert_id", name="uq_expert_committee_member_seat"),)

    committee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert_committee.id"), index=True)
    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert.id"), index=True)
    specialty: Mapped[str] = mapped_column(String(10))
    # The order of the draw within its specialty: members first, reserves after.
    position: Mapped[int] = mapped_column(Integer)
    # member | reserve
    kind: Mapped[str] = mapped_column(String(10))
    # drawn → signed_in (declared no conflict) | recused; a reserve stays standby or steps in.
    state: Mapped[str] = mapped_column(String(12))
    stepped_in_for: Mapped[uuid.UUID | None]
    signed_in_at: Mapped[dt.datetime | None]
    recusal_reason: Mapped[str | None] = mapped_column(String(500))
    # The chair (评标委员会负责人), chosen by the members.
    chair: Mapped[bool] = mapped_column(default=False)
