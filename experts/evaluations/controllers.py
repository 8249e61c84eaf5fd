import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from experts.awards.service import due_by
from experts.committees.controllers import visible_section
from experts.evaluations import service
from experts.evaluations.models import Evaluation
from experts.evaluations.schemas import (
    BidReviewOut,
    EvaluationIn,
    EvaluationOut,
    RejectionIn,
    SheetIn,
    SignIn,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.calendar.periods import Unit
from trading.clock import DEFAULT_ZONE, Clock
from trading.errors import not_found

OVERSIGHT = (Role.staff, Role.admin, Role.auditor, Role.supervisor)
# C-14: the candidates are published within 3 days of the report.
# C-14: the candidates are published within 3 days of receiving the evaluation report.
PUBLICITY_DAYS = 3


async def evaluation_out(
    session: AsyncSession, evaluation: Evaluation, viewer: Identity, seat_id: uuid.UUID | None
) -> EvaluationOut:
    reviews = await service.reviews(session, evaluation)
    names = await service.bidder_names(session, [r.organisation_id for r in reviews])
    oversight = viewer.has(*OVERSIGHT)
    mine = (
        next((s for s in await service.sheets(session, evaluation) if s.member_id == seat_id), None)
        if seat_id
        else None
    )
    return EvaluationOut(
        id=evaluation.id,
        section_id=evaluation.section_id,
        method=evaluation.method,
        criteria=evaluation.criteria,
        price_points=evaluation.price_points,
        candidates_wanted=evaluation.candidates_wanted,
        state_controlled=evaluation.state_controlled,
        status=evaluation.status,
        round=evaluation.round,
        bids=[
            BidReviewOut(
                organisation_id=r.organisation_id,
                bidder=names.get(r.organisation_id, ""),
                price=r.price_fen,
                valid=r.valid,
                reasons=r.reasons,
            )
            for r in reviews
        ],
        sheets_submitted=await service.sheet_count(session, evaluation),
        my_sheet=mine.scores if mine else None,
        ranking=evaluation.ranking,
        flags=evaluation.flags if oversight else None,
        signatures=len(evaluation.signatures),
        report=evaluation.report,
        report_sha256=evaluation.report_sha256,
        signed_at=evaluation.signed_at,
        publicity_due=await due_by(session, evaluation.signed_at, PUBLICITY_DAYS, Unit.days, DEFAULT_ZONE)
        if evaluation.signed_at
        else None,
    )


class EvaluationController(Controller):
    path = "/api/experts/sections/{section_id:uuid}/evaluation"
    tags = ["experts"]

    @post("/", operation_id="startEvaluation", opt=allow(Role.staff), status_code=201)
    async def start(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[EvaluationIn],
    ) -> EvaluationOut:
        """Begin with the method the tender documents set (TLR art. 49)."""
        evaluation = await service.start(session, section_id, data, actor=request.user.actor, at=clock.now())
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, None)

    @get("/", operation_id="getEvaluation", opt=allow(*OVERSIGHT, Role.expert, Role.principal, Role.agency))
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> EvaluationOut:
        """Members see the bids once signed in; the project's parties see it once the report is signed."""
        seat_id = None
        if request.user.has(*OVERSIGHT):
            await visible_section(session, section_id, request.user)
            evaluation = await service.get_evaluation(session, section_id)
        elif Role.expert in request.user.roles:
            evaluation = await service.get_evaluation(session, section_id)
            seat_id = (await service.sitting_member(session, evaluation, request.user)).id
        else:
            await visible_section(session, section_id, request.user)
            evaluation = await service.get_evaluation(session, section_id)
            if evaluation.status != "signed":
                raise not_found("evaluation", "评标", section_id)
        return await evaluation_out(session, evaluation, request.user, seat_id)

    @post("/rejections", operation_id="rejectBid", opt=allow(Role.expert), status_code=200)
    async def reject(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[RejectionIn],
    ) -> EvaluationOut:
        """The chair records the committee's rejection of a bid and its ground (TLR art. 51)."""
        evaluation = await service.get_evaluation(session, section_id)
        seat = await service.sitting_member(session, evaluation, request.user, chair=True)
        await service.reject_bid(
            session,
            evaluation,
            data.organisation_id,
            data.ground,
            data.text,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, seat.id)

    @post("/scoring", operation_id="beginScoring", opt=allow(Role.expert), status_code=200)
    async def scoring(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> EvaluationOut:
        evaluation = await service.get_evaluation(session, section_id)
        seat = await service.sitting_member(session, evaluation, request.user, chair=True)
        await service.begin_scoring(session, evaluation, actor=request.user.actor, at=clock.now())
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, seat.id)

    @put("/sheet", operation_id="submitScoreSheet", opt=allow(Role.expert))
    async def sheet(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[SheetIn],
    ) -> EvaluationOut:
        """The member's scores of every valid bid; locked once submitted."""
        evaluation = await service.get_evaluation(session, section_id)
        seat = await service.sitting_member(session, evaluation, request.user)
        await service.submit_sheet(
            session, evaluation, seat, data.scores, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, seat.id)

    @post("/ranking", operation_id="rankBids", opt=allow(Role.expert), status_code=200)
    async def ranking(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> EvaluationOut:
        evaluation = await service.get_evaluation(session, section_id)
        seat = await service.sitting_member(session, evaluation, request.user, chair=True)
        await service.rank(session, evaluation, actor=request.user.actor, at=clock.now())
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, seat.id)

    @post("/report/signatures", operation_id="signReport", opt=allow(Role.expert), status_code=200)
    async def sign(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[SignIn | None] = None,
    ) -> EvaluationOut:
        """Each member signs, with a dissent if any; the last signature evaluates the section."""
        evaluation = await service.get_evaluation(session, section_id)
        seat = await service.sitting_member(session, evaluation, request.user)
        await service.sign(
            session, evaluation, seat, (data or SignIn()).dissent, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return await evaluation_out(session, evaluation, request.user, seat.id)
