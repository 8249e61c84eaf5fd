"""The center's assessment of its experts (专家考核) and the supervisors' post-evaluation reviews."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Assessment(IdMixin, Base):
    __tablename__ = "expert_assessment"
    __table_args__ = (
        UniqueConstraint("expert_id", "section_id", "assessed_by", name="uq_expert_assessment_once"),
    )

    expert_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("expert.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"))
    rating: Mapped[str] = mapped_column(String(10))  # good | fair | poor
    note: Mapped[str] = mapped_column(String(1000))
    assessed_by: Mapped[uuid.UUID]
    assessed_at: Mapped[dt.datetime]


class Review(IdMixin, Base):
    """A supervisor's post-evaluation review (评后复核) of a sampled evaluation."""

    __tablename__ = "expert_review"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    reviewer_id: Mapped[uuid.UUID]
    findings: Mapped[str] = mapped_column(Text)
    reviewed_at: Mapped[dt.datetime]
