"""Complaints (投诉) to the oversight department, with their legal clocks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Complaint(IdMixin, Base):
    __tablename__ = "complaint"

    sector: Mapped[str] = mapped_column(String(20), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    complainant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    # construction: documents (C-05) | opening (C-09) | evaluation_result (C-14) | other;
    # procurement: challenge_answer (P-13 first)
    matter: Mapped[str] = mapped_column(String(24))
    claims: Mapped[str] = mapped_column(Text)
    # {"files": [{"sha256", "file_name"}]}: the evidence, by digest
    evidence: Mapped[dict[str, Any]]
    knew_on: Mapped[dt.date]
    objection_filed_on: Mapped[dt.date | None]
    objection_answered_on: Mapped[dt.date | None]
    challenge_filed_on: Mapped[dt.date | None]
    challenge_answered_on: Mapped[dt.date | None]
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[uuid.UUID]
    # The last day the complaint could be filed, as the clock of C-21 / P-16 counts it.
    file_by: Mapped[dt.date]
    accept_by: Mapped[dt.date]
    decide_by: Mapped[dt.date | None]
    # filed → accepted | refused; accepted → decided (rules.MOVES)
    status: Mapped[str] = mapped_column(String(10), index=True)
    reviewed_at: Mapped[dt.datetime | None]
    review_reason: Mapped[str | None] = mapped_column(String(1000))
    # The procedure is suspended through this day (trading/complaints/suspension.py), unless
    # lifted earlier or the complaint is decided.
    suspended_until: Mapped[dt.date | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(500))
    suspension_lifted_at: Mapped[dt.datetime | None]
    decision: Mapped[str | None] = mapped_column(Text)
    upheld: Mapped[bool | None]
    decided_at: Mapped[dt.datetime | None]
