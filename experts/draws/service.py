"""Draw experts for a section and form its committee in one transaction; replay a draw."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.registrations.models import Registration
from experts.committees import service as committees
from experts.committees.models import Committee, Member
from experts.draws import cache, rules
from experts.draws.models import Draw, TopUp
from experts.draws.schemas import DrawIn, TopUpIn
from experts.once import add_once
from experts.pool.models import Expert, PoolRevision
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


async def load_indexes(session: AsyncSession, specialties: list[str]) -> list[rules.SpecialtyIndex]:
    """Each requested specialty's experts (a sub-specialty's too), as the draw's rules read them:
    this process's copy while the pool's revision token is unchanged (experts/draws/cache.py),
    else one query per specialty."""
    token = await session.scalar(select(PoolRevision.token).where(PoolRevision.id == 1))
    indexes = []
    for code in specialties:
        index = cache.get(token, code) if token else None
        if index is None:
            index = rules.SpecialtyIndex.of(await _read_specialty(session, code))
            if token:
                cache.put(token, code, index)
        indexes.append(index)
    return indexes


async def _read_specialty(session: AsyncSession, code: str) -> list[rules.PoolEntry]:
    """Every column as text, parsed here: the generic UUID, JSON and date types cost several times
    more per row, and a specialty may hold tens of thousands."""
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
        ).where(Expert.specialty_index.contains(f"|{code}", autoescape=True))
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
    lines, excluded = rules.snapshot_indexed(
        await load_indexes(session, [line.specialty for line in data.lines]),
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


async def top_up(
    session: AsyncSession,
    section_id: uuid.UUID,
    data: TopUpIn,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> tuple[TopUp, int]:
    """Recusals have used up a specialty's reserves: draw more under the draw's own exclusions
    (its request's region and cool-down, today's conflicts), leaving out everyone the committee
    already holds, and let the new reserves take the vacant seats at once (TL art. 37 ¶4 "已经进入
    的应当更换"). Returns the record and how many seats were filled."""
    section, project = await section_and_project(session, section_id)
    status = await catch_up(session, section, at)
    if status not in DRAWABLE:
        raise Conflict(
            "draw.not_now",
            "评标结束后不能补充抽取专家",
            "reserves are drawn only until the evaluation ends",
            rule="C-11",
            details={"status": status},
        )
    recorded = await draw_of_section(session, section_id)
    line = next((x for x in recorded.request["lines"] if x["specialty"] == data.specialty), None)
    if line is None:
        raise DomainError(
            "draw.top_up_specialty",
            "补充抽取的专业须为原抽取申请中的专业",
            "a top-up draw is for a specialty of the draw's request",
            status=422,
            details={"specialties": [x["specialty"] for x in recorded.request["lines"]]},
        )
    committee = await committees.committee_of(session, section_id)
    members = await committees.seats(session, committee)
    if any(m.specialty == data.specialty and m.state == "standby" for m in members):
        raise Conflict(
            "draw.reserves_remain",
            "该专业仍有备选专家，无需补充抽取",
            "reserves of this specialty remain; no top-up is needed",
            rule="C-11",
        )
    on_committee = frozenset(str(m.expert_id) for m in members)
    lines, excluded = rules.snapshot_indexed(
        await load_indexes(session, [data.specialty]),
        conflicted=await conflicted_organisations(session, section, project),
        recently_drawn=await recently_drawn(
            session, project.principal_id, at - dt.timedelta(days=recorded.request["cooldown_days"])
        ),
        region=recorded.request.get("region"),
        on=at.astimezone(zone).date(),
    )
    # Whoever the committee holds already (sitting, recused or in reserve) is not drawn again.
    kept = [expert for expert in lines[0] if expert not in on_committee]
    if len(kept) < len(lines[0]):
        excluded["on_committee"] = len(lines[0]) - len(kept)
    seed = secrets.token_hex(16)
    result = rules.run(seed, [kept], [data.reserves])
    rounds = await session.scalar(select(func.count()).select_from(TopUp).where(TopUp.draw_id == recorded.id))
    record_ = TopUp(
        draw_id=recorded.id,
        round=(rounds or 0) + 1,
        drawn_at=at,
        drawn_by=actor.user_id,
        specialty=data.specialty,
        reserves=data.reserves,
        seed=seed,
        snapshot={"lines": [kept]},
        pool_digest=rules.digest([kept]),
        excluded=excluded,
        result={"lines": result},
        result_digest=rules.digest(result),
    )
    await add_once(
        session,
        record_,
        Conflict("draw.top_up_raced", "另一补充抽取正在进行", "another top-up draw is under way"),
    )
    last = max((m.position for m in members if m.specialty == data.specialty), default=-1)
    for offset, expert_id in enumerate(result[0], start=1):
        session.add(
            Member(
                committee_id=committee.id,
                expert_id=uuid.UUID(expert_id),
                specialty=data.specialty,
                position=last + offset,
                kind="reserve",
                state="standby",
            )
        )
    await session.flush()
    replaced = {m.stepped_in_for for m in members if m.stepped_in_for}
    open_seats = [m for m in members if m.specialty == data.specialty and m.state == "recused"]
    stepped_in = 0
    for recused in (m for m in open_seats if m.id not in replaced):
        if await committees.step_in(session, recused) is None:
            break
        stepped_in += 1
    await record(
        session,
        actor=actor.actor,
        action="experts.topped_up",
        subject_type="section",
        subject_id=section.id,
        data={
            "draw": str(recorded.id),
            "top_up": str(record_.id),
            "round": record_.round,
            "specialty": data.specialty,
            "reserves": data.reserves,
            "seed": seed,
            "pool_digest": record_.pool_digest,
            "result_digest": record_.result_digest,
            "excluded": excluded,
            "stepped_in": stepped_in,
        },
        at=at,
    )
    return record_, stepped_in


async def top_ups_of(session: AsyncSession, draw_id: uuid.UUID) -> list[TopUp]:
    rows = await session.scalars(select(TopUp).where(TopUp.draw_id == draw_id).order_by(TopUp.round))
    return list(rows.all())


def replay_top_up(recorded: TopUp) -> tuple[bool, bool, list[list[str]]]:
    lines = recorded.snapshot["lines"]
    result = rules.run(recorded.seed, lines, [recorded.reserves])
    return rules.digest(lines) == recorded.pool_digest, rules.digest(result) == recorded.result_digest, result


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
