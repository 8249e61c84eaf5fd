"""Draw experts for a section and form its committee in one transaction; replay a draw."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.registrations.models import Registration
from experts.committees.models import Committee, Member
from experts.draws import rules
from experts.draws.models import Draw
from experts.draws.schemas import DrawIn
from experts.once import add_once
from experts.pool.models import Expert
from experts.pool.service import related_organisations
from experts.pool.taxonomy import is_known
from trading.audit.service import record
from trading.auth.identity import Identity
from trading.errors import Conflict, DomainError, not_found
from trading.projects.models import Project, Section
from trading.projects.rules import TENDERING, Status
from trading.projects.service import catch_up
from trading.rules import checks

DRAWABLE = frozenset({Status.registration_open, Status.bidding_closed, Status.opened})


async def section_and_project(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, Project]:
    section = await session.get(Section, section_id)
    if section is None:
        raise not_found("section", "标段", section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    return section, project


async def load_pool(session: AsyncSession, specialties: list[str]) -> list[rules.PoolEntry]:
    """The experts holding one of `specialties` (or a sub-specialty), as the draw's rules read them.
    Every column comes as text and is parsed here: the generic UUID, JSON and date types cost
    several times more per row, and a draw may read tens of thousands."""
    rows = await session.execute(
        select(
            cast(Expert.id, String).label("id"),
            cast(Expert.specialties, String).label("specialties"),
            Expert.region,
            cast(Expert.employer_id, String).label("employer_id"),
            cast(Expert.interests, String).label("interests"),
            Expert.status,
            Expert.approved,
            cast(Expert.certificate_expires, String).label("certificate_expires"),
        ).where(or_(*(Expert.specialty_index.contains(f"|{code}", autoescape=True) for code in specialties)))
    )
    return [
        rules.PoolEntry(
            id=_uuid_text(r.id),
            specialties=tuple(json.loads(r.specialties)),
            region=r.region,
            employer_id=_uuid_text(r.employer_id) if r.employer_id else None,
            interests=frozenset(json.loads(r.interests)),
            status=r.status,
            approved=bool(r.approved),
            certificate_expires=dt.date.fromisoformat(r.certificate_expires[:10]),
        )
        for r in rows
    ]


def _uuid_text(text: str) -> str:
    """SQLite keeps a UUID as 32 hex digits, PostgreSQL shows it with hyphens: one spelling."""
    return str(uuid.UUID(text))


async def conflicted_organisations(
    session: AsyncSession, section: Section, project: Project
) -> frozenset[str]:
    """The bidders (every registration, withdrawn ones too), the principal, the agency, and the
    organisations controlling or controlled by any of them (C-18)."""
    bidders = set(
        (
            await session.scalars(
                select(Registration.organisation_id).where(Registration.section_id == section.id)
            )
        ).all()
    )
    roots = bidders | {project.principal_id} | ({project.agency_id} if project.agency_id else set())
    return frozenset(str(o) for o in await related_organisations(session, roots))


async def recently_drawn(
    session: AsyncSession, principal_id: uuid.UUID, since: dt.datetime
) -> frozenset[str]:
    rows = await session.scalars(
        select(Member.expert_id)
        .join(Committee, Committee.id == Member.committee_id)
        .join(Draw, Draw.id == Committee.draw_id)
        .where(Draw.principal_id == principal_id, Draw.drawn_at > since, Member.state != "standby")
    )
    return frozenset(str(e) for e in rows)


def _drawn_already() -> Conflict:
    return Conflict(
        "draw.exists", "该标段已抽取专家", "experts were already drawn for this section", rule="C-11"
    )


def _check_request(data: DrawIn) -> None:
    unknown = [line.specialty for line in data.lines if not is_known(line.specialty)]
    if unknown:
        raise DomainError(
            "expert.specialty_unknown",
            f"专业代码不在专家库专业分类中：{'、'.join(unknown)}",
            f"specialty codes not in the pool's taxonomy: {', '.join(unknown)}",
            status=422,
        )


async def draw(
    session: AsyncSession,
    section_id: uuid.UUID,
    data: DrawIn,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> tuple[Draw, Committee]:
    """C-10 / P-07 are checked before anything is drawn; an insufficient pool raises before
    anything is written, so a refused draw leaves nothing behind."""
    section, project = await section_and_project(session, section_id)
    status = await catch_up(session, section, at)
    if project.sector not in TENDERING or status not in DRAWABLE:
        raise Conflict(
            "draw.not_now",
            "只有投标中或已截止、已开标的工程建设和政府采购标段可以抽取专家",
            "experts are drawn for construction and procurement sections between registration and evaluation",
            rule="C-11",
            details={"status": status},
        )
    if await session.scalar(select(Draw.id).where(Draw.section_id == section.id)):
        raise _drawn_already()
    _check_request(data)
    experts = sum(line.experts for line in data.lines)
    checks.check_committee(
        project.sector,
        experts + data.representatives,
        experts,
        budget_fen=section.budget_fen,
        complex_project=data.complex_project,
    )
    request = data.model_dump(mode="json")
    lines, excluded = rules.snapshot(
        await load_pool(session, [line.specialty for line in data.lines]),
        [line.specialty for line in data.lines],
        conflicted=await conflicted_organisations(session, section, project),
        recently_drawn=await recently_drawn(
            session, project.principal_id, at - dt.timedelta(days=data.cooldown_days)
        ),
        region=data.region,
        on=at.astimezone(zone).date(),
    )
    seed = secrets.token_hex(16)
    result = rules.run(seed, lines, [line.experts + line.reserves for line in data.lines])
    record_ = Draw(
        section_id=section.id,
        principal_id=project.principal_id,
        drawn_at=at,
        drawn_by=actor.user_id,
        request=request,
        seed=seed,
        snapshot={"lines": lines},
        pool_digest=rules.digest(lines),
        excluded=excluded,
        result={"lines": result},
        result_digest=rules.digest(result),
        experts_drawn=experts,
    )
    await add_once(session, record_, _drawn_already())
    committee = Committee(
        section_id=section.id,
        draw_id=record_.id,
        representatives=data.representatives,
        experts=experts,
        formed_at=at,
    )
    session.add(committee)
    await session.flush()
    for line, picked in zip(data.lines, result, strict=True):
        for position, expert_id in enumerate(picked):
            member = position < line.experts
            session.add(
                Member(
                    committee_id=committee.id,
                    expert_id=uuid.UUID(expert_id),
                    specialty=line.specialty,
                    position=position,
                    kind="member" if member else "reserve",
                    state="drawn" if member else "standby",
                )
            )
    await session.flush()
    # The audit log keeps the digests, not the names: the names stay sealed (E-06).
    await record(
        session,
        actor=actor.actor,
        action="experts.drawn",
        subject_type="section",
        subject_id=section.id,
        data={
            "draw": str(record_.id),
            "request": request,
            "seed": seed,
            "pool_digest": record_.pool_digest,
            "result_digest": record_.result_digest,
            "excluded": excluded,
        },
        at=at,
    )
    return record_, committee


def replay(recorded: Draw) -> tuple[bool, bool, list[list[str]]]:
    """Rerun a draw from its record: is the snapshot the one digested, and is the result the same?"""
    lines = recorded.snapshot["lines"]
    wanted = [line["experts"] + line["reserves"] for line in recorded.request["lines"]]
    result = rules.run(recorded.seed, lines, wanted)
    return rules.digest(lines) == recorded.pool_digest, rules.digest(result) == recorded.result_digest, result


async def get_draw(session: AsyncSession, draw_id: uuid.UUID) -> Draw:
    found = await session.get(Draw, draw_id)
    if found is None:
        raise not_found("draw", "专家抽取", draw_id)
    return found


async def draw_of_section(session: AsyncSession, section_id: uuid.UUID) -> Draw:
    found = await session.scalar(select(Draw).where(Draw.section_id == section_id))
    if found is None:
        raise not_found("draw", "专家抽取", section_id)
    return found
