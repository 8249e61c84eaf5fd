"""Tables of the working-day calendar: one row per loaded year, one row per special day.

Only the exceptions are stored (holidays and make-up working days); every other day is a working
day from Monday to Friday. A year has a `calendar_year` row only once its notice is loaded, so
"not loaded" is never confused with "no holidays".
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin

HOLIDAY = "holiday"
WORKDAY = "workday"  # a make-up working day (调休), always on a weekend


class CalendarYear(Base):
    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[dt.datetime]
    loaded_by: Mapped[str] = mapped_column(String(100))


class CalendarDay(Base):
    __tablename__ = "calendar_day"
    __table_args__ = (CheckConstraint(f"kind IN ('{HOLIDAY}', '{WORKDAY}')", name="kind"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))


class CalendarWarning(IdMixin, Base):
    """A yellow warning raised when a loaded notice changes an open section's schedule: a period
    that now falls short, or a deadline that now lands on a holiday (D-03). It stays until staff
    or the sector's supervisor acknowledge it with a note."""

    __tablename__ = "calendar_warning"

    year: Mapped[int] = mapped_column(Integer, index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    # period_short | deadline_on_holiday
    reason: Mapped[str] = mapped_column(String(30))
    zh: Mapped[str] = mapped_column(String(1000))
    en: Mapped[str] = mapped_column(String(1000))
    details: Mapped[dict[str, Any]]
    raised_at: Mapped[dt.datetime]
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
