import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from experts.assessments import service
from experts.assessments.schemas import AssessmentIn, AssessmentOut, ReviewIn, ReviewOut, SampledOut
from experts.committees.controllers import visible_section
from experts.pool import service as pool
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings

ASSESSORS = allow(Role.staff, Role.supervisor)
READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor)


class AssessmentController(Controller):
    path = "/api/experts"
    tags = ["experts"]

    @post(
        "/sections/{section_id:uuid}/assessments", operation_id="assessExpert", opt=ASSESSORS, status_code=201
    )
    async def assess(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[AssessmentIn],
    ) -> AssessmentOut:
        """Rate a member's conduct in this evaluation; repeated poor ratings suspend it from draws."""
        await visible_section(session, section_id, request.user)
        assessment, suspended = await service.assess(
            session, section_id, data.expert_id, data.rating, data.note, assessor=request.user, at=clock.now()
        )
        await session.commit()
        return AssessmentOut(
            id=assessment.id,
            expert_id=assessment.expert_id,
            section_id=section_id,
            rating=assessment.rating,
            note=assessment.note,
            assessed_at=assessment.assessed_at,
            expert_suspended=suspended,
        )

    @get("/reviews/sample", operation_id="sampleEvaluations", opt=allow(Role.supervisor))
    async def sample(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        size: FromQuery[int] = 3,
    ) -> list[SampledOut]:
        """A random sample of finished evaluations in the supervisor's sectors, to review."""
        return [
            SampledOut(section_id=s.id, section_code=s.code, section_name=s.name, signed_at=e.signed_at)
            for s, e in await service.sample(session, request.user, min(max(size, 1), 50))
        ]

    @post(
        "/sections/{section_id:uuid}/reviews",
        operation_id="reviewEvaluation",
        opt=allow(Role.supervisor),
        status_code=201,
    )
    async def review(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn],
    ) -> ReviewOut:
        await visible_section(session, section_id, request.user)
        found = await service.review(
            session, section_id, data.findings, reviewer=request.user, at=clock.now()
        )
        await session.commit()
        return ReviewOut.model_validate(found, from_attributes=True)

    @get("/sections/{section_id:uuid}/reviews", operation_id="listEvaluationReviews", opt=READERS)
    async def reviews(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> list[ReviewOut]:
        await visible_section(session, section_id, request.user)
        return [
            ReviewOut.model_validate(r, from_attributes=True)
            for r in await service.reviews_of(session, section_id)
        ]

    @get(
        "/{expert_id:uuid}/record.csv", operation_id="exportExpertRecord", opt=READERS, media_type="text/csv"
    )
    async def export(
        self,
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        expert_id: FromPath[uuid.UUID],
    ) -> Response[str]:
        """The expert's seats and assessments as CSV (UTF-8 with BOM, for spreadsheet software)."""
        expert = await pool.get_expert(session, expert_id)
        body = "\ufeff" + await service.record_csv(session, expert, settings.zone)
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="expert-{expert.certificate_no}.csv"'},
        )
