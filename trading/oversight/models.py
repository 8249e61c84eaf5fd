"""E-oversight (电子监察): the timed steps the platform knows, the warnings (red and yellow cards)
they raise, supervision letters (督办函) and the monthly circulars (情况通报)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class OversightStep(IdMixin, Base):
    """One timed step: from the audit log (STEP_RULES), a package's event or feed, a letter or a
    complaint. `key` names it once, whatever the source says twice."""

    __tablename__ = "oversight_step"

    key: Mapped[str] = mapped_column(String(120), unique=True)
    step: Mapped[str] = mapped_column(String(40), index=True)
    rule: Mapped[str] = mapped_column(String(8))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    section_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    # The party who must act (an organisation's name or a department of the center).
    department: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(200))
    started_on: Mapped[dt.date]
    due_on: Mapped[dt.date] = mapped_column(index=True)
    due_basis: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[dt.date | None]
    # open | done | void (the section failed or was cancelled: nothing more is owed)
    status: Mapped[str] = mapped_column(String(8), index=True)
    source: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[dt.datetime]


class OversightWarning(IdMixin, Base):
    """A yellow or red card. One per step and level, whatever number of instances evaluate."""

    __tablename__ = "oversight_warning"
    __table_args__ = (UniqueConstraint("step_id", "level", name="uq_oversight_warning_step_level"),)

    step_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("oversight_step.id"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    # due_today | overdue | done_late | breach
    reason: Mapped[str] = mapped_column(String(12))
    sector: Mapped[str] = mapped_column(String(20), index=True)
    raised_at: Mapped[dt.datetime]
    raised_on: Mapped[dt.date] = mapped_column(index=True)
    zh: Mapped[str] = mapped_column(String(500))
    en: Mapped[str] = mapped_column(String(500))
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[uuid.UUID | None]
    acknowledgement: Mapped[str | None] = mapped_column(String(1000))
    closed_at: Mapped[dt.datetime | None]


class OversightCursor(Base):
    """How far the engine has read the audit chain; its row lock serialises engines."""

    __tablename__ = "oversight_cursor"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)


class SupervisionLetter(IdMixin, Base):
    """督办函: the responsible party must explain and correct by `due_on`."""

    __tablename__ = "oversight_letter"

    number: Mapped[str] = mapped_column(String(30), unique=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    section_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("section.id"))
    warning_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("oversight_warning.id"))
    # agency | principal | center (a department of the center itself)
    addressee_kind: Mapped[str] = mapped_column(String(12))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    department: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date]
    # issued → answered → accepted | sent_back → answered … (rules.LETTER_MOVES)
    status: Mapped[str] = mapped_column(String(12), index=True)
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[uuid.UUID]
    explanation: Mapped[str | None] = mapped_column(Text)
    correction: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by: Mapped[uuid.UUID | None]
    review_note: Mapped[str | None] = mapped_column(String(1000))
    reviewed_at: Mapped[dt.datetime | None]
    escalated_at: Mapped[dt.datetime | None]
    rounds: Mapped[int] = mapped_column(Integer, default=1)


class Circular(IdMixin, Base):
    """情况通报: one sector's month, generated once from the data and never changed (a trigger
    refuses UPDATE and DELETE; its digest is in the audit chain)."""

    __tablename__ = "oversight_circular"
    __table_args__ = (UniqueConstraint("sector", "month", name="uq_oversight_circular_month"),)

    sector: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))
    generated_at: Mapped[dt.datetime]
    generated_by: Mapped[uuid.UUID]
    content: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))


class ArchivePackage(IdMixin, Base):
    """档案: when a section ends, its records form one package: a manifest of every record's
    digest, itself digested into the audit chain, kept until `retention_until` (E-08). The
    database refuses to change a package, and to delete one before that date."""

    __tablename__ = "oversight_archive"

    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), unique=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    ended_at: Mapped[dt.datetime]
    # What ended it: section.contracted | section.failed | section.cancelled
    ending: Mapped[str] = mapped_column(String(30))
    retention_until: Mapped[dt.date]
    manifest: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
