import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings
from trading.venue import service
from trading.venue.schemas import (
    BookingIn,
    BookingOut,
    CancelIn,
    CheckInIn,
    IncidentIn,
    MoveIn,
    RoomIn,
    RoomOut,
    SessionOut,
    TimelineOut,
)

STAFF = allow(Role.staff)
READERS = allow(Role.staff, Role.auditor, Role.admin, Role.supervisor)
ATTENDING = allow(Role.staff, Role.supervisor)

Session = NamedDependency[AsyncSession]
Me = Request[Identity, Any, Any]


class VenueController(Controller):
    path = "/api/venue"
    tags = ["venue"]

    @post("/rooms", operation_id="createRoom", opt=allow(Role.staff, Role.admin))
    async def create_room(
        self, request: Me, session: Session, clock: NamedDependency[Clock], data: JSONBody[RoomIn]
    ) -> RoomOut:
        room = await service.create_room(session, data, actor=request.user, at=clock.now())
        await session.commit()
        return RoomOut.model_validate(room)

    @get("/rooms", operation_id="listRooms", opt=READERS)
    async def rooms(self, session: Session) -> list[RoomOut]:
        return [RoomOut.model_validate(r) for r in await service.list_rooms(session)]

    @get("/rooms/{room_id:uuid}/day", operation_id="roomDayView", opt=READERS)
    async def day(
        self,
        request: Me,
        session: Session,
        settings: NamedDependency[Settings],
        room_id: FromPath[uuid.UUID],
        date: FromQuery[dt.date],
    ) -> list[BookingOut]:
        """One room's bookings on one day of the center's calendar."""
        found = await service.day_view(session, room_id, date, zone=settings.zone, viewer=request.user)
        return [BookingOut.model_validate(b) for b in found]

    @post("/bookings", operation_id="bookRoom", opt=STAFF)
    async def book(
        self, request: Me, session: Session, clock: NamedDependency[Clock], data: JSONBody[BookingIn]
    ) -> BookingOut:
        """Book a room for a section's opening (covering its bid deadline) or evaluation (after it)."""
        booking = await service.book(session, data, actor=request.user, at=clock.now())
        await session.commit()
        return BookingOut.model_validate(booking)

    @post("/bookings/{booking_id:uuid}/cancel", operation_id="cancelBooking", opt=STAFF, status_code=200)
    async def cancel(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        booking_id: FromPath[uuid.UUID],
        data: JSONBody[CancelIn],
    ) -> BookingOut:
        booking = await service.cancel_booking(
            session, booking_id, data.reason, actor=request.user, at=clock.now()
        )
        await session.commit()
        return BookingOut.model_validate(booking)

    @post("/bookings/{booking_id:uuid}/session", operation_id="startSession", opt=STAFF)
    async def start(
        self, request: Me, session: Session, clock: NamedDependency[Clock], booking_id: FromPath[uuid.UUID]
    ) -> SessionOut:
        venue_session = await service.start_session(session, booking_id, actor=request.user, at=clock.now())
        await session.commit()
        return SessionOut.model_validate(venue_session)

    @post("/sessions/{session_id:uuid}/check-ins", operation_id="checkIn", opt=ATTENDING)
    async def check_in(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        session_id: FromPath[uuid.UUID],
        data: JSONBody[CheckInIn],
    ) -> dict[str, str]:
        event = await service.check_in(session, session_id, data, actor=request.user, at=clock.now())
        await session.commit()
        return {"id": str(event.id), "kind": event.kind}

    @post("/sessions/{session_id:uuid}/moves", operation_id="moveSession", opt=STAFF, status_code=200)
    async def move(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        session_id: FromPath[uuid.UUID],
        data: JSONBody[MoveIn],
    ) -> SessionOut:
        """Pause, resume or close the session."""
        venue_session = await service.move(
            session, session_id, data.action, data.note, actor=request.user, at=clock.now()
        )
        await session.commit()
        return SessionOut.model_validate(venue_session)

    @post("/sessions/{session_id:uuid}/incidents", operation_id="reportIncident", opt=ATTENDING)
    async def incident(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        session_id: FromPath[uuid.UUID],
        data: JSONBody[IncidentIn],
    ) -> dict[str, str]:
        event = await service.report_incident(
            session, session_id, data.note, actor=request.user, at=clock.now()
        )
        await session.commit()
        return {"id": str(event.id), "kind": event.kind}

    @get("/sessions/{session_id:uuid}", operation_id="sessionTimeline", opt=READERS)
    async def timeline(
        self, request: Me, session: Session, clock: NamedDependency[Clock], session_id: FromPath[uuid.UUID]
    ) -> TimelineOut:
        """The session with its timeline: started, check-ins, the section's steps, pauses,
        incidents, the supervisors' log entries, closed."""
        venue_session, items = await service.timeline(session, session_id, request.user, now=clock.now())
        return TimelineOut(session=SessionOut.model_validate(venue_session), items=items)
