"""Trading projects and their sections (标段 / 包 / 宗地 / 标的)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trading.db.base import Base, IdMixin

Fen = BigInteger


class Project(IdMixin, Base):
    __tablename__ = "project"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    region: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    principal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    registered_at: Mapped[dt.datetime]
    registered_by: Mapped[uuid.UUID | None]

    sections: Mapped[list[Section]] = relationship(
        back_populates="project", order_by="Section.number", lazy="selectin"
    )


class Section(IdMixin, Base):
    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    procedure: Mapped[str] = mapped_column(String(40))
    # The stored status; time-driven steps (registration opening, bidding closing) are derived on read.
    status: Mapped[str] = mapped_column(String(30), index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    # Construction: works / goods / services, for the must-tender thresholds (C-01).
    contract_kind: Mapped[str | None] = mapped_column(String(20))
    # Estimated contract price (construction) or procurement budget, in fen.
    budget_fen: Mapped[int | None] = mapped_column(Fen)
    # Land and property: starting (listing) price, reserve price and appraised value, in fen.
    starting_price_fen: Mapped[int | None] = mapped_column(Fen)
    reserve_price_fen: Mapped[int | None] = mapped_column(Fen)
    appraised_value_fen: Mapped[int | None] = mapped_column(Fen)
    # the approving body consented to a listing price below 90 % of the appraisal.
    below_appraisal_consent: Mapped[bool] = mapped_column(default=False)
    deposit_fen: Mapped[int] = mapped_column(Fen, default=0)
    bid_validity_days: Mapped[int | None] = mapped_column(Integer)

    documents_issued_at: Mapped[dt.datetime | None]
    documents_sale_start: Mapped[dt.datetime | None]
    documents_sale_end: Mapped[dt.datetime | None]
    registration_start: Mapped[dt.datetime | None]
    registration_end: Mapped[dt.datetime | None]
    bid_deadline: Mapped[dt.datetime | None] = mapped_column(index=True)
    listing_start: Mapped[dt.datetime | None]
    listing_end: Mapped[dt.datetime | None]
    # Land tender or auction: when it starts (L-01 counts back 20 days from it).
    sale_start: Mapped[dt.datetime | None]
    announced_at: Mapped[dt.datetime | None]
    # End of the candidates' publicity (C-14): no award before it.
    publicity_end: Mapped[dt.datetime | None]
    # The winning bidder (中标人 / 成交供应商 / 竞得人 / 受让方), set by the award.
    winner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))

    project: Mapped[Project] = relationship(back_populates="sections", lazy="raise")


class ProjectCodeCounter(Base):
    """The last number used per sector and year, for codes such as GC-2026-0007."""

    __tablename__ = "project_code_counter"

    sector: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
