"""Objections (C-14) and challenges (P-13) pausing the procedure, the award decision (C-20), the
award notice, the contract (C-15 / P-09), the report to the oversight department (C-19) and the
contract's publication (P-15). Refunds follow from the section's events (funds/refunds)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from experts.awards import notices, rules
from experts.awards.models import Award, Objection
from experts.committees import service as committees
from experts.committees.models import Committee
from experts.evaluations import service as evaluations
from experts.evaluations.models import BidReview, Evaluation
from experts.once import add_once
from trading.announcements import service as announcements
from trading.announcements.models import Announcement
from trading.announcements.schemas import AnnouncementIn, Kind
from trading.audit.service import record
from trading.auth.identity import Identity
from trading.calendar.periods import Period, Unit, period
from trading.calendar.service import load_calendar_from
from trading.clock import local_date
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.organisations.models import Organisation
from trading.oversight import steps as oversight_steps
from trading.oversight.feed import StepDue
from trading.oversight.service import tenderee
from trading.projects import service as projects
from trading.projects.models import Project, Section
from trading.projects.rules import Status
from trading.sectors import Sector


async def period_after(
    session: AsyncSession, start: dt.datetime, length: int, unit: Unit, zone: ZoneInfo
) -> Period:
    """The period an event at `start` opens, counted as the Civil Code counts (D-01, D-02)."""
    first = local_date(start, zone)
    return period(await load_calendar_from(session, first.year), first, length, unit)


async def due_by(
    session: AsyncSession, start: dt.datetime, length: int, unit: Unit, zone: ZoneInfo
) -> dt.datetime:
    """24:00 of the period's last day: when a step due "within N (working) days" is late."""
    return (await period_after(session, start, length, unit, zone)).ends_at(zone)


async def _section(
    session: AsyncSession, section_id: uuid.UUID, at: dt.datetime
) -> tuple[Section, Project, Status]:
    section = await projects.get_section(session, section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    return section, project, await projects.catch_up(session, section, at)


async def pending(session: AsyncSession, section_id: uuid.UUID) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Objection)
            .where(Objection.section_id == section_id, Objection.status == "pending")
        )
        or 0
    )


def _paused(count: int, rule: str) -> None:
    if count:
        raise Conflict(
            "award.paused_by_objection",
            "异议（质疑）答复前，招标投标活动暂停",
            "the procedure is paused until the objection (challenge) is answered",
            rule=rule,
            details={"pending": count},
        )


def _awarded_already() -> Conflict:
    return Conflict("award.exists", "该标段已定标", "this section has been awarded")


async def award_of(session: AsyncSession, section_id: uuid.UUID) -> Award | None:
    return await session.scalar(select(Award).where(Award.section_id == section_id))


async def file_objection(
    session: AsyncSession,
    section_id: uuid.UUID,
    matter: str,
    *,
    user: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Objection:
    section, project, status = await _section(session, section_id, at)
    evaluation = await evaluations.get_evaluation(session, section_id)
    bidders = set(
        (
            await session.scalars(
                select(BidReview.organisation_id).where(BidReview.evaluation_id == evaluation.id)
            )
        ).all()
    )
    if user.organisation_id not in bidders:
        raise Forbidden(
            "objection.not_a_bidder",
            "只有本标段的投标人可以提出异议或质疑",
            "only a bidder of the section may object",
        )
    if project.sector == Sector.construction:
        if status != Status.candidates_published:
            rules.check_objection_window(now=at, publicity_end=None)
        rules.check_objection_window(now=at, publicity_end=section.publicity_end)
        kind, due = "objection", await due_by(session, at, rules.OBJECTION_ANSWER_DAYS, Unit.days, zone)
    else:
        award = await award_of(session, section_id)
        known = award.decided_at if award else evaluation.signed_at
        if known is None or status not in (Status.evaluated, Status.awarded):
            raise Conflict(
                "objection.not_now", "评审结果产生后方可质疑", "a challenge follows the result", rule="P-13"
            )
        rules.check_challenge_window(
            today=at.astimezone(zone).date(),
            last_day=(
                await period_after(session, known, rules.CHALLENGE_WORKING_DAYS, Unit.working_days, zone)
            ).last_day,
        )
        kind = "challenge"
        due = await due_by(session, at, rules.CHALLENGE_WORKING_DAYS, Unit.working_days, zone)
    objection = Objection(
        section_id=section_id,
        organisation_id=user.organisation_id,
        kind=kind,
        matter=matter,
        filed_at=at,
        filed_by=user.user_id,
        answer_due=due,
        status="pending",
    )
    session.add(objection)
    await session.flush()
    await _answer_step(session, objection, section, project, at=at, zone=zone)
    await record(
        session,
        actor=user.actor,
        action=f"{kind}.filed",
        subject_type="section",
        subject_id=section_id,
        data={"objection": str(objection.id), "matter": matter, "answer_due": due.isoformat()},
        at=at,
    )
    return objection


def _step_key(objection: Objection) -> str:
    return f"result_{objection.kind}:{objection.id}:answer"


async def _answer_step(
    session: AsyncSession,
    objection: Objection,
    section: Section,
    project: Project,
    *,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    """The answer is a timed step of e-oversight: an objection to the result within 3 days (C-14),
    a challenge within 7 working days (P-13); yellow on the last day, red after."""
    department, organisation_id = await tenderee(session, project)
    await oversight_steps.sync(
        session,
        StepDue(
            key=_step_key(objection),
            step=f"{objection.kind}_answer",
            rule="C-14" if objection.kind == "objection" else "P-13",
            sector=project.sector,
            started_on=local_date(at, zone),
            # answer_due is 24:00 of the last day, i.e. the next day's first instant.
            due_on=local_date(objection.answer_due - dt.timedelta(microseconds=1), zone),
            department=department,
            subject=section.code,
            section_id=section.id,
            organisation_id=organisation_id,
        ),
        source=f"result_{objection.kind}",
        at=at,
        basis="days" if objection.kind == "objection" else "working_days",
    )


async def answer_objection(
    session: AsyncSession,
    objection_id: uuid.UUID,
    *,
    upheld: bool,
    answer: str | None,
    viewer: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Objection:
    """Upheld before the award, the section goes back to its committee for a new round."""
    objection = await session.get(Objection, objection_id)
    if objection is None:
        raise not_found("objection", "异议", objection_id)
    await projects.get_project(
        session, (await projects.get_section(session, objection.section_id)).project_id, viewer
    )
    if objection.status != "pending":
        raise Conflict("objection.answered", "该异议已答复", "this objection has been answered")
    objection.answer, objection.answered_at = rules.check_answer(answer), at
    objection.status = "upheld" if upheld else "dismissed"
    step = await oversight_steps.find(session, _step_key(objection))
    if step is not None:
        await oversight_steps.complete(session, step, local_date(at, zone), at=at)
    await record(
        session,
        actor=viewer.actor,
        action=f"{objection.kind}.{objection.status}",
        subject_type="section",
        subject_id=objection.section_id,
        data={"objection": str(objection.id), "answer": objection.answer},
        at=at,
    )
    section = await projects.get_section(session, objection.section_id)
    if upheld and section.status in (Status.evaluated, Status.candidates_published):
        evaluation = await evaluations.get_evaluation(session, objection.section_id)
        await evaluations.return_to_committee(
            session, evaluation, reason=objection.answer, actor=viewer.actor, at=at
        )
    return objection


def check_winner(evaluation: Evaluation, winner_id: uuid.UUID, passed_over: list[dict[str, Any]]) -> int:
    """The winner's rank among the committee's candidates (C-13), every candidate above it passed
    over for a reason the law names where state funds hold control (C-20)."""
    ranked = [row["organisation_id"] for row in evaluations.candidates(evaluation)]
    if str(winner_id) not in ranked:
        raise DomainError(
            "award.not_a_candidate",
            "中标人须为评标委员会推荐的中标候选人",
            "the winner is one of the committee's candidates",
            rule="C-13",
            status=422,
        )
    winner_rank = ranked.index(str(winner_id)) + 1
    rules.check_pass_over(evaluation.state_controlled, winner_rank, passed_over, ranked)
    return winner_rank


async def decide(
    session: AsyncSession,
    section_id: uuid.UUID,
    winner_id: uuid.UUID,
    passed_over: list[dict[str, Any]],
    *,
    viewer: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Award:
    section, project, _ = await _section(session, section_id, at)
    await projects.get_project(session, project.id, viewer)
    evaluation: Evaluation = await evaluations.get_evaluation(session, section_id)
    if evaluation.status != "signed":
        raise Conflict(
            "award.report_required",
            "评标报告签署后方可定标",
            "the award follows the signed report",
            rule="C-13",
        )
    _paused(await pending(session, section_id), "C-14" if project.sector == Sector.construction else "P-13")
    if await award_of(session, section_id):
        raise _awarded_already()
    winner_rank = check_winner(evaluation, winner_id, passed_over)
    award = Award(
        section_id=section_id,
        winner_id=winner_id,
        rank=winner_rank,
        passed_over=passed_over,
        decided_at=at,
        decided_by=viewer.user_id,
        report_due=await due_by(session, at, rules.REPORT_DAYS, Unit.days, zone),
        notice_due=await due_by(session, at, rules.NOTICE_WORKING_DAYS, Unit.working_days, zone)
        if project.sector == Sector.procurement
        else None,
    )
    await add_once(session, award, _awarded_already())
    await projects.transition(
        session,
        section,
        "award",
        actor=viewer.actor,
        at=at,
        winner_id=winner_id,
        data={"award": str(award.id), "rank": winner_rank},
    )
    return award


async def _award(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> Award:
    section = await projects.get_section(session, section_id)
    await projects.get_project(session, section.project_id, viewer)
    award = await award_of(session, section_id)
    if award is None:
        raise not_found("award", "定标", section_id)
    return award


async def issue_notice(
    session: AsyncSession, section_id: uuid.UUID, *, viewer: Identity, at: dt.datetime, zone: ZoneInfo
) -> Award:
    award = await _award(session, section_id, viewer)
    if award.notice_issued_at:
        raise Conflict("award.notice_issued", "中标通知书已发出", "the award notice has been issued")
    award.notice_issued_at = at
    award.contract_due = await due_by(session, at, rules.CONTRACT_DAYS, Unit.days, zone)
    await record(
        session,
        actor=viewer.actor,
        action="award.notice_issued",
        subject_type="section",
        subject_id=section_id,
        data={"winner": str(award.winner_id), "contract_due": award.contract_due.isoformat()},
        at=at,
    )
    return award


async def sign_contract(
    session: AsyncSession,
    section_id: uuid.UUID,
    price_fen: int,
    *,
    viewer: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Award:
    """C-15 / P-09: signed within 30 days of the notice (a later signature is recorded as late).
    The section's contracted event lets the deposits fall due (C-16, P-05)."""
    award = await _award(session, section_id, viewer)
    section, project, _ = await _section(session, section_id, at)
    if award.notice_issued_at is None:
        raise Conflict(
            "contract.notice_first",
            "发出中标通知书后方可签订合同",
            "the contract follows the award notice",
            rule="C-15",
        )
    _paused(await pending(session, section_id), "P-13")
    award.contract_signed_at, award.contract_price_fen = at, price_fen
    if project.sector == Sector.procurement:
        award.publication_due = await due_by(
            session, at, rules.PUBLICATION_WORKING_DAYS, Unit.working_days, zone
        )
    await projects.transition(
        session,
        section,
        "contract",
        actor=viewer.actor,
        at=at,
        data={"award": str(award.id), "price_fen": price_fen},
    )
    return award


async def mark(
    session: AsyncSession, section_id: uuid.UUID, what: str, *, viewer: Identity, at: dt.datetime
) -> Award:
    """The tenderee's report to the oversight department (C-19) or the contract's publication (P-15)."""
    award = await _award(session, section_id, viewer)
    field = {"report": "report_filed_at", "publication": "contract_published_at"}[what]
    if what == "publication" and award.contract_signed_at is None:
        raise Conflict(
            "contract.not_signed", "合同签订后方可公告", "the contract is published once signed", rule="P-15"
        )
    setattr(award, field, at)
    await record(
        session,
        actor=viewer.actor,
        action=f"award.{what}_recorded",
        subject_type="section",
        subject_id=section_id,
        data={},
        at=at,
    )
    return award


async def objections_of(session: AsyncSession, section_id: uuid.UUID) -> list[Objection]:
    return list(
        (
            await session.scalars(
                select(Objection).where(Objection.section_id == section_id).order_by(Objection.filed_at)
            )
        ).all()
    )


async def draft_notice(
    session: AsyncSession,
    section_id: uuid.UUID,
    kind: str,
    *,
    author: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
    publicity_end: dt.datetime | None,
) -> Announcement:
    """Draft the candidates' publicity (after the report) or the result announcement (after the
    award, naming the experts: GPR art. 43) from the report, for the usual review and publication."""
    section, project, _ = await _section(session, section_id, at)
    evaluation = await evaluations.get_evaluation(session, section_id)
    if evaluation.report is None or evaluation.signed_at is None:
        raise Conflict(
            "award.report_required",
            "评标报告签署后方可起草公告",
            "the notice follows the signed report",
            rule="C-13",
        )
    principal = await session.get(Organisation, project.principal_id)
    assert principal is not None
    if kind == "candidates":
        if publicity_end is None:
            raise DomainError(
                "announcement.publicity_end_required",
                "中标候选人公示须注明公示截止时间",
                "a candidates' publicity needs the end of its publicity period",
                rule="C-14",
                status=422,
            )
        body = notices.candidates_body(
            evaluation.report,
            principal=principal.name,
            signed_at=evaluation.signed_at,
            publicity_end=publicity_end,
            zone=zone,
        )
        data = AnnouncementIn(
            project_id=project.id,
            section_ids=[section.id],
            kind=Kind.candidates,
            title=f"{project.name}{section.name}中标候选人公示",
            body=body,
            publicity_end=publicity_end,
        )
    else:
        award = await award_of(session, section_id)
        if award is None:
            raise Conflict(
                "award.not_decided", "定标后方可起草结果公告", "the result announcement follows the award"
            )
        winner = await session.get(Organisation, award.winner_id)
        assert winner is not None
        price = next(
            r["price_fen"] for r in evaluation.ranking or [] if r["organisation_id"] == str(award.winner_id)
        )
        experts = await _sitting_names(session, evaluation) if project.sector == Sector.procurement else []
        body = notices.result_body(
            evaluation.report,
            winner=winner.name,
            price_fen=price,
            experts=experts,
            decided_at=award.decided_at,
            zone=zone,
        )
        data = AnnouncementIn(
            project_id=project.id,
            section_ids=[section.id],
            kind=Kind.award,
            title=f"{project.name}{section.name}中标（成交）结果公告",
            body=body,
            winner_id=award.winner_id,
        )
    return await announcements.create_draft(session, data, author=author, at=at)


async def _sitting_names(session: AsyncSession, evaluation: Evaluation) -> list[str]:
    committee = await session.get(Committee, evaluation.committee_id)
    assert committee is not None
    members = committees.sitting(await committees.seats(session, committee))
    named = await committees.names(session, members)
    return [named[m.expert_id] for m in members]
