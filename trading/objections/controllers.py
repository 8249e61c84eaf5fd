import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.objections import service
from trading.objections.schemas import AnswerIn, ObjectionIn, ObjectionOut, SectionObjections
from trading.settings import Settings

FILERS = allow(Role.bidder)
ANSWERERS = allow(Role.principal, Role.agency, Role.staff)
READERS = allow(
    Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency, Role.bidder
)


class ObjectionController(Controller):
    """Objections to a section's tender documents (C-05, TLR art. 22)."""

    path = "/api"
    tags = ["objections"]

    @post("/sections/{section_id:uuid}/objections", operation_id="fileDocumentsObjection", opt=FILERS)
    async def file(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ObjectionIn],
    ) -> ObjectionOut:
        """A potential bidder objects, at least 10 days before the bid deadline; the section pauses."""
        objection = await service.file_objection(
            session, section_id, data.grounds, bidder=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return service.objection_out(objection)

    @get("/sections/{section_id:uuid}/objections", operation_id="listDocumentsObjections", opt=READERS)
    async def list_for_section(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> SectionObjections:
        section, objections = await service.section_objections(session, section_id, request.user)
        return SectionObjections(
            section_id=section.id,
            paused=await service.section_paused(session, section.id),
            bid_deadline=section.bid_deadline,
            objections=[service.objection_out(o) for o in objections],
        )

    @post(
        "/objections/{objection_id:uuid}/answer",
        operation_id="answerDocumentsObjection",
        opt=ANSWERERS,
        status_code=200,
    )
    async def answer(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        objection_id: FromPath[uuid.UUID],
        data: JSONBody[AnswerIn],
    ) -> ObjectionOut:
        """The tenderee answers (within 3 days); the last answer lifts the pause and may move the deadline."""
        objection = await service.answer_objection(
            session, objection_id, data.answer, actor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return service.objection_out(objection)
