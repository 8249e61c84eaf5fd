"""Complaints: filed by a party with claims and evidence, accepted or refused, possibly
suspending the procedure, decided. Both of the department's own deadlines are timed steps of the
e-oversight engine, so a complaint left too long raises cards like any other step."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import record
from trading.auth.identity import Identity
from trading.calendar.service import load_calendar
from trading.clock import local_date
from trading.complaints import rules
from trading.complaints.models import Complaint
from trading.complaints.schemas import ComplaintIn, DecideIn, ReviewIn, SuspendIn
from trading.complaints.suspension import suspending_complaint
from trading.errors import DomainError, not_found
from trading.oversight import steps
from trading.oversight.feed import StepDue
from trading.oversight.scope import require_supervisor_of, visible_sectors
from trading.projects.models import Project, Section
from trading.sectors import Sector
from trading.storage import BlobStore

# The oversight department of each sector (行政监督部门), who must act on a complaint.
BUREAU = {
    Sector.construction: "住房和城乡建设局",
    Sector.procurement: "财政局",
    Sector.land: "自然资源局",
    Sector.property: "国有资产监督管理委员会",
}
RULE = {Sector.construction: "C-21", Sector.procurement: "P-16"}


async def _clock(session: AsyncSession, sector: str, data: ComplaintIn, filed_on: dt.date) -> dt.date:
    """The last day to complain; refuses a complaint out of time or made too early."""
    years = {data.knew_on.year, filed_on.year, filed_on.year + 1}
    calendar = await load_calendar(session, years | {filed_on.year - 1})
    if sector == Sector.construction:
        last = rules.construction_deadline(
            calendar,
            matter=data.matter,
            knew_on=data.knew_on,
            objection_filed_on=data.objection_filed_on,
            objection_answered_on=data.objection_answered_on,
        )
    elif sector == Sector.procurement:
        answer_end, last = rules.procurement_deadline(calendar, challenge_filed_on=data.challenge_filed_on)
        rules.check_not_early(filed_on, answer_end, data.challenge_answered_on)
    else:
        raise DomainError(
            "complaint.sector_unsupported",
            "本平台受理工程建设和政府采购投诉",
            "complaints are taken for construction and procurement",
            status=422,
        )
    rules.check_in_time(filed_on, last, RULE[Sector(sector)])
    return last


async def file(
    session: AsyncSession,
    data: ComplaintIn,
    *,
    who: Identity,
    store: BlobStore,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Complaint:
    if who.organisation_id is None:
        raise DomainError(
            "complaint.no_organisation",
            "投诉人须为已登记单位",
            "a complainant is a registered organisation",
            status=422,
        )
    section = await session.get(Section, data.section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", data.section_id)
    filed_on = local_date(at, zone)
    file_by = await _clock(session, project.sector, data, filed_on)
    for ref in data.evidence:
        if not store.path_of(ref.sha256).exists():
            raise DomainError(
                "complaint.evidence_missing",
                f"证明材料{ref.file_name}尚未上传",
                f"evidence {ref.file_name} has not been uploaded",
                status=422,
            )
    calendar = await load_calendar(session, {filed_on.year, filed_on.year + 1})
    complaint = Complaint(
        sector=project.sector,
        section_id=section.id,
        complainant_id=who.organisation_id,
        matter=data.matter,
        claims=data.claims,
        evidence={"files": [r.model_dump() for r in data.evidence]},
        knew_on=data.knew_on,
        objection_filed_on=data.objection_filed_on,
        objection_answered_on=data.objection_answered_on,
        challenge_filed_on=data.challenge_filed_on,
        challenge_answered_on=data.challenge_answered_on,
        filed_at=at,
        filed_by=who.user_id,
        file_by=file_by,
        accept_by=calendar.add_working_days(filed_on, rules.ACCEPT_WORKING_DAYS),
        # GPL art. 56 counts from receipt; TLR art. 61 from acceptance (set then).
        decide_by=calendar.add_working_days(filed_on, rules.DECIDE_WORKING_DAYS)
        if project.sector == Sector.procurement
        else None,
        status="filed",
    )
    session.add(complaint)
    await session.flush()
    await record(
        session,
        actor=who.actor,
        action="complaint.filed",
        subject_type="section",
        subject_id=section.id,
        data={
            "complaint_id": str(complaint.id),
            **data.model_dump(mode="json"),
            "file_by": file_by.isoformat(),
        },
        at=at,
    )
    await _step(session, complaint, "complaint_acceptance", complaint.accept_by, filed_on, section.code, at)
    if complaint.decide_by:
        await _step(session, complaint, "complaint_decision", complaint.decide_by, filed_on, section.code, at)
    return complaint


async def _step(
    session: AsyncSession,
    complaint: Complaint,
    step: str,
    due_on: dt.date,
    started_on: dt.date,
    subject: str,
    at: dt.datetime,
) -> None:
    await steps.sync(
        session,
        StepDue(
            key=f"complaint:{complaint.id}:{step}",
            step=step,
            rule=RULE[Sector(complaint.sector)],
            sector=complaint.sector,
            started_on=started_on,
            due_on=due_on,
            department=BUREAU[Sector(complaint.sector)],
            subject=subject,
            section_id=complaint.section_id,
        ),
        source="complaint",
        at=at,
    )


async def _done(session: AsyncSession, complaint: Complaint, step: str, on: dt.date, at: dt.datetime) -> None:
    found = await steps.find(session, f"complaint:{complaint.id}:{step}")
    if found is not None:
        await steps.complete(session, found, on, at=at)


def _may_see(viewer: Identity, complaint: Complaint) -> bool:
    sectors = visible_sectors(viewer)
    return (
        sectors is None or complaint.sector in sectors or viewer.organisation_id == complaint.complainant_id
    )


async def get(session: AsyncSession, complaint_id: uuid.UUID, viewer: Identity) -> Complaint:
    complaint = await session.get(Complaint, complaint_id)
    if complaint is None or not _may_see(viewer, complaint):
        raise not_found("complaint", "投诉", complaint_id)
    return complaint


async def list_complaints(session: AsyncSession, viewer: Identity) -> list[Complaint]:
    query = select(Complaint).order_by(Complaint.filed_at.desc())
    sectors = visible_sectors(viewer)
    if sectors is not None:
        clauses = [Complaint.sector.in_(sorted(sectors))]
        if viewer.organisation_id:
            clauses.append(Complaint.complainant_id == viewer.organisation_id)
        query = query.where(or_(*clauses))
    return list((await session.scalars(query)).all())


async def _for_supervisor(session: AsyncSession, complaint_id: uuid.UUID, supervisor: Identity) -> Complaint:
    complaint = await get(session, complaint_id, supervisor)
    require_supervisor_of(supervisor, complaint.sector, "complaint", "投诉", complaint_id)
    return complaint


async def review(
    session: AsyncSession,
    complaint_id: uuid.UUID,
    data: ReviewIn,
    *,
    supervisor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Complaint:
    complaint = await _for_supervisor(session, complaint_id, supervisor)
    complaint.status = rules.move(complaint.status, "accept" if data.accept else "refuse")
    complaint.reviewed_at, complaint.review_reason = at, data.reason
    today = local_date(at, zone)
    await _done(session, complaint, "complaint_acceptance", today, at)
    if data.accept and complaint.sector == Sector.construction:
        calendar = await load_calendar(session, {today.year, today.year + 1})
        complaint.decide_by = calendar.add_working_days(today, rules.DECIDE_WORKING_DAYS)
        section = await session.get(Section, complaint.section_id)
        await _step(
            session,
            complaint,
            "complaint_decision",
            complaint.decide_by,
            today,
            section.code if section else "",
            at,
        )
    if not data.accept:
        await _done(session, complaint, "complaint_decision", today, at)
    await record(
        session,
        actor=supervisor.actor,
        action=f"complaint.{complaint.status}",
        subject_type="section",
        subject_id=complaint.section_id,
        data={"complaint_id": str(complaint.id), "reason": data.reason},
        at=at,
    )
    return complaint


async def suspend(
    session: AsyncSession,
    complaint_id: uuid.UUID,
    data: SuspendIn,
    *,
    supervisor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Complaint:
    """The department suspends the procedure while it handles the complaint (GPL art. 57: at
    most 30 days in procurement)."""
    complaint = await _for_supervisor(session, complaint_id, supervisor)
    if complaint.status != "accepted":
        raise DomainError(
            "complaint.not_accepted",
            "仅受理的投诉可以暂停交易活动",
            "only an accepted complaint suspends the procedure",
            status=409,
        )
    today = local_date(at, zone)
    longest = today + dt.timedelta(days=rules.MAX_SUSPENSION_DAYS)
    if data.until <= today or (complaint.sector == Sector.procurement and data.until > longest):
        raise DomainError(
            "complaint.suspension_invalid",
            f"暂停期限须晚于今日且最长至{longest}",
            f"a suspension ends after today and at the latest on {longest}",
            rule="P-16",
            status=422,
            details={"latest": longest.isoformat()},
        )
    complaint.suspended_until, complaint.suspension_reason = data.until, data.reason
    complaint.suspension_lifted_at = None
    await record(
        session,
        actor=supervisor.actor,
        action="section.suspended",
        subject_type="section",
        subject_id=complaint.section_id,
        data={"complaint_id": str(complaint.id), "until": data.until.isoformat(), "reason": data.reason},
        at=at,
    )
    return complaint


async def lift(
    session: AsyncSession, complaint_id: uuid.UUID, *, supervisor: Identity, at: dt.datetime, zone: ZoneInfo
) -> Complaint:
    """The department lifts the suspension before its day: the section's moves may go on."""
    complaint = await _for_supervisor(session, complaint_id, supervisor)
    if await suspending_complaint(session, complaint.section_id, at=at, zone=zone) is not complaint:
        raise DomainError(
            "complaint.not_suspending",
            "该投诉当前未暂停交易活动",
            "the complaint does not hold the procedure suspended now",
            status=409,
        )
    complaint.suspension_lifted_at = at
    await record(
        session,
        actor=supervisor.actor,
        action="section.resumed",
        subject_type="section",
        subject_id=complaint.section_id,
        data={"complaint_id": str(complaint.id), "suspended_until": str(complaint.suspended_until)},
        at=at,
    )
    return complaint


async def decide(
    session: AsyncSession,
    complaint_id: uuid.UUID,
    data: DecideIn,
    *,
    supervisor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Complaint:
    complaint = await _for_supervisor(session, complaint_id, supervisor)
    complaint.status = rules.move(complaint.status, "decide")
    complaint.decision, complaint.upheld, complaint.decided_at = data.decision, data.upheld, at
    await _done(session, complaint, "complaint_decision", local_date(at, zone), at)
    await record(
        session,
        actor=supervisor.actor,
        action="complaint.decided",
        subject_type="section",
        subject_id=complaint.section_id,
        data={"complaint_id": str(complaint.id), **data.model_dump(mode="json")},
        at=at,
    )
    return complaint
