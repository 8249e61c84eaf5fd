"""Objections to a section's tender documents and their answers."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Objection(IdMixin, Base):
    __tablename__ = "objection"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    # The potential bidder that objects (潜在投标人): it need not have registered yet.
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    # pending → answered (rules.TRANSITIONS); a pending objection pauses the section.
    status: Mapped[str] = mapped_column(String(20), index=True)
    grounds: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[uuid.UUID]
    # The bid deadline when it was filed, and when the tenderee's answer falls due (3 days).
    bid_deadline: Mapped[dt.datetime]
    answer_due_at: Mapped[dt.datetime]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by: Mapped[uuid.UUID | None]
    # Where the answer moved the bid deadline to, when it came too late for the deadline to stay.
    deadline_moved_to: Mapped[dt.datetime | None]
