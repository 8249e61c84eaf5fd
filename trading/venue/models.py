"""Rooms of the venue (开标室, 评标室), their bookings, and the sessions held in them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin


class Room(IdMixin, Base):
    __tablename__ = "venue_room"

    name: Mapped[str] = mapped_column(String(60), unique=True)
    # opening (开标室) | evaluation (评标室)
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[int] = mapped_column(Integer)
    equipment: Mapped[list[str]]
    created_at: Mapped[dt.datetime]


class Booking(IdMixin, Base):
    __tablename__ = "venue_booking"

    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_room.id"), index=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    # opening | evaluation: what the room is booked for.
    purpose: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime]
    # booked | cancelled (a cancelled booking frees the room and stays as history)
    status: Mapped[str] = mapped_column(String(12), index=True)
    booked_at: Mapped[dt.datetime]
    booked_by: Mapped[uuid.UUID]
    cancelled_at: Mapped[dt.datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(300))


class VenueSession(IdMixin, Base):
    """An opening or evaluation session (开标会 / 评标会) held under a booking."""

    __tablename__ = "venue_session"

    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_booking.id"), unique=True)
    section_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("section.id"), index=True)
    sector: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # running → paused → running → closed (rules.SESSION_MOVES)
    status: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[dt.datetime] = mapped_column(index=True)
    started_by: Mapped[uuid.UUID]
    closed_at: Mapped[dt.datetime | None]


class SessionEvent(IdMixin, Base):
    """One line of a session's own timeline: started, check-in, paused, resumed, incident, closed."""

    __tablename__ = "venue_session_event"

    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("venue_session.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime]
    by: Mapped[uuid.UUID]
    note: Mapped[str | None] = mapped_column(String(500))
    # Check-ins: {"role", "name", "organisation", "presence": present | online}
    attendee: Mapped[dict[str, Any] | None]
