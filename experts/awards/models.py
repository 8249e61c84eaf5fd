"""After the report: objections and challenges, the award decision, its notice and the contract."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType


class Objection(IdMixin, Base):
    """A bidder's objection to the result (异议, C-14) or challenge (质疑, P-13)."""

    __tablename__ = "expert_objection"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    kind: Mapped[str] = mapped_column(String(12))  # objection | challenge
    matter: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime]
    filed_by: Mapped[uuid.UUID]
    answer_due: Mapped[dt.datetime]
    # pending → upheld | dismissed
    status: Mapped[str] = mapped_column(String(12), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]


class Award(IdMixin, Base):
    """The principal's decision of the winner among the candidates, and what follows from it."""

    __tablename__ = "expert_award"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    winner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"))
    rank: Mapped[int] = mapped_column(Integer)
    # Higher-ranked candidates passed over and why (C-20): [{"organisation_id", "reason"}].
    passed_over: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    decided_at: Mapped[dt.datetime]
    decided_by: Mapped[uuid.UUID]
    # Procurement: the award notice and the result within 2 working days of the decision (P-14).
    notice_due: Mapped[dt.datetime | None]
    notice_issued_at: Mapped[dt.datetime | None]
    contract_due: Mapped[dt.datetime | None]
    report_due: Mapped[dt.datetime]
    report_filed_at: Mapped[dt.datetime | None]
    contract_signed_at: Mapped[dt.datetime | None]
    contract_price_fen: Mapped[int | None] = mapped_column(BigInteger)
    publication_due: Mapped[dt.datetime | None]
    contract_published_at: Mapped[dt.datetime | None]
