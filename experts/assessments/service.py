"""Ratings of the members' conduct, suspension after repeated poor ratings, the supervisors'
sampled post-evaluation reviews, and an expert's record as CSV for the bureau."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from experts.assessments import rules
from experts.assessments.models import Assessment, Review
from experts.committees.models import Committee, Member
from experts.committees.rules import UNSEALED
from experts.evaluations.models import Evaluation
from experts.once import add_once
from experts.pool import service as pool
from experts.pool.models import Expert
from trading.audit.service import SYSTEM, record
from trading.auth.identity import Identity
from trading.errors import Conflict, DomainError
from trading.projects.models import Project, Section


async def _signed_evaluation(session: AsyncSession, section_id: uuid.UUID) -> Evaluation:
    evaluation = await session.scalar(select(Evaluation).where(Evaluation.section_id == section_id))
    if evaluation is None or evaluation.status != "signed":
        raise Conflict(
            "assessment.evaluation_unfinished",
            "评标报告签署后方可考核或复核",
            "experts are assessed and evaluations reviewed once the report is signed",
        )
    return evaluation


async def assess(
    session: AsyncSession,
    section_id: uuid.UUID,
    expert_id: uuid.UUID,
    rating: str,
    note: str,
    *,
    assessor: Identity,
    at: dt.datetime,
) -> tuple[Assessment, bool]:
    rules.check_rating(rating)
    evaluation = await _signed_evaluation(session, section_id)
    section = await session.get(Section, section_id)
    if section is None or section.status not in UNSEALED:
        # Before the award, "not a member" versus a rating would tell who sits there (E-06).
        raise Conflict(
            "assessment.before_award",
            "定标后方可考核评标专家",
            "experts are assessed once the award is decided",
            rule="E-06",
        )
    sat = await session.scalar(
        select(Member.id).where(
            Member.committee_id == evaluation.committee_id,
            Member.expert_id == expert_id,
            Member.kind == "member",
            Member.state == "signed_in",
        )
    )
    if sat is None:
        raise DomainError(
            "assessment.not_a_member",
            "该专家未参加本项目评标",
            "the expert did not sit on this committee",
            status=422,
        )
    if await session.scalar(
        select(Assessment.id).where(
            Assessment.expert_id == expert_id,
            Assessment.section_id == section_id,
            Assessment.assessed_by == assessor.user_id,
        )
    ):
        raise _already_rated()
    assessment = Assessment(
        expert_id=expert_id,
        section_id=section_id,
        rating=rating,
        note=note,
        assessed_by=assessor.user_id,
        assessed_at=at,
    )
    await add_once(session, assessment, _already_rated())
    await record(
        session,
        actor=assessor.actor,
        action="expert.assessed",
        subject_type="expert",
        subject_id=expert_id,
        data={"section": str(section_id), "rating": rating, "note": note},
        at=at,
    )
    return assessment, await _suspend_if_repeated(session, expert_id, at)


def _already_rated() -> Conflict:
    return Conflict(
        "assessment.exists", "已考核过该专家在本项目的表现", "this expert was already rated for this section"
    )


async def _suspend_if_repeated(session: AsyncSession, expert_id: uuid.UUID, at: dt.datetime) -> bool:
    poor = (
        await session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(
                Assessment.expert_id == expert_id,
                Assessment.rating == "poor",
                Assessment.assessed_at >= at - rules.POOR_WINDOW,
            )
        )
        or 0
    )
    expert = await pool.get_expert(session, expert_id)
    if rules.suspends(poor) and expert.status == "active":
        await pool.set_status(
            session, expert, "suspended", reason=f"一年内{poor}次考核不合格", actor=SYSTEM, at=at
        )
    return expert.status == "suspended"


async def sample(session: AsyncSession, viewer: Identity, size: int) -> list[tuple[Section, Evaluation]]:
    """A random sample of the finished evaluations in the supervisor's sectors."""
    rows = (
        await session.execute(
            select(Section, Evaluation)
            .join(Evaluation, Evaluation.section_id == Section.id)
            .join(Project, Project.id == Section.project_id)
            .where(Evaluation.status == "signed", Project.sector.in_(sorted(viewer.sectors)))
        )
    ).all()
    chosen = secrets.SystemRandom().sample(list(rows), min(size, len(rows)))
    return [(r[0], r[1]) for r in chosen]


async def review(
    session: AsyncSession, section_id: uuid.UUID, findings: str, *, reviewer: Identity, at: dt.datetime
) -> Review:
    await _signed_evaluation(session, section_id)
    found = Review(section_id=section_id, reviewer_id=reviewer.user_id, findings=findings, reviewed_at=at)
    session.add(found)
    await session.flush()
    await record(
        session,
        actor=reviewer.actor,
        action="evaluation.reviewed",
        subject_type="section",
        subject_id=section_id,
        data={"findings": findings},
        at=at,
    )
    return found


async def reviews_of(session: AsyncSession, section_id: uuid.UUID) -> list[Review]:
    return list(
        (
            await session.scalars(
                select(Review).where(Review.section_id == section_id).order_by(Review.reviewed_at)
            )
        ).all()
    )


CSV_HEADER = (
    "专家",
    "证书编号",
    "项目标段",
    "标段名称",
    "抽取时间",
    "席位",
    "状态",
    "考核等次",
    "考核说明",
    "考核时间",
)


async def record_csv(session: AsyncSession, expert: Expert, zone: dt.tzinfo) -> str:
    """One line per seat, then one per assessment; times in the center's zone, as people read them.
    Only sections past the award are listed: before it, who sits where is sealed (E-06)."""
    seats = (
        await session.execute(
            select(Member, Section, Committee)
            .join(Committee, Committee.id == Member.committee_id)
            .join(Section, Section.id == Committee.section_id)
            .where(Member.expert_id == expert.id, Section.status.in_(UNSEALED))
            .order_by(Committee.formed_at)
        )
    ).all()
    ratings = (
        await session.execute(
            select(Assessment, Section)
            .join(Section, Section.id == Assessment.section_id)
            .where(Assessment.expert_id == expert.id, Section.status.in_(UNSEALED))
            .order_by(Assessment.assessed_at)
        )
    ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for member, section, committee in seats:
        writer.writerow(
            (
                expert.name,
                expert.certificate_no,
                section.code,
                section.name,
                _local(committee.formed_at, zone),
                member.kind,
                member.state,
                "",
                member.recusal_reason or "",
                "",
            )
        )
    for assessment, section in ratings:
        writer.writerow(
            (
                expert.name,
                expert.certificate_no,
                section.code,
                section.name,
                "",
                "",
                "",
                assessment.rating,
                assessment.note,
                _local(assessment.assessed_at, zone),
            )
        )
    return out.getvalue()


def _local(instant: dt.datetime, zone: dt.tzinfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")
