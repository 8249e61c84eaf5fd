import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from experts.awards import service
from experts.awards.models import Award, Objection
from experts.awards.schemas import (
    AnswerIn,
    AwardIn,
    AwardOut,
    ContractIn,
    NoticeIn,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
)
from experts.committees.controllers import visible_section
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import not_found
from trading.money import format_yuan, parse_yuan
from trading.settings import Settings

PARTIES = allow(Role.staff, Role.principal, Role.agency)
READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency)


def objection_out(o: Objection) -> ObjectionOut:
    return ObjectionOut.model_validate(o, from_attributes=True)


def award_out(a: Award, now: dt.datetime) -> AwardOut:
    late = []
    if a.notice_due and (a.notice_issued_at or now) > a.notice_due:
        late.append("P-14")
    if a.contract_due and (a.contract_signed_at or now) > a.contract_due:
        late.append("C-15")
    if (a.report_filed_at or now) > a.report_due:
        late.append("C-19")
    if a.publication_due and (a.contract_published_at or now) > a.publication_due:
        late.append("P-15")
    return AwardOut(
        section_id=a.section_id,
        winner_id=a.winner_id,
        rank=a.rank,
        passed_over=a.passed_over,
        decided_at=a.decided_at,
        notice_due=a.notice_due,
        notice_issued_at=a.notice_issued_at,
        contract_due=a.contract_due,
        report_due=a.report_due,
        report_filed_at=a.report_filed_at,
        contract_signed_at=a.contract_signed_at,
        contract_price=format_yuan(a.contract_price_fen) if a.contract_price_fen is not None else None,
        publication_due=a.publication_due,
        contract_published_at=a.contract_published_at,
        late=late,
    )


class AwardController(Controller):
    path = "/api/experts"
    tags = ["experts"]

    @post(
        "/sections/{section_id:uuid}/objections",
        operation_id="fileResultObjection",
        opt=allow(Role.bidder),
        status_code=201,
    )
    async def file(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ObjectionIn],
    ) -> ObjectionOut:
        """An objection during the publicity (C-14) or a challenge within 7 working days (P-13)."""
        objection = await service.file_objection(
            session, section_id, data.matter, user=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return objection_out(objection)

    @get("/sections/{section_id:uuid}/objections", operation_id="listResultObjections", opt=READERS)
    async def list_objections(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> list[ObjectionOut]:
        await visible_section(session, section_id, request.user)
        return [objection_out(o) for o in await service.objections_of(session, section_id)]

    @post(
        "/objections/{objection_id:uuid}/answer",
        operation_id="answerResultObjection",
        opt=PARTIES,
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
        objection = await service.answer_objection(
            session,
            objection_id,
            upheld=data.upheld,
            answer=data.answer,
            viewer=request.user,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return objection_out(objection)

    @post("/sections/{section_id:uuid}/award", operation_id="decideAward", opt=PARTIES, status_code=201)
    async def decide(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[AwardIn],
    ) -> AwardOut:
        """The principal decides the winner among the candidates (C-20 where state funds hold control)."""
        now = clock.now()
        award = await service.decide(
            session,
            section_id,
            data.winner_id,
            [p.model_dump() for p in data.passed_over],
            viewer=request.user,
            at=now,
            zone=settings.zone,
        )
        await session.commit()
        return award_out(award, now)

    @get("/sections/{section_id:uuid}/award", operation_id="getAward", opt=READERS)
    async def get_award(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> AwardOut:
        await visible_section(session, section_id, request.user)
        award = await service.award_of(session, section_id)
        if award is None:
            raise not_found("award", "定标", section_id)
        return award_out(award, clock.now())

    @post(
        "/sections/{section_id:uuid}/award/notice",
        operation_id="issueAwardNotice",
        opt=PARTIES,
        status_code=200,
    )
    async def notice(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> AwardOut:
        now = clock.now()
        award = await service.issue_notice(
            session, section_id, viewer=request.user, at=now, zone=settings.zone
        )
        await session.commit()
        return award_out(award, now)

    @post(
        "/sections/{section_id:uuid}/award/contract",
        operation_id="recordContract",
        opt=PARTIES,
        status_code=200,
    )
    async def contract(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ContractIn],
    ) -> AwardOut:
        now = clock.now()
        award = await service.sign_contract(
            session, section_id, parse_yuan(data.price), viewer=request.user, at=now, zone=settings.zone
        )
        await session.commit()
        return award_out(award, now)

    @post(
        "/sections/{section_id:uuid}/award/{what:str}",
        operation_id="recordAwardStep",
        opt=PARTIES,
        status_code=200,
    )
    async def step(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        what: FromPath[str],
    ) -> AwardOut:
        """`report`: the report to the oversight department (C-19); `publication`: the contract
        published (P-15)."""
        if what not in ("report", "publication"):
            raise not_found("award_step", "定标步骤", what)
        now = clock.now()
        award = await service.mark(session, section_id, what, viewer=request.user, at=now)
        await session.commit()
        return award_out(award, now)

    @post(
        "/sections/{section_id:uuid}/notices/{kind:str}",
        operation_id="draftNotice",
        opt=PARTIES,
        status_code=201,
    )
    async def draft_notice(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        kind: FromPath[str],
        data: JSONBody[NoticeIn | None] = None,
    ) -> NoticeOut:
        """Draft `candidates` (the publicity, with scores, rejections and where to object) or `award`
        (the result, naming the experts in procurement) from the report; then submit it as usual."""
        if kind not in ("candidates", "award"):
            raise not_found("notice_kind", "公告类型", kind)
        draft = await service.draft_notice(
            session,
            section_id,
            kind,
            author=request.user,
            at=clock.now(),
            zone=settings.zone,
            publicity_end=(data or NoticeIn()).publicity_end,
        )
        await session.commit()
        return NoticeOut(
            announcement_id=draft.id, kind=draft.kind, status=draft.status, title=draft.title, body=draft.body
        )
