"""Objections to the tender documents (C-05), TLR art. 22: "潜在投标人或者其他利害关系人……对招标文件
有异议的，应当在投标截止时间10日前提出。招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停
招标投标活动。"

- A potential bidder (an organisation registered as a bidder, registered for the section or not)
  files an objection while the section takes bids, at least 10 days before the bid deadline (D-01).
- From the first pending objection until the last is answered the section is paused: the opening
  cannot start (`section_paused`, asked by bidding/opening). Registrations and bids stay open: a
  bid may be changed or withdrawn until the deadline (E-03), so receiving one prejudges nothing,
  while refusing it would shorten the bidders' own period.
- The tenderee (the project's principal or agency, or the center's staff for it) answers within 3
  days. Once the last pending objection is answered the deadline must keep C-05's distance from the
  answer (its date ≥ the answer's date + 10); a nearer deadline moves out, recorded as an
  amendment's move is (`section.deadline_moved`).
Objections to procurement documents are challenges (质疑, P-13, GPL art. 52), another procedure.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import record
from trading.auth.identity import Identity, Role
from trading.calendar.service import load_calendar_from
from trading.clock import local_date
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.objections.models import Objection
from trading.objections.rules import OPEN_FOR_OBJECTIONS, STATUS_ZH, ObjectionStatus, move
from trading.objections.schemas import ObjectionOut
from trading.organisations.models import Organisation
from trading.oversight import steps
from trading.oversight.feed import StepDue
from trading.oversight.service import tenderee
from trading.projects.models import Project, Section
from trading.projects.rules import STATUS_ZH as SECTION_STATUS_ZH
from trading.projects.rules import Status, effective_status
from trading.rules import applied
from trading.sectors import Sector


async def section_paused(session: AsyncSession, section_id: uuid.UUID) -> bool:
    """True while an objection to the section's tender documents waits for its answer: the
    tendering is paused (TLR art. 22) and the opening may not start."""
    pending = await session.scalar(
        select(Objection.id)
        .where(Objection.section_id == section_id, Objection.status == ObjectionStatus.pending)
        .limit(1)
    )
    return pending is not None


async def _section_and_project(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, Project]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project


def _check_open_for_objections(section: Section, project: Project, at: dt.datetime) -> None:
    if project.sector != Sector.construction:
        raise DomainError(
            "objection.not_construction",
            "对招标文件的异议适用于工程建设招标；政府采购请通过质疑程序提出",
            "objections to tender documents belong to construction tendering; in procurement, file a "
            "challenge (GPL art. 52)",
            rule="C-05",
            status=422,
        )
    status = effective_status(
        Status(section.status),
        now=at,
        registration_start=section.registration_start,
        bid_deadline=section.bid_deadline,
    )
    if status not in OPEN_FOR_OBJECTIONS or section.bid_deadline is None:
        raise Conflict(
            "objection.section_closed",
            f"标段当前状态为“{SECTION_STATUS_ZH[status]}”，不能对招标文件提出异议",
            f"a section that is {status} takes no objections to its tender documents",
            rule="C-05",
            details={"status": status},
        )


async def _objector(session: AsyncSession, bidder: Identity, project: Project) -> Organisation:
    organisation = await session.get(Organisation, bidder.organisation_id) if bidder.organisation_id else None
    if organisation is None or "bidder" not in organisation.capacities:
        raise Forbidden(
            "objection.not_a_bidder",
            "只有登记为投标人的单位才能对招标文件提出异议",
            "only an organisation registered as a bidder may object to the tender documents",
        )
    if organisation.id in (project.principal_id, project.agency_id):
        raise Forbidden(
            "objection.own_project",
            "招标人及其代理机构不能对本项目招标文件提出异议",
            "the tenderee and its agency cannot object to their own tender documents",
        )
    return organisation


async def file_objection(
    session: AsyncSession,
    section_id: uuid.UUID,
    grounds: str,
    *,
    bidder: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Objection:
    """A potential bidder objects to the section's tender documents; the section pauses."""
    section, project = await _section_and_project(session, section_id)
    if section.status == Status.draft:
        raise not_found("section", "标段", section_id)
    _check_open_for_objections(section, project, at)
    organisation = await _objector(session, bidder, project)
    assert section.bid_deadline is not None
    applied.check_objection_in_time(at, section.bid_deadline, zone=zone)
    was_paused = await section_paused(session, section.id)
    objection = Objection(
        section_id=section.id,
        organisation_id=organisation.id,
        status=ObjectionStatus.pending,
        grounds=grounds.strip(),
        filed_at=at,
        filed_by=bidder.user_id,
        bid_deadline=section.bid_deadline,
        answer_due_at=applied.objection_answer_due(
            at, zone=zone, calendar=await load_calendar_from(session, local_date(at, zone).year)
        ),
    )
    session.add(objection)
    await session.flush()
    await record(
        session,
        actor=bidder.actor,
        action="objection.filed",
        subject_type="objection",
        subject_id=objection.id,
        data={
            "section_id": str(section.id),
            "organisation_id": str(organisation.id),
            "grounds": objection.grounds,
            "answer_due_at": objection.answer_due_at.isoformat(),
        },
        at=at,
    )
    await _answer_step(session, objection, section, project, at=at, zone=zone)
    if not was_paused:
        await record(
            session,
            actor=bidder.actor,
            action="section.paused",
            subject_type="section",
            subject_id=section.id,
            data={"objection": str(objection.id), "rule": "C-05"},
            at=at,
        )
    return objection


def _step_key(objection: Objection) -> str:
    return f"objection:{objection.id}:answer"


async def _answer_step(
    session: AsyncSession,
    objection: Objection,
    section: Section,
    project: Project,
    *,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    """The tenderee's answer is a timed step of e-oversight (C-05): yellow on its last day, red after."""
    department, organisation_id = await tenderee(session, project)
    # answer_due_at is 24:00 of the last day, i.e. the next day's first instant.
    last_day = local_date(objection.answer_due_at - dt.timedelta(microseconds=1), zone)
    due = StepDue(
        key=_step_key(objection),
        step="objection_answer",
        rule="C-05",
        sector=project.sector,
        started_on=local_date(at, zone),
        due_on=last_day,
        department=department,
        subject=section.code,
        section_id=section.id,
        organisation_id=organisation_id,
    )
    await steps.sync(session, due, source="objection", at=at)


async def _locked(session: AsyncSession, objection_id: uuid.UUID) -> Objection:
    objection = await session.scalar(
        select(Objection)
        .where(Objection.id == objection_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if objection is None:
        raise not_found("objection", "异议", objection_id)
    return objection


def _may_answer(actor: Identity, project: Project) -> bool:
    if actor.has(Role.staff):
        return True
    return actor.organisation_id is not None and actor.organisation_id in (
        project.principal_id,
        project.agency_id,
    )


async def answer_objection(
    session: AsyncSession,
    objection_id: uuid.UUID,
    answer: str,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Objection:
    """The tenderee answers; with the last pending objection answered the section resumes, and
    its deadline moves out when the answer came too late for it (C-05)."""
    objection = await _locked(session, objection_id)
    section, project = await _section_and_project(session, objection.section_id)
    if not _may_answer(actor, project):
        raise not_found("objection", "异议", objection_id)
    objection.status = move(objection.status, "answer")
    objection.answer = answer.strip()
    objection.answered_at = at
    objection.answered_by = actor.user_id
    await record(
        session,
        actor=actor.actor,
        action="objection.answered",
        subject_type="objection",
        subject_id=objection.id,
        data={
            "section_id": str(section.id),
            "answer": objection.answer,
            "in_time": at <= objection.answer_due_at,
        },
        at=at,
    )
    await session.flush()
    step = await steps.find(session, _step_key(objection))
    if step is not None:
        await steps.complete(session, step, local_date(at, zone), at=at)
    if not await section_paused(session, section.id):
        await _resume(session, section, objection, actor=actor, at=at, zone=zone)
    return objection


async def _resume(
    session: AsyncSession,
    section: Section,
    objection: Objection,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    await record(
        session,
        actor=actor.actor,
        action="section.resumed",
        subject_type="section",
        subject_id=section.id,
        data={"objection": str(objection.id), "rule": "C-05"},
        at=at,
    )
    if section.bid_deadline is None:
        return
    moved = applied.deadline_after_answer(
        at,
        section.bid_deadline,
        zone=zone,
        calendar=await load_calendar_from(session, local_date(at, zone).year),
    )
    if moved is None:
        return
    previous = section.bid_deadline
    section.bid_deadline = moved
    objection.deadline_moved_to = moved
    await record(
        session,
        actor=actor.actor,
        action="section.deadline_moved",
        subject_type="section",
        subject_id=section.id,
        data={
            "from": previous.isoformat(),
            "to": moved.isoformat(),
            "objection": str(objection.id),
            "rule": "C-05",
        },
        at=at,
    )


async def section_objections(
    session: AsyncSession, section_id: uuid.UUID, viewer: Identity
) -> tuple[Section, list[Objection]]:
    """Staff, auditors, the sector's supervisors and the tenderee see every objection of the
    section; a bidder sees its own; anyone else is told the section does not exist."""
    section, project = await _section_and_project(session, section_id)
    query = select(Objection).where(Objection.section_id == section.id).order_by(Objection.filed_at)
    sees_all = viewer.supervises(project.sector) or (
        viewer.organisation_id is not None
        and viewer.organisation_id in (project.principal_id, project.agency_id)
    )
    if not sees_all:
        if (
            Role.bidder not in viewer.roles
            or viewer.organisation_id is None
            or section.status == Status.draft
        ):
            raise not_found("section", "标段", section_id)
        query = query.where(Objection.organisation_id == viewer.organisation_id)
    return section, list((await session.scalars(query)).all())


def objection_out(objection: Objection) -> ObjectionOut:
    return ObjectionOut(
        id=objection.id,
        section_id=objection.section_id,
        organisation_id=objection.organisation_id,
        status=objection.status,
        status_zh=STATUS_ZH[ObjectionStatus(objection.status)],
        grounds=objection.grounds,
        filed_at=objection.filed_at,
        bid_deadline=objection.bid_deadline,
        answer_due_at=objection.answer_due_at,
        answer=objection.answer,
        answered_at=objection.answered_at,
        deadline_moved_to=objection.deadline_moved_to,
    )
