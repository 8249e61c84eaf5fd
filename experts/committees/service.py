"""The committee's seats: sign-in with the conflict declaration, recusal with a reserve stepping
in (TLR art. 46 ¶3, art. 48 ¶3), the chair."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from experts.committees import rules
from experts.committees.models import Committee, Member
from experts.pool.models import Expert
from trading.audit.service import Actor, record
from trading.auth.identity import Identity
from trading.errors import Conflict, DomainError, not_found
from trading.projects.models import Section


async def committee_of(session: AsyncSession, section_id: uuid.UUID) -> Committee:
    committee = await session.scalar(select(Committee).where(Committee.section_id == section_id))
    if committee is None:
        raise not_found("committee", "评标委员会", section_id)
    return committee


async def seats(session: AsyncSession, committee: Committee) -> list[Member]:
    rows = await session.scalars(
        select(Member).where(Member.committee_id == committee.id).order_by(Member.specialty, Member.position)
    )
    return list(rows.all())


def sitting(members: list[Member]) -> list[Member]:
    """The members who evaluate: seats not recused."""
    return [m for m in members if m.kind == "member" and m.state != "recused"]


def vacant(committee: Committee, members: list[Member]) -> int:
    return committee.experts - len(sitting(members))


def ready(committee: Committee, members: list[Member]) -> bool:
    """Every seat filled, every member signed in with no conflict declared, a chair chosen."""
    active = sitting(members)
    return (
        vacant(committee, members) == 0
        and all(m.state == "signed_in" for m in active)
        and any(m.chair for m in active)
    )


async def seat_of(session: AsyncSession, section_id: uuid.UUID, user: Identity) -> Member:
    """The caller's seat on the section's committee; a stranger learns nothing (404)."""
    seat = await session.scalar(
        select(Member)
        .join(Committee, Committee.id == Member.committee_id)
        .join(Expert, Expert.id == Member.expert_id)
        .where(Committee.section_id == section_id, Expert.user_id == user.user_id)
    )
    if seat is None:
        raise not_found("committee", "评标委员会", section_id)
    return seat


async def step_in(session: AsyncSession, recused: Member) -> Member | None:
    reserve = await session.scalar(
        select(Member)
        .where(
            Member.committee_id == recused.committee_id,
            Member.specialty == recused.specialty,
            Member.state == "standby",
        )
        .order_by(Member.position)
        .limit(1)
    )
    if reserve is not None:
        reserve.kind, reserve.state, reserve.stepped_in_for = "member", "drawn", recused.id
    return reserve


async def recuse(
    session: AsyncSession, seat: Member, reason: str | None, *, actor: Actor, at: dt.datetime
) -> Member | None:
    """E-07 / TL art. 37 ¶4: the member steps aside, the first reserve of the same specialty takes
    the seat; with no reserve left the seat stays vacant until a supplementary draw."""
    reason = rules.check_recusal_reason(reason)
    if seat.kind != "member" or seat.state == "recused":
        raise Conflict(
            "committee.not_sitting", "该专家不在评标委员会席位上", "this expert holds no seat to leave"
        )
    seat.state, seat.recusal_reason, seat.chair = "recused", reason, False
    reserve = await step_in(session, seat)
    await record(
        session,
        actor=actor,
        action="committee.recused",
        subject_type="committee",
        subject_id=seat.committee_id,
        data={"member": str(seat.id), "reason": reason, "reserve": str(reserve.id) if reserve else None},
        at=at,
    )
    return reserve


async def sign_in(
    session: AsyncSession,
    section_id: uuid.UUID,
    user: Identity,
    *,
    conflict: bool,
    reason: str | None,
    at: dt.datetime,
) -> Member:
    seat = await seat_of(session, section_id, user)
    if seat.kind != "member" or seat.state != "drawn":
        raise Conflict(
            "committee.sign_in_refused",
            "该席位无需签到（备选专家、已签到或已回避）",
            "this seat does not sign in (a reserve, already signed in, or recused)",
            details={"kind": seat.kind, "state": seat.state},
        )
    if conflict:
        await recuse(session, seat, reason, actor=user.actor, at=at)
        return seat
    seat.state, seat.signed_in_at = "signed_in", at
    await record(
        session,
        actor=user.actor,
        action="committee.signed_in",
        subject_type="committee",
        subject_id=seat.committee_id,
        data={"member": str(seat.id), "declaration": "no_conflict"},
        at=at,
    )
    return seat


async def choose_chair(
    session: AsyncSession, committee: Committee, member_id: uuid.UUID, *, actor: Actor, at: dt.datetime
) -> Member:
    members = await seats(session, committee)
    chosen = next((m for m in sitting(members) if m.id == member_id), None)
    if chosen is None or chosen.state != "signed_in":
        raise DomainError(
            "committee.chair_not_member",
            "评标委员会负责人须从已签到的成员中推举",
            "the chair is chosen from the members who have signed in",
            status=422,
        )
    for member in members:
        member.chair = member.id == member_id
    await record(
        session,
        actor=actor,
        action="committee.chair_chosen",
        subject_type="committee",
        subject_id=committee.id,
        data={"member": str(member_id)},
        at=at,
    )
    return chosen


async def names(session: AsyncSession, members: list[Member]) -> dict[uuid.UUID, str]:
    ids = [m.expert_id for m in members]
    rows = await session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(ids)))
    return {r.id: r.name for r in rows}


async def my_seats(session: AsyncSession, user: Identity) -> list[tuple[Member, Section]]:
    rows = await session.execute(
        select(Member, Section)
        .join(Committee, Committee.id == Member.committee_id)
        .join(Section, Section.id == Committee.section_id)
        .join(Expert, Expert.id == Member.expert_id)
        .where(Expert.user_id == user.user_id)
        .order_by(Committee.formed_at.desc())
    )
    return [(r[0], r[1]) for r in rows]
