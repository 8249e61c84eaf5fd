import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from experts.pool import service
from experts.pool.models import Expert
from experts.pool.schemas import ControlLinkIn, ExpertIn, ExpertOut, ProfileIn, StatusIn
from experts.pool.taxonomy import SPECIALTIES
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock

KEEPERS = allow(Role.staff, Role.admin)
READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor)


def expert_out(expert: Expert) -> ExpertOut:
    return ExpertOut.model_validate(expert, from_attributes=True)


class PoolController(Controller):
    path = "/api/experts"
    tags = ["experts"]

    @get("/specialties", operation_id="listSpecialties", opt=allow(*Role))
    async def specialties(self) -> dict[str, str]:
        """The pool's specialty taxonomy: a code's parent is its prefix."""
        return SPECIALTIES

    @post("/", operation_id="registerExpert", opt=KEEPERS, status_code=201)
    async def register(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[ExpertIn],
    ) -> ExpertOut:
        expert = await service.register_expert(session, data, actor=request.user, at=clock.now())
        await session.commit()
        return expert_out(expert)

    @get("/", operation_id="listExperts", opt=READERS)
    async def list_experts(
        self,
        session: NamedDependency[AsyncSession],
        specialty: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> list[ExpertOut]:
        rows = await service.list_experts(
            session,
            specialty=specialty,
            status=status,
            q=q,
            limit=min(max(limit, 1), 200),
            offset=max(offset, 0),
        )
        return [expert_out(e) for e in rows]

    @get("/me", operation_id="getMyExpertProfile", opt=allow(Role.expert))
    async def me(
        self, request: Request[Identity, Any, Any], session: NamedDependency[AsyncSession]
    ) -> ExpertOut:
        return expert_out(await service.expert_of_user(session, request.user))

    @put("/me/profile", operation_id="proposeExpertProfile", opt=allow(Role.expert))
    async def propose(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[ProfileIn],
    ) -> ExpertOut:
        """The expert's change to its profile, waiting for staff approval."""
        expert = await service.propose_profile(session, request.user, data, at=clock.now())
        await session.commit()
        return expert_out(expert)

    @get("/{expert_id:uuid}", operation_id="getExpert", opt=READERS)
    async def get_one(
        self, session: NamedDependency[AsyncSession], expert_id: FromPath[uuid.UUID]
    ) -> ExpertOut:
        return expert_out(await service.get_expert(session, expert_id))

    @post("/{expert_id:uuid}/approve", operation_id="approveExpertProfile", opt=KEEPERS, status_code=200)
    async def approve(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        expert_id: FromPath[uuid.UUID],
    ) -> ExpertOut:
        expert = await service.get_expert(session, expert_id)
        await service.approve_profile(session, expert, actor=request.user.actor, at=clock.now())
        await session.commit()
        return expert_out(expert)

    @post("/{expert_id:uuid}/status", operation_id="setExpertStatus", opt=KEEPERS, status_code=200)
    async def set_status(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        expert_id: FromPath[uuid.UUID],
        data: JSONBody[StatusIn],
    ) -> ExpertOut:
        expert = await service.get_expert(session, expert_id)
        await service.set_status(
            session, expert, data.status, reason=data.reason, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return expert_out(expert)

    @post("/control-links", operation_id="recordControlLink", opt=KEEPERS, status_code=201)
    async def link(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[ControlLinkIn],
    ) -> dict[str, str]:
        """One organisation controls or manages another (C-18): draws treat their staff alike."""
        link = await service.link_control(session, data, actor=request.user.actor, at=clock.now())
        await session.commit()
        return {"id": str(link.id)}
