"""The expert pool (评标专家库): each expert is a user with the `expert` role and a profile the
expert keeps and staff approve; the organisations that control one another, for conflicts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType


class Expert(IdMixin, Base):
    __tablename__ = "expert"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    # Codes of experts/pool/taxonomy.py; the first is the main specialty.
    specialties: Mapped[list[str]]
    # The same codes as "|A0101|A0401|", so a draw reads only the experts of the requested
    # specialties (a LIKE on "|A01" also finds every sub-specialty).
    specialty_index: Mapped[str] = mapped_column(String(200), index=True)
    region: Mapped[str] = mapped_column(String(60), index=True)
    # The employer: an organisation of the platform when it is one (conflicts), else only its name.
    employer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(40))
    certificate_no: Mapped[str] = mapped_column(String(40))
    certificate_expires: Mapped[dt.date] = mapped_column(Date)
    # active | suspended | retired
    status: Mapped[str] = mapped_column(String(20), index=True)
    suspended_reason: Mapped[str | None] = mapped_column(String(300))
    # Organisations the expert declares an economic interest in (E-07), as id strings.
    interests: Mapped[list[str]]
    # The profile is the expert's own; a change waits here until staff approve it.
    approved: Mapped[bool] = mapped_column(default=False)
    pending_profile: Mapped[dict[str, Any] | None] = mapped_column(JsonType)
    created_at: Mapped[dt.datetime]
    approved_at: Mapped[dt.datetime | None]


class ControlLink(IdMixin, Base):
    """One organisation controls or manages another (C-18): its staff count as the other's too."""

    __tablename__ = "expert_control_link"
    __table_args__ = (
        UniqueConstraint("controlling_id", "controlled_id", name="uq_expert_control_link_pair"),
    )

    controlling_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    controlled_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    recorded_at: Mapped[dt.datetime]


class PoolRevision(Base):
    """One row whose token changes with every change to the pool, in the change's transaction:
    a draw's cached copy of a specialty's experts is good while the token is the one it was read
    under, on any number of app instances (experts/draws/cache.py)."""

    __tablename__ = "expert_pool_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
