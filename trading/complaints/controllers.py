import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.complaints import service
from trading.complaints.schemas import ComplaintIn, ComplaintOut, DecideIn, ReviewIn, SuspendIn
from trading.settings import Settings
from trading.storage import BlobStore

Session = NamedDependency[AsyncSession]
Me = Request[Identity, Any, Any]
SUPERVISORS = allow(Role.supervisor)


class ComplaintController(Controller):
    path = "/api/complaints"
    tags = ["complaints"]

    @post("/", operation_id="fileComplaint", opt=allow(Role.bidder))
    async def file(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[ComplaintIn],
    ) -> ComplaintOut:
        """A party files a complaint with its claims and evidence (uploaded first as supervision
        attachments are); refused when out of time (C-21, P-16) or before the objection/challenge."""
        complaint = await service.file(
            session,
            data,
            who=request.user,
            store=BlobStore(settings.data_dir / "blobs"),
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return ComplaintOut.model_validate(complaint)

    @get(
        "/",
        operation_id="listComplaints",
        opt=allow(Role.supervisor, Role.staff, Role.auditor, Role.admin, Role.bidder),
    )
    async def list_all(self, request: Me, session: Session) -> list[ComplaintOut]:
        return [ComplaintOut.model_validate(c) for c in await service.list_complaints(session, request.user)]

    @get(
        "/{complaint_id:uuid}",
        operation_id="getComplaint",
        opt=allow(Role.supervisor, Role.staff, Role.auditor, Role.admin, Role.bidder),
    )
    async def get_one(self, request: Me, session: Session, complaint_id: FromPath[uuid.UUID]) -> ComplaintOut:
        return ComplaintOut.model_validate(await service.get(session, complaint_id, request.user))

    @post("/{complaint_id:uuid}/review", operation_id="reviewComplaint", opt=SUPERVISORS, status_code=200)
    async def review(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn],
    ) -> ComplaintOut:
        """Accept or refuse, within 3 working days of receipt."""
        complaint = await service.review(
            session, complaint_id, data, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return ComplaintOut.model_validate(complaint)

    @post(
        "/{complaint_id:uuid}/suspension",
        operation_id="suspendForComplaint",
        opt=SUPERVISORS,
        status_code=200,
    )
    async def suspend(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[SuspendIn],
    ) -> ComplaintOut:
        """Suspend the procedure until a day (procurement: at most 30 days, GPL art. 57): until
        then, or until lifted or decided, every move of the section answers `section.suspended`."""
        complaint = await service.suspend(
            session, complaint_id, data, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return ComplaintOut.model_validate(complaint)

    @post(
        "/{complaint_id:uuid}/suspension/lift",
        operation_id="liftComplaintSuspension",
        opt=SUPERVISORS,
        status_code=200,
    )
    async def lift(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        complaint_id: FromPath[uuid.UUID],
    ) -> ComplaintOut:
        """Lift the suspension before its day; deciding the complaint lifts it too."""
        complaint = await service.lift(
            session, complaint_id, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return ComplaintOut.model_validate(complaint)

    @post("/{complaint_id:uuid}/decision", operation_id="decideComplaint", opt=SUPERVISORS, status_code=200)
    async def decide(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        complaint_id: FromPath[uuid.UUID],
        data: JSONBody[DecideIn],
    ) -> ComplaintOut:
        complaint = await service.decide(
            session, complaint_id, data, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return ComplaintOut.model_validate(complaint)
