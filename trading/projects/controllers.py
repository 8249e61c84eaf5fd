import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import not_found
from trading.projects import service
from trading.projects.models import Project
from trading.projects.schemas import ProjectIn, ProjectOut, Schedule, SectionOut, TransitionIn
from trading.settings import Settings

READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency)
REGISTRARS = allow(Role.staff, Role.principal, Role.agency)


class ProjectController(Controller):
    path = "/api/projects"
    tags = ["projects"]

    @post("/", operation_id="registerProject", opt=REGISTRARS)
    async def register(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[ProjectIn],
    ) -> ProjectOut:
        """Register a project entering the center (进场登记); its sections start as drafts."""
        now = clock.now()
        project = await service.register_project(
            session, data, actor=request.user, at=now, zone=settings.zone
        )
        await session.commit()
        return service.project_out(project, now)

    @get("/", operation_id="listProjects", opt=READERS)
    async def list_projects(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        sector: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        offset: FromQuery[int] = 0,
    ) -> list[ProjectOut]:
        projects = await service.list_projects(
            session, request.user, sector=sector, q=q, limit=min(max(limit, 1), 200), offset=max(offset, 0)
        )
        now = clock.now()
        return [service.project_out(p, now) for p in projects]

    @get("/{project_id:uuid}", operation_id="getProject", opt=READERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        project_id: FromPath[uuid.UUID],
    ) -> ProjectOut:
        project = await service.get_project(session, project_id, request.user)
        return service.project_out(project, clock.now())


class SectionController(Controller):
    path = "/api/sections"
    tags = ["projects"]

    async def _visible(
        self, session: AsyncSession, section_id: FromPath[uuid.UUID], viewer: Identity
    ) -> tuple[Any, Project]:
        section = await service.get_section(session, section_id)
        project = await session.get(Project, section.project_id)
        if project is None or not service.may_see(viewer, project):
            raise not_found("section", "标段", section_id)
        return section, project

    @get("/{section_id:uuid}", operation_id="getSection", opt=READERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> SectionOut:
        section, project = await self._visible(session, section_id, request.user)
        return service.section_out(section, project.sector, clock.now())

    @put("/{section_id:uuid}/schedule", operation_id="setSectionSchedule", opt=REGISTRARS)
    async def set_schedule(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[Schedule],
    ) -> SectionOut:
        """Set a draft section's dates; the deadline and period rules of its sector apply."""
        section, project = await self._visible(session, section_id, request.user)
        now = clock.now()
        await service.update_schedule(
            session, section, data, actor=request.user.actor, at=now, zone=settings.zone
        )
        await session.commit()
        return service.section_out(section, project.sector, now)

    @post(
        "/{section_id:uuid}/transitions", operation_id="moveSection", opt=allow(Role.staff), status_code=200
    )
    async def move(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[TransitionIn],
    ) -> SectionOut:
        """Center staff move a section on (contract, fail, cancel, and the publicity in construction).
        A move out of order is refused with the rule it would break; so is a move only its
        procedure makes: the electronic opening, the committee's report, the award decision on the
        candidates, the listing or auction."""
        section, project = await self._visible(session, section_id, request.user)
        now = clock.now()
        await service.transition(
            session,
            section,
            data.action,
            actor=request.user.actor,
            at=now,
            reason=data.reason,
            winner_id=data.winner_id,
        )
        await session.commit()
        return service.section_out(section, project.sector, now)
