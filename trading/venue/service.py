"""Rooms, bookings and sessions: the use cases. No HTTP here; the controller commits."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.models import AuditEvent
from trading.audit.service import record
from trading.auth.identity import Identity, Role
from trading.errors import Conflict, DomainError, not_found
from trading.oversight.scope import require_sector, visible_sectors
from trading.projects.models import Project, Section
from trading.supervision.models import SupervisionEntry
from trading.venue import rules
from trading.venue.models import Booking, Room, SessionEvent, VenueSession
from trading.venue.schemas import BookingIn, CheckInIn, RoomIn, TimelineItem


async def create_room(session: AsyncSession, data: RoomIn, *, actor: Identity, at: dt.datetime) -> Room:
    if await session.scalar(select(Room.id).where(Room.name == data.name)):
        raise Conflict("room.exists", f"场地{data.name}已存在", f"a room named {data.name} exists already")
    room = Room(
        name=data.name, kind=data.kind, capacity=data.capacity, equipment=data.equipment, created_at=at
    )
    session.add(room)
    await session.flush()
    await record(
        session,
        actor=actor.actor,
        action="venue.room_created",
        subject_type="venue_room",
        subject_id=room.id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return room


async def list_rooms(session: AsyncSession) -> list[Room]:
    return list((await session.scalars(select(Room).order_by(Room.name))).all())


async def get_room(session: AsyncSession, room_id: uuid.UUID, *, lock: bool = False) -> Room:
    query = select(Room).where(Room.id == room_id)
    if lock and session.bind.dialect.name == "postgresql":
        # Two bookings of one room are checked one after the other, never side by side.
        query = query.with_for_update()
    room = await session.scalar(query)
    if room is None:
        raise not_found("room", "场地", room_id)
    return room


async def _section_and_sector(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, str]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project.sector


async def book(session: AsyncSession, data: BookingIn, *, actor: Identity, at: dt.datetime) -> Booking:
    """Book a room for a section's opening or evaluation; a room holds one booking at a time."""
    room = await get_room(session, data.room_id, lock=True)
    if room.kind != rules.ROOM_FOR[data.purpose]:
        raise DomainError(
            "booking.room_kind",
            f"{room.name}不是{data.purpose}用房",
            f"{room.name} is not a room for {data.purpose}",
            status=422,
        )
    section, sector = await _section_and_sector(session, data.section_id)
    rules.check_within_section_dates(section, data.purpose, data.starts_at, data.ends_at)
    clash = await session.scalar(
        select(Booking).where(
            Booking.room_id == room.id,
            Booking.status == "booked",
            Booking.starts_at < data.ends_at,
            Booking.ends_at > data.starts_at,
        )
    )
    if clash is not None:
        raise Conflict(
            "booking.room_taken",
            f"{room.name}在该时段已被预约",
            f"{room.name} is already booked for part of that time",
            details={
                "booking_id": str(clash.id),
                "starts_at": clash.starts_at.isoformat(),
                "ends_at": clash.ends_at.isoformat(),
            },
        )
    booking = Booking(
        room_id=room.id,
        section_id=section.id,
        sector=sector,
        purpose=data.purpose,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        status="booked",
        booked_at=at,
        booked_by=actor.user_id,
    )
    session.add(booking)
    await session.flush()
    await record(
        session,
        actor=actor.actor,
        action="venue.booked",
        subject_type="section",
        subject_id=section.id,
        data={"booking_id": str(booking.id), "room": room.name, **data.model_dump(mode="json")},
        at=at,
    )
    return booking


async def cancel_booking(
    session: AsyncSession, booking_id: uuid.UUID, reason: str, *, actor: Identity, at: dt.datetime
) -> Booking:
    booking = await get_booking(session, booking_id, actor)
    if booking.status != "booked":
        raise Conflict("booking.not_active", "该预约已取消", "the booking is cancelled already")
    if await session.scalar(select(VenueSession.id).where(VenueSession.booking_id == booking.id)):
        raise Conflict(
            "booking.in_use", "该预约已开始会议，不能取消", "a session was held under this booking"
        )
    booking.status, booking.cancelled_at, booking.cancel_reason = "cancelled", at, reason
    await record(
        session,
        actor=actor.actor,
        action="venue.booking_cancelled",
        subject_type="section",
        subject_id=booking.section_id,
        data={"booking_id": str(booking.id), "reason": reason},
        at=at,
    )
    return booking


async def get_booking(session: AsyncSession, booking_id: uuid.UUID, viewer: Identity) -> Booking:
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise not_found("booking", "预约", booking_id)
    require_sector(viewer, booking.sector, "booking", "预约", booking_id)
    return booking


async def day_view(
    session: AsyncSession, room_id: uuid.UUID, day: dt.date, *, zone: ZoneInfo, viewer: Identity
) -> list[Booking]:
    """The room's bookings that touch `day` on the center's calendar, in order."""
    await get_room(session, room_id)
    start = dt.datetime.combine(day, dt.time(), zone)
    query = select(Booking).where(
        Booking.room_id == room_id,
        Booking.status == "booked",
        Booking.starts_at < start + dt.timedelta(days=1),
        Booking.ends_at > start,
    )
    sectors = visible_sectors(viewer)
    if sectors is not None:
        query = query.where(Booking.sector.in_(sorted(sectors)))
    return list((await session.scalars(query.order_by(Booking.starts_at))).all())


# --- sessions -----------------------------------------------------------------------------------


async def start_session(
    session: AsyncSession, booking_id: uuid.UUID, *, actor: Identity, at: dt.datetime
) -> VenueSession:
    booking = await get_booking(session, booking_id, actor)
    if booking.status != "booked":
        raise Conflict("booking.not_active", "该预约已取消", "the booking is cancelled")
    if await session.scalar(select(VenueSession.id).where(VenueSession.booking_id == booking.id)):
        raise Conflict(
            "session.exists", "该预约的会议已开始", "the session of this booking has started already"
        )
    venue_session = VenueSession(
        booking_id=booking.id,
        section_id=booking.section_id,
        sector=booking.sector,
        kind=booking.purpose,
        status="running",
        started_at=at,
        started_by=actor.user_id,
    )
    session.add(venue_session)
    await session.flush()
    await _timeline(session, venue_session, "started", actor=actor, at=at)
    return venue_session


async def get_session(session: AsyncSession, session_id: uuid.UUID, viewer: Identity) -> VenueSession:
    venue_session = await session.get(VenueSession, session_id)
    if venue_session is None:
        raise not_found("session", "会议", session_id)
    require_sector(viewer, venue_session.sector, "session", "会议", session_id)
    return venue_session


async def _timeline(
    session: AsyncSession,
    venue_session: VenueSession,
    kind: str,
    *,
    actor: Identity,
    at: dt.datetime,
    note: str | None = None,
    attendee: dict[str, str] | None = None,
) -> SessionEvent:
    event = SessionEvent(
        session_id=venue_session.id, kind=kind, at=at, by=actor.user_id, note=note, attendee=attendee
    )
    session.add(event)
    await session.flush()
    await record(
        session,
        actor=actor.actor,
        action=f"venue.session_{kind}",
        subject_type="venue_session",
        subject_id=venue_session.id,
        data={"section_id": str(venue_session.section_id), "note": note, "attendee": attendee},
        at=at,
    )
    return event


def _require_open(venue_session: VenueSession) -> None:
    if venue_session.status not in rules.TIMELINE_OPEN:
        raise Conflict("session.closed", "会议已结束", "the session is closed")


async def check_in(
    session: AsyncSession, session_id: uuid.UUID, data: CheckInIn, *, actor: Identity, at: dt.datetime
) -> SessionEvent:
    venue_session = await get_session(session, session_id, actor)
    _require_open(venue_session)
    if actor.has(Role.supervisor) and not actor.has(Role.staff) and data.role != "supervisor":
        raise DomainError(
            "session.check_in_self",
            "监督人员只能为本人签到",
            "a supervisor checks in only as a supervisor",
            status=422,
        )
    return await _timeline(
        session, venue_session, "checked_in", actor=actor, at=at, attendee=data.model_dump(mode="json")
    )


async def move(
    session: AsyncSession,
    session_id: uuid.UUID,
    action: str,
    note: str | None,
    *,
    actor: Identity,
    at: dt.datetime,
) -> VenueSession:
    venue_session = await get_session(session, session_id, actor)
    status, kind = rules.next_status(venue_session.status, action)
    venue_session.status = status
    if status == "closed":
        venue_session.closed_at = at
    await _timeline(session, venue_session, kind, actor=actor, at=at, note=note)
    return venue_session


async def report_incident(
    session: AsyncSession, session_id: uuid.UUID, note: str, *, actor: Identity, at: dt.datetime
) -> SessionEvent:
    venue_session = await get_session(session, session_id, actor)
    _require_open(venue_session)
    return await _timeline(session, venue_session, "incident", actor=actor, at=at, note=note)


async def timeline(
    session: AsyncSession, session_id: uuid.UUID, viewer: Identity, *, now: dt.datetime
) -> tuple[VenueSession, list[TimelineItem]]:
    """The session's own events, the section's steps from the audit log while it ran, and the
    supervisors' log entries, in time order."""
    venue_session = await get_session(session, session_id, viewer)
    until = venue_session.closed_at or now
    items = [
        TimelineItem(at=e.at, source="session", kind=e.kind, note=e.note, attendee=e.attendee)
        for e in await session.scalars(
            select(SessionEvent).where(SessionEvent.session_id == venue_session.id).order_by(SessionEvent.at)
        )
    ]
    steps = await session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "section",
            AuditEvent.subject_id == str(venue_session.section_id),
            AuditEvent.occurred_at >= venue_session.started_at,
            AuditEvent.occurred_at <= until,
        )
        .order_by(AuditEvent.seq)
    )
    items += [
        TimelineItem(at=e.occurred_at, source="audit", kind=e.action, note=None, attendee=None) for e in steps
    ]
    entries = await session.scalars(
        select(SupervisionEntry).where(SupervisionEntry.session_id == venue_session.id)
    )
    items += [
        TimelineItem(at=e.written_at, source="supervision", kind=e.kind, note=e.body, attendee=None)
        for e in entries
    ]
    order = {"session": 0, "audit": 1, "supervision": 2}
    items.sort(key=lambda item: (item.at, order[item.source]))
    return venue_session, items
