"""Announcements: calls, amendments, candidates' publicity, awards and failure notices."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Announcement(IdMixin, Base):
    __tablename__ = "announcement"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    # The sections it concerns; empty means every section of the project.
    section_ids: Mapped[list[str]]
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Copied from the project so public listings filter without a join.
    sector: Mapped[str] = mapped_column(String(20), index=True)
    region: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Amendments: whether the change may affect bid preparation (C-04, P-03) and the new deadline.
    affects_bids: Mapped[bool] = mapped_column(default=False)
    new_bid_deadline: Mapped[dt.datetime | None]
    # Candidates' publicity: until when objections may be raised (C-14).
    publicity_end: Mapped[dt.datetime | None]
    # Award notices: the winning organisation.
    winner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[uuid.UUID | None]
    # Who last submitted it for review: neither the drafter nor the submitter may approve (four eyes).
    submitted_by: Mapped[uuid.UUID | None]
    reviewed_by: Mapped[uuid.UUID | None]
    review_note: Mapped[str | None] = mapped_column(String(500))
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
