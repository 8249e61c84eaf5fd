"""Projects and sections: registration, the schedule's legal checks, status transitions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import SYSTEM, Actor, record
from trading.auth.identity import Identity, Role
from trading.calendar.service import load_calendar, load_calendar_from
from trading.clock import local_time
from trading.complaints.suspension import check_not_suspended
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.events import publish
from trading.organisations.models import Organisation
from trading.projects.models import Project, ProjectCodeCounter, Section
from trading.projects.rules import (
    STATUS_ZH,
    TENDERING,
    Status,
    allowed_actions,
    effective_status,
    find_transition,
    rule_for,
)
from trading.projects.schemas import ProjectIn, ProjectOut, Schedule, SectionIn, SectionOut
from trading.rules import applied, checks
from trading.sectors import PROCEDURES, Procedure, Sector

CODE_PREFIX = {Sector.construction: "GC", Sector.procurement: "ZC", Sector.land: "TD", Sector.property: "CQ"}
SCHEDULE_FIELDS = tuple(Schedule.model_fields)

# What a move needs that only the procedure making it provides, and the refusal when a hand tries
# it. A tendering section is awarded by the award decision on the committee's candidates
# (experts/awards), which holds C-20 (the first-ranked unless it drops out) and the objection /
# challenge pause (C-14, P-13) before it moves the section.
REQUIRED_BY = {
    **{
        ("sale_id", sector): (
            "section.sale_required",
            "土地和产权交易的竞得人/受让方由挂牌或竞价结果确定，不能手工定标",
            "a land or property sale is awarded by its listing or auction, with its price, not by hand",
            "L-03",
        )
        for sector in (Sector.land, Sector.property)
    },
    ("award", Sector.construction): (
        "section.award_decision_required",
        "中标人由招标人依评标委员会推荐的中标候选人依法确定（定标决定），不能手工定标",
        "the winner is decided on the committee's candidates (the award decision), not by hand",
        "C-20",
    ),
    ("award", Sector.procurement): (
        "section.award_decision_required",
        "成交供应商由采购人依评审报告推荐的候选人确定（定标决定），不能手工定标",
        "the supplier is decided on the report's candidates (the award decision), not by hand",
        "P-14",
    ),
}

# Events other packages react to (funds: refunds fall due; bidding: openings close).
SECTION_EVENTS = {
    Status.failed: "section.failed",
    Status.cancelled: "section.cancelled",
    Status.awarded: "section.awarded",
    Status.contracted: "section.contracted",
}


async def next_project_code(session: AsyncSession, sector: Sector, year: int) -> str:
    """GC-2026-0001: per sector and year, numbers never reused, safe with concurrent writers."""
    bump = (
        update(ProjectCodeCounter)
        .where(ProjectCodeCounter.sector == sector, ProjectCodeCounter.year == year)
        .values(last_number=ProjectCodeCounter.last_number + 1)
        .returning(ProjectCodeCounter.last_number)
    )
    number = await session.scalar(bump)
    if number is None:
        try:
            async with session.begin_nested():
                session.add(ProjectCodeCounter(sector=sector, year=year, last_number=1))
            number = 1
        except IntegrityError:
            number = await session.scalar(bump)
    return f"{CODE_PREFIX[sector]}-{year}-{number:04d}"


async def _organisation_in_capacity(
    session: AsyncSession, organisation_id: uuid.UUID, capacity: str, zh: str
) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise not_found("organisation", "单位", organisation_id)
    if capacity not in organisation.capacities:
        raise DomainError(
            f"project.{capacity}_capacity",
            f"{organisation.name}未登记为{zh}",
            f"{organisation.name} is not registered as a {capacity}",
            status=422,
        )
    return organisation


def check_section_fields(sector: Sector, data: SectionIn) -> None:
    if data.procedure not in PROCEDURES[sector]:
        raise DomainError(
            "section.procedure_not_in_sector",
            f"{data.procedure}不是该行业的交易方式",
            f"{data.procedure} is not a procedure of the {sector} sector",
            status=422,
        )
    required: dict[str, tuple[str, object]] = {}
    if sector in (Sector.construction, Sector.procurement):
        required["budget"] = ("预算或估算价", data.budget)
    if sector == Sector.construction:
        required["contract_kind"] = ("合同类型（工程/货物/服务）", data.contract_kind)
    if sector in (Sector.land, Sector.property):
        required["starting_price"] = ("起始价/挂牌价", data.starting_price)
    if sector == Sector.property:
        required["appraised_value"] = ("评估值", data.appraised_value)
    if data.procedure in (Procedure.land_tender, Procedure.land_auction):
        # L-01 counts 20 days back from the start of the tender or auction: it must be known.
        required["sale_start"] = ("投标或拍卖开始时间", data.sale_start)
    missing = [name for name, (_, value) in required.items() if value is None]
    if missing:
        zh = "、".join(required[name][0] for name in missing)
        raise DomainError(
            "section.fields_missing",
            f"{data.name}缺少：{zh}",
            f"{data.name} needs: {', '.join(missing)}",
            status=422,
            details={"missing": missing},
        )


def draft_section(data: SectionIn) -> Section:
    """A draft section of what was entered, not yet in a project or the session: what registration
    stores and what the staff's form checks as it is filled."""
    return Section(
        name=data.name,
        procedure=data.procedure,
        status=Status.draft,
        contract_kind=data.contract_kind,
        budget_fen=data.budget,
        starting_price_fen=data.starting_price,
        reserve_price_fen=data.reserve_price,
        appraised_value_fen=data.appraised_value,
        below_appraisal_consent=data.below_appraisal_consent,
        deposit_fen=data.deposit,
        bid_validity_days=data.bid_validity_days,
        **data.model_dump(include=set(SCHEDULE_FIELDS)),
    )


async def section_rule_violations(
    session: AsyncSession,
    sector: Sector,
    section: Section,
    *,
    zone: ZoneInfo,
    announced_at: dt.datetime | None,
    publicity_end: dt.datetime | None = None,
) -> tuple[list[checks.RuleViolation], list[checks.RuleViolation]]:
    """Every procedure, amount and schedule rule the section breaks, without stopping at the first:
    (the amount and procedure violations, the schedule violations). The staff's form shows them all
    beside their fields as it is filled (trading/portal/projects.py); `check_section_rules` refuses
    with them."""
    found: list[checks.RuleViolation] = []

    def attempt(check: Any, *args: Any, **kwargs: Any) -> None:
        try:
            check(*args, **kwargs)
        except checks.RuleViolation as violation:
            found.append(violation)

    attempt(applied.check_must_tender, sector, section.procedure, section.contract_kind, section.budget_fen)
    if announced_at is not None and section.procedure == Procedure.single_source:
        attempt(applied.check_single_source_publicity_end, publicity_end, section.bid_deadline, zone=zone)
    attempt(checks.check_deposit, sector, section.deposit_fen, section.budget_fen or 0)
    if sector == Sector.property and section.starting_price_fen and section.appraised_value_fen:
        attempt(
            checks.check_listing_price,
            section.starting_price_fen,
            section.appraised_value_fen,
            consent=section.below_appraisal_consent,
        )
    dates = [getattr(section, name) for name in SCHEDULE_FIELDS] + [announced_at, publicity_end]
    years = {d.astimezone(zone).year for d in dates if d is not None}
    calendar = await load_calendar_from(session, min(years)) if years else await load_calendar(session, ())
    schedule = checks.schedule_violations(
        sector,
        section.procedure,
        zone=zone,
        calendar=calendar,
        announcement_published_at=announced_at,
        documents_issued_at=section.documents_issued_at,
        documents_sale_start=section.documents_sale_start,
        documents_sale_end=section.documents_sale_end,
        bid_deadline=section.bid_deadline,
        listing_start=section.listing_start,
        listing_end=section.listing_end,
        sale_start=section.sale_start,
        publicity_end=publicity_end,
    )
    return found, schedule


async def check_section_rules(
    session: AsyncSession,
    sector: Sector,
    section: Section,
    *,
    zone: ZoneInfo,
    announced_at: dt.datetime | None,
    publicity_end: dt.datetime | None = None,
) -> None:
    """The procedure, deadline, period and deposit rules of the section's sector and procedure:
    the first procedure or amount violation, else every schedule violation as one refusal.
    `publicity_end` is the end of a single-source call's publicity (P-12), checked when the call
    is published."""
    found, schedule = await section_rule_violations(
        session, sector, section, zone=zone, announced_at=announced_at, publicity_end=publicity_end
    )
    if found:
        raise found[0]
    if schedule:
        raise checks.joined(schedule)


async def register_project(
    session: AsyncSession, data: ProjectIn, *, actor: Identity, at: dt.datetime, zone: ZoneInfo
) -> Project:
    """A project enters the center (进场登记) as a draft with its sections."""
    principal = await _organisation_in_capacity(
        session, data.principal_id, "principal", "招标人/采购人/出让人/转让方"
    )
    if data.agency_id:
        await _organisation_in_capacity(session, data.agency_id, "agency", "代理机构")
    acts_for_itself = actor.has(Role.principal, Role.agency) and not actor.has(Role.staff, Role.admin)
    if acts_for_itself and actor.organisation_id not in (data.principal_id, data.agency_id):
        raise Forbidden(
            "project.not_yours",
            "只能为本单位登记项目",
            "you may only register projects of your own organisation",
        )
    project = Project(
        code=await next_project_code(session, data.sector, at.astimezone(zone).year),
        name=data.name,
        sector=data.sector,
        region=data.region,
        description=data.description,
        principal_id=principal.id,
        agency_id=data.agency_id,
        registered_at=at,
        registered_by=actor.user_id,
    )
    session.add(project)
    await session.flush()
    for number, section_in in enumerate(data.sections, start=1):
        check_section_fields(data.sector, section_in)
        section = draft_section(section_in)
        section.project_id, section.number = project.id, number
        section.code = f"{project.code}-{number:02d}"
        await check_section_rules(session, data.sector, section, zone=zone, announced_at=None)
        session.add(section)
    await session.flush()
    await record(
        session,
        actor=actor.actor,
        action="project.registered",
        subject_type="project",
        subject_id=project.id,
        data={
            "code": project.code,
            "sector": project.sector,
            "name": project.name,
            "sections": [s.model_dump(mode="json") for s in data.sections],
        },
        at=at,
    )
    await session.refresh(project, ["sections"])
    return project


def may_see(viewer: Identity, project: Project) -> bool:
    if viewer.has(Role.staff, Role.admin, Role.auditor):
        return True
    if Role.supervisor in viewer.roles and project.sector in viewer.sectors:
        return True
    return viewer.organisation_id is not None and viewer.organisation_id in (
        project.principal_id,
        project.agency_id,
    )


async def get_project(session: AsyncSession, project_id: uuid.UUID, viewer: Identity) -> Project:
    project = await session.get(Project, project_id)
    if project is None or not may_see(viewer, project):
        raise not_found("project", "项目", project_id)
    return project


async def list_projects(
    session: AsyncSession, viewer: Identity, *, sector: str | None, q: str | None, limit: int, offset: int
) -> list[Project]:
    query = select(Project).order_by(Project.registered_at.desc(), Project.id.desc())
    if sector:
        query = query.where(Project.sector == sector)
    if q:
        query = query.where(
            or_(Project.name.contains(q, autoescape=True), Project.code.contains(q, autoescape=True))
        )
    if not viewer.has(Role.staff, Role.admin, Role.auditor):
        visible = []
        if Role.supervisor in viewer.roles:
            visible.append(Project.sector.in_(sorted(viewer.sectors)))
        if viewer.organisation_id:
            visible += [
                Project.principal_id == viewer.organisation_id,
                Project.agency_id == viewer.organisation_id,
            ]
        if not visible:
            return []
        query = query.where(or_(*visible))
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def get_section(session: AsyncSession, section_id: uuid.UUID) -> Section:
    section = await session.get(Section, section_id)
    if section is None:
        raise not_found("section", "标段", section_id)
    return section


async def catch_up(session: AsyncSession, section: Section, now: dt.datetime) -> Status:
    """Store what the clock has already decided (registration opened, bidding closed), with an
    audit event per step, before anything else is done to the section."""
    current = Status(section.status)
    derived = effective_status(
        current, now=now, registration_start=section.registration_start, bid_deadline=section.bid_deadline
    )
    steps = {
        Status.announced: [Status.registration_open, Status.bidding_closed],
        Status.registration_open: [Status.bidding_closed],
    }.get(current, [])
    for step in steps[: steps.index(derived) + 1] if derived in steps else []:
        await record(
            session,
            actor=SYSTEM,
            action=f"section.{step}",
            subject_type="section",
            subject_id=section.id,
            data={"from": section.status, "to": step, "by": "clock"},
            at=now,
        )
        section.status = step
    return derived


async def transition(
    session: AsyncSession,
    section: Section,
    action: str,
    *,
    actor: Actor,
    at: dt.datetime,
    reason: str | None = None,
    data: dict[str, object] | None = None,
    winner_id: uuid.UUID | None = None,
) -> Section:
    """Move a section by a named action, or refuse with the rule the move would break.
    An award names the winner, an organisation registered as a bidder."""
    project = await session.get(Project, section.project_id)
    assert project is not None
    current = await catch_up(session, section, at)
    await check_not_suspended(session, section.id, at=at)
    move = find_transition(project.sector, current, action)
    if move is None:
        raise Conflict(
            "section.transition_refused",
            f"标段当前状态为“{STATUS_ZH[current]}”，不能执行“{action}”",
            f"a section that is {current} cannot be moved by '{action}'",
            rule=rule_for(project.sector, action),
            details={
                "status": current,
                "action": action,
                "allowed": allowed_actions(project.sector, current),
            },
        )
    if action == "open_bids" and project.sector in TENDERING and not (data or {}).get("record_sha256"):
        # Sealed bids are opened by the electronic opening, which records what it opened (E-04);
        # marking the section opened by hand would leave the bids sealed for good.
        raise Conflict(
            "section.opening_required",
            "工程建设和政府采购项目须通过电子开标开启投标文件，不能手工标记为已开标",
            "construction and procurement bids are opened by the electronic opening, not by hand",
            rule="E-04",
        )
    if action in ("evaluate", "return_to_committee") and not (data or {}).get("evaluation"):
        # The committee's report evaluates a section (TLR art. 53); a hand-made mark would have no
        # committee, scores or candidates behind it.
        raise Conflict(
            "section.evaluation_required",
            "评标须由评标委员会完成并签署评标报告，不能手工标记",
            "a section is evaluated by its committee's signed report, not by hand",
            rule="C-13",
        )
    if action in ("fail", "cancel") and not (reason and reason.strip()):
        raise DomainError(
            "section.reason_required",
            "流标或终止须说明原因",
            "failing or cancelling a section needs a reason",
            status=422,
        )
    if action == "award" and section.publicity_end is not None and at < section.publicity_end:
        raise Conflict(
            "award.during_publicity",
            f"中标候选人公示期至{local_time(section.publicity_end)}，公示期满前不得定标",
            f"the candidates' publicity runs until {local_time(section.publicity_end)}; no award before",
            rule="C-14",
            details={"publicity_end": section.publicity_end.isoformat()},
        )
    if move.requires and not (data or {}).get(move.requires):
        code, zh, en, rule = REQUIRED_BY[(move.requires, project.sector)]
        raise Conflict(code, zh, en, rule=rule)
    if action == "award":
        await _check_winner(session, winner_id)
        section.winner_id = winner_id
        data = {**(data or {}), "winner_id": str(winner_id)}
    previous = section.status
    section.status = move.target
    section.status_reason = reason
    if move.target == Status.announced:
        section.announced_at = at
    await record(
        session,
        actor=actor,
        action=f"section.{move.target}",
        subject_type="section",
        subject_id=section.id,
        data={"from": previous, "to": move.target, "action": action, "reason": reason, **(data or {})},
        at=at,
    )
    if move.target in SECTION_EVENTS:
        publish(
            session,
            SECTION_EVENTS[move.target],
            {
                "section_id": str(section.id),
                "project_id": str(project.id),
                "sector": project.sector,
                "reason": reason,
                "at": at.isoformat(),
                **{k: str(v) for k, v in (data or {}).items()},
            },
            at=at,
        )
    await session.flush()
    return section


async def _check_winner(session: AsyncSession, winner_id: uuid.UUID | None) -> None:
    winner = await session.get(Organisation, winner_id) if winner_id else None
    if winner is None or "bidder" not in winner.capacities:
        raise DomainError(
            "section.winner_required",
            "定标须指定已登记为投标人的中标单位",
            "an award must name the winning organisation, registered as a bidder",
            status=422,
        )


def section_out(section: Section, sector: str, now: dt.datetime) -> SectionOut:
    status = effective_status(
        Status(section.status),
        now=now,
        registration_start=section.registration_start,
        bid_deadline=section.bid_deadline,
    )
    return SectionOut(
        id=section.id,
        project_id=section.project_id,
        number=section.number,
        code=section.code,
        name=section.name,
        procedure=section.procedure,
        status=status,
        status_zh=STATUS_ZH[status],
        status_reason=section.status_reason,
        allowed_actions=allowed_actions(sector, status),
        contract_kind=section.contract_kind,
        budget=section.budget_fen,
        starting_price=section.starting_price_fen,
        reserve_price=section.reserve_price_fen,
        appraised_value=section.appraised_value_fen,
        below_appraisal_consent=section.below_appraisal_consent,
        deposit=section.deposit_fen,
        bid_validity_days=section.bid_validity_days,
        announced_at=section.announced_at,
        publicity_end=section.publicity_end,
        winner_id=section.winner_id,
        **{name: getattr(section, name) for name in SCHEDULE_FIELDS},
    )


def project_out(project: Project, now: dt.datetime) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        code=project.code,
        name=project.name,
        sector=project.sector,
        region=project.region,
        description=project.description,
        principal_id=project.principal_id,
        agency_id=project.agency_id,
        registered_at=project.registered_at,
        sections=[section_out(s, project.sector, now) for s in project.sections],
    )


async def update_schedule(
    session: AsyncSession,
    section: Section,
    schedule: Schedule,
    *,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Section:
    """Set a draft section's dates. Once announced, dates change only by an amendment notice."""
    if section.status != Status.draft:
        raise Conflict(
            "section.schedule_locked",
            "标段已公告，时间安排只能通过变更公告调整",
            "the section is announced: its dates change only through an amendment announcement",
            rule="C-04",
        )
    project = await session.get(Project, section.project_id)
    assert project is not None
    before = {name: getattr(section, name) for name in SCHEDULE_FIELDS}
    for name, value in schedule.model_dump().items():
        setattr(section, name, value)
    await check_section_rules(session, Sector(project.sector), section, zone=zone, announced_at=None)
    await record(
        session,
        actor=actor,
        action="section.schedule_set",
        subject_type="section",
        subject_id=section.id,
        data={"before": before, "after": schedule.model_dump(mode="json")},
        at=at,
    )
    await session.flush()
    return section
