"""Announcements: drafted by the principal, its agency or staff; reviewed and published by staff.

Publishing is where an announcement takes effect on its sections: a call announces them, an
amendment may move the bid deadline (and must leave 15 days when it affects bids, C-04 / P-03),
candidates' publicity, award and failure notices move the section on.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import search
from trading.announcements.models import Announcement
from trading.announcements.schemas import AnnouncementEdit, AnnouncementIn, Kind
from trading.audit.service import Actor, record
from trading.auth.identity import Identity, Role
from trading.calendar.service import load_calendar_from
from trading.clock import local_date
from trading.complaints.suspension import check_not_suspended
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.projects import service as projects
from trading.projects.models import Project, Section
from trading.projects.rules import Status
from trading.rules import checks
from trading.sectors import Sector

# The review workflow, as data: action → (statuses it starts from, status it leads to).
WORKFLOW: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({"draft", "rejected"}), "submitted"),
    "approve": (frozenset({"submitted"}), "approved"),
    "reject": (frozenset({"submitted"}), "rejected"),
    "publish": (frozenset({"approved"}), "published"),
}
EDITABLE = frozenset({"draft", "rejected"})
# Publishing a notice of this kind moves its sections by this action (None: no status change).
SECTION_ACTION = {
    Kind.call: "announce",
    Kind.amendment: None,
    Kind.candidates: "publish_candidates",
    Kind.award: "award",
    Kind.failure: "fail",
}


async def _project_for_author(session: AsyncSession, project_id: uuid.UUID, author: Identity) -> Project:
    project = await projects.get_project(session, project_id, author)
    if not author.has(Role.staff, Role.admin) and author.organisation_id not in (
        project.principal_id,
        project.agency_id,
    ):
        raise Forbidden(
            "announcement.not_yours",
            "只能为本单位的项目编写公告",
            "you may only write announcements for your projects",
        )
    return project


def check_kind_fields(kind: Kind, data: AnnouncementIn | AnnouncementEdit) -> None:
    if kind == Kind.candidates and data.publicity_end is None:
        raise DomainError(
            "announcement.publicity_end_required",
            "中标候选人公示须注明公示截止时间",
            "a candidates' publicity needs the end of its publicity period",
            rule="C-14",
            status=422,
        )
    if kind == Kind.award and data.winner_id is None:
        raise DomainError(
            "announcement.winner_required",
            "中标（成交）结果公告须注明中标单位",
            "an award announcement must name the winning organisation",
            status=422,
        )
    if kind != Kind.amendment and data.new_bid_deadline is not None:
        raise DomainError(
            "announcement.deadline_only_in_amendment",
            "只有变更公告可以调整投标截止时间",
            "only an amendment can move the bid deadline",
            status=422,
        )


async def create_draft(
    session: AsyncSession, data: AnnouncementIn, *, author: Identity, at: dt.datetime
) -> Announcement:
    project = await _project_for_author(session, data.project_id, author)
    own_sections = {s.id for s in project.sections}
    foreign = [str(s) for s in data.section_ids if s not in own_sections]
    if foreign:
        raise DomainError(
            "announcement.foreign_section",
            "公告所涉标段不属于该项目",
            "the announcement names sections of another project",
            status=422,
            details={"sections": foreign},
        )
    check_kind_fields(data.kind, data)
    announcement = Announcement(
        project_id=project.id,
        section_ids=[str(s) for s in data.section_ids],
        kind=data.kind,
        status="draft",
        sector=project.sector,
        region=project.region,
        title=data.title,
        body=data.body,
        affects_bids=data.affects_bids,
        new_bid_deadline=data.new_bid_deadline,
        publicity_end=data.publicity_end,
        winner_id=data.winner_id,
        created_at=at,
        created_by=author.user_id,
    )
    session.add(announcement)
    await session.flush()
    await record(
        session,
        actor=author.actor,
        action="announcement.drafted",
        subject_type="announcement",
        subject_id=announcement.id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return announcement


async def get_for_editor(session: AsyncSession, announcement_id: uuid.UUID, viewer: Identity) -> Announcement:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None:
        raise not_found("announcement", "公告", announcement_id)
    await projects.get_project(session, announcement.project_id, viewer)
    return announcement


async def edit(
    session: AsyncSession,
    announcement: Announcement,
    data: AnnouncementEdit,
    *,
    editor: Identity,
    at: dt.datetime,
) -> Announcement:
    await _project_for_author(session, announcement.project_id, editor)
    if announcement.status not in EDITABLE:
        raise Conflict(
            "announcement.not_editable",
            "公告已提交审核或已发布，不能修改",
            "the announcement is under review or published and cannot be edited",
        )
    check_kind_fields(Kind(announcement.kind), data)
    before = {k: getattr(announcement, k) for k in AnnouncementEdit.model_fields}
    for key, value in data.model_dump().items():
        setattr(announcement, key, value)
    await record(
        session,
        actor=editor.actor,
        action="announcement.edited",
        subject_type="announcement",
        subject_id=announcement.id,
        data={"before": before, "after": data.model_dump(mode="json")},
        at=at,
    )
    return announcement


async def _sections(session: AsyncSession, announcement: Announcement) -> list[Section]:
    query = select(Section).where(Section.project_id == announcement.project_id).order_by(Section.number)
    if announcement.section_ids:
        query = query.where(Section.id.in_([uuid.UUID(s) for s in announcement.section_ids]))
    return list((await session.scalars(query)).all())


async def _apply_amendment(
    session: AsyncSession,
    announcement: Announcement,
    section: Section,
    sector: Sector,
    *,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    current = await projects.catch_up(session, section, at)
    if current not in (Status.announced, Status.registration_open):
        raise Conflict(
            "amendment.after_deadline",
            "投标截止后不能发布变更公告",
            "an amendment cannot be published once bidding has closed",
            rule="E-03",
            details={"section": section.code, "status": current},
        )
    deadline = announcement.new_bid_deadline or section.bid_deadline
    if deadline is not None:
        checks.check_amendment(
            sector,
            at,
            deadline,
            zone=zone,
            calendar=await load_calendar_from(session, local_date(at, zone).year),
            procedure=section.procedure,
            affects_bids=announcement.affects_bids,
        )
    if announcement.new_bid_deadline and announcement.new_bid_deadline != section.bid_deadline:
        previous = section.bid_deadline
        section.bid_deadline = announcement.new_bid_deadline
        await record(
            session,
            actor=actor,
            action="section.deadline_moved",
            subject_type="section",
            subject_id=section.id,
            data={"from": previous, "to": section.bid_deadline, "announcement": str(announcement.id)},
            at=at,
        )


async def _apply_on_publish(
    session: AsyncSession, announcement: Announcement, *, actor: Actor, at: dt.datetime, zone: ZoneInfo
) -> None:
    sector = Sector(announcement.sector)
    kind = Kind(announcement.kind)
    for section in await _sections(session, announcement):
        await check_not_suspended(session, section.id, at=at, zone=zone)
        if kind == Kind.amendment:
            await _apply_amendment(session, announcement, section, sector, actor=actor, at=at, zone=zone)
            continue
        if kind == Kind.call:
            # A single-source call is its publicity (P-12): its end is checked with the schedule.
            await projects.check_section_rules(
                session, sector, section, zone=zone, announced_at=at, publicity_end=announcement.publicity_end
            )
        if kind == Kind.candidates and announcement.publicity_end is not None:
            checks.check_candidates_publicity(
                published_at=at,
                publicity_end=announcement.publicity_end,
                zone=zone,
                calendar=await load_calendar_from(session, local_date(at, zone).year),
            )
            section.publicity_end = announcement.publicity_end
        action = SECTION_ACTION[kind]
        # The opening may already have failed the section (too few bids), the award decision may
        # already have awarded it to this winner: the notice then only tells it.
        informs = (action == "fail" and section.status == Status.failed) or (
            action == "award"
            and section.status == Status.awarded
            and section.winner_id == announcement.winner_id
        )
        if action and not informs:
            await projects.transition(
                session,
                section,
                action,
                actor=actor,
                at=at,
                reason=announcement.title if kind == Kind.failure else None,
                data={"announcement": str(announcement.id)},
                winner_id=announcement.winner_id,
            )


def check_four_eyes(announcement: Announcement, approver: Identity) -> None:
    """Four eyes: whoever drafted or submitted an announcement does not approve it too."""
    if approver.user_id in (announcement.created_by, announcement.submitted_by):
        raise Forbidden(
            "announcement.four_eyes",
            "四眼原则：公告的起草人或提交人不能审核通过该公告，须由另一名工作人员审核",
            "four-eyes rule: whoever drafted or submitted an announcement may not approve it; "
            "another member of staff must",
            details={"rule": "four_eyes"},
        )


async def review(
    session: AsyncSession,
    announcement: Announcement,
    action: str,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
    note: str | None = None,
) -> Announcement:
    sources, target = WORKFLOW[action]
    if announcement.status not in sources:
        raise Conflict(
            "announcement.workflow_refused",
            f"公告当前状态为{announcement.status}，不能{action}",
            f"an announcement that is {announcement.status} cannot be moved by '{action}'",
            details={"status": announcement.status, "action": action},
        )
    if action == "submit":
        await _project_for_author(session, announcement.project_id, actor)
        announcement.submitted_by = actor.user_id
    if action == "approve":
        check_four_eyes(announcement, actor)
    if action == "reject" and not (note and note.strip()):
        raise DomainError(
            "announcement.reject_reason_required", "退回须说明原因", "a rejection needs a reason", status=422
        )
    if action in ("approve", "reject"):
        announcement.reviewed_by = actor.user_id
        announcement.review_note = note
    if action == "publish":
        await _apply_on_publish(session, announcement, actor=actor.actor, at=at, zone=zone)
        announcement.published_at = at
    previous = announcement.status
    announcement.status = target
    await record(
        session,
        actor=actor.actor,
        action=f"announcement.{target}",
        subject_type="announcement",
        subject_id=announcement.id,
        data={"from": previous, "to": target, "note": note},
        at=at,
    )
    await session.flush()
    return announcement


async def search_published(
    session: AsyncSession,
    *,
    sector: str | None,
    kind: str | None,
    region: str | None,
    published_from: dt.datetime | None,
    published_to: dt.datetime | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[Announcement]]:
    """Published announcements matching the filters; with keywords, the best matches first (see
    trading/announcements/search.py), otherwise the newest first."""
    conditions = [Announcement.status == "published"]
    if sector:
        conditions.append(Announcement.sector == sector)
    if kind:
        conditions.append(Announcement.kind == kind)
    if region:
        conditions.append(Announcement.region == region)
    if published_from:
        conditions.append(Announcement.published_at >= published_from)
    if published_to:
        conditions.append(Announcement.published_at < published_to)
    query = select(Announcement)
    order: list[Any] = []
    terms = search.keywords(q)
    if terms:
        found = search.plan(session.bind.dialect.name, terms)
        conditions += found.conditions
        for hits in found.hits:
            query = query.join(hits, hits.c.announcement_id == Announcement.id)
        order.append(found.rank)
    query = query.where(*conditions)
    ordered = query.order_by(*order, Announcement.published_at.desc(), Announcement.id.desc())
    if terms:
        # Ranking needs every match anyway: count them in the same pass (a window) instead of
        # finding and rechecking them twice, once for the count and once for the page.
        found_rows = (
            await session.execute(ordered.add_columns(func.count().over()).limit(limit).offset(offset))
        ).all()
        if found_rows or offset == 0:
            return (found_rows[0][1] if found_rows else 0), [row[0] for row in found_rows]
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(ordered.limit(limit).offset(offset))
    return total or 0, list(rows.all())


async def get_published(session: AsyncSession, announcement_id: uuid.UUID) -> Announcement:
    announcement = await session.get(Announcement, announcement_id)
    if announcement is None or announcement.status != "published":
        raise not_found("announcement", "公告", announcement_id)
    return announcement


async def list_for_editor(
    session: AsyncSession, viewer: Identity, *, status: str | None, limit: int, offset: int
) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.created_at.desc(), Announcement.id.desc())
    if status:
        query = query.where(Announcement.status == status)
    if not viewer.has(Role.staff, Role.admin, Role.auditor):
        visible = select(Project.id)
        ors = []
        if Role.supervisor in viewer.roles:
            ors.append(Project.sector.in_(sorted(viewer.sectors)))
        if viewer.organisation_id:
            ors += [
                Project.principal_id == viewer.organisation_id,
                Project.agency_id == viewer.organisation_id,
            ]
        if not ors:
            return []
        query = query.where(Announcement.project_id.in_(visible.where(or_(*ors))))
    return list((await session.scalars(query.limit(limit).offset(offset))).all())
