"""The expert pool: staff enter experts, experts keep their profiles, staff approve the changes,
suspend or retire experts, and record which organisations control one another."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from experts.pool import rules
from experts.pool.models import ControlLink, Expert, PoolRevision
from experts.pool.schemas import ControlLinkIn, ExpertIn, ProfileIn
from experts.pool.taxonomy import leaves
from trading.audit.service import Actor, record
from trading.auth.identity import Identity, Role
from trading.auth.models import User
from trading.errors import Conflict, DomainError, not_found
from trading.ids import new_id
from trading.organisations.models import Organisation

PROFILE_FIELDS = tuple(ProfileIn.model_fields)


async def pool_changed(session: AsyncSession) -> None:
    """A new revision token in the change's own transaction: every instance's cached copy of the
    pool (experts/draws/cache.py) is read again at its next draw. Random, so no two databases
    (nor a database dropped and made again) ever share one."""
    token = uuid.uuid4().hex
    bumped = await session.execute(update(PoolRevision).where(PoolRevision.id == 1).values(token=token))
    if bumped.rowcount:  # type: ignore[attr-defined]
        return
    try:
        async with session.begin_nested():
            session.add(PoolRevision(id=1, token=token))
    except IntegrityError:
        await session.execute(update(PoolRevision).where(PoolRevision.id == 1).values(token=token))


def specialty_index(codes: list[str]) -> str:
    return "|" + "|".join(codes) + "|"


def _profile_json(data: ProfileIn) -> dict[str, Any]:
    return data.model_dump(mode="json", include=set(PROFILE_FIELDS))


def _apply_profile(expert: Expert, profile: dict[str, Any]) -> None:
    expert.specialties = rules.check_specialties(profile["specialties"])
    expert.specialty_index = specialty_index(expert.specialties)
    expert.region = profile["region"]
    expert.employer_name = profile["employer_name"]
    expert.employer_id = uuid.UUID(profile["employer_id"]) if profile.get("employer_id") else None
    expert.title = profile["title"]
    expert.certificate_no = profile["certificate_no"]
    expert.certificate_expires = dt.date.fromisoformat(profile["certificate_expires"])
    expert.interests = [str(i) for i in profile.get("interests", [])]


async def _check_employer(session: AsyncSession, employer_id: uuid.UUID | None) -> None:
    if employer_id is not None and await session.get(Organisation, employer_id) is None:
        raise not_found("organisation", "单位", employer_id)


async def register_expert(
    session: AsyncSession, data: ExpertIn, *, actor: Identity, at: dt.datetime
) -> Expert:
    """Staff enter an expert (an `expert` user) into the pool, approved as entered."""
    user = await session.get(User, data.user_id)
    if user is None or Role.expert not in user.roles:
        raise DomainError(
            "expert.user_not_expert",
            "专家须是具有评标专家角色的用户",
            "an expert of the pool must be a user with the expert role",
            status=422,
        )
    if await session.scalar(select(Expert.id).where(Expert.user_id == data.user_id)):
        raise Conflict("expert.exists", "该用户已在专家库中", "this user is already in the pool")
    await _check_employer(session, data.employer_id)
    expert = Expert(
        user_id=data.user_id, name=data.name, status="active", approved=True, created_at=at, approved_at=at
    )
    _apply_profile(expert, _profile_json(data))
    session.add(expert)
    await session.flush()
    await pool_changed(session)
    await record(
        session,
        actor=actor.actor,
        action="expert.registered",
        subject_type="expert",
        subject_id=expert.id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return expert


async def get_expert(session: AsyncSession, expert_id: uuid.UUID) -> Expert:
    expert = await session.get(Expert, expert_id)
    if expert is None:
        raise not_found("expert", "专家", expert_id)
    return expert


async def expert_of_user(session: AsyncSession, user: Identity) -> Expert:
    expert = await session.scalar(select(Expert).where(Expert.user_id == user.user_id))
    if expert is None:
        raise not_found("expert", "专家", user.username)
    return expert


async def propose_profile(
    session: AsyncSession, user: Identity, data: ProfileIn, *, at: dt.datetime
) -> Expert:
    """The expert's own change waits for staff approval; draws keep using the approved profile."""
    expert = await expert_of_user(session, user)
    rules.check_specialties(data.specialties)
    await _check_employer(session, data.employer_id)
    expert.pending_profile = _profile_json(data)
    await record(
        session,
        actor=user.actor,
        action="expert.profile_proposed",
        subject_type="expert",
        subject_id=expert.id,
        data=expert.pending_profile,
        at=at,
    )
    return expert


async def approve_profile(session: AsyncSession, expert: Expert, *, actor: Actor, at: dt.datetime) -> Expert:
    if expert.pending_profile is None:
        raise Conflict(
            "expert.nothing_to_approve", "专家没有待审核的资料变更", "the expert has no change waiting"
        )
    before = {name: str(getattr(expert, name)) for name in PROFILE_FIELDS}
    _apply_profile(expert, expert.pending_profile)
    after, expert.pending_profile = expert.pending_profile, None
    expert.approved, expert.approved_at = True, at
    await pool_changed(session)
    await record(
        session,
        actor=actor,
        action="expert.profile_approved",
        subject_type="expert",
        subject_id=expert.id,
        data={"before": before, "after": after},
        at=at,
    )
    return expert


async def set_status(
    session: AsyncSession, expert: Expert, status: str, *, reason: str | None, actor: Actor, at: dt.datetime
) -> Expert:
    previous = expert.status
    expert.status = rules.check_status(status)
    expert.suspended_reason = reason if status != "active" else None
    await pool_changed(session)
    await record(
        session,
        actor=actor,
        action=f"expert.{status}",
        subject_type="expert",
        subject_id=expert.id,
        data={"from": previous, "to": status, "reason": reason},
        at=at,
    )
    return expert


async def list_experts(
    session: AsyncSession,
    *,
    specialty: str | None,
    status: str | None,
    q: str | None,
    limit: int,
    offset: int,
) -> list[Expert]:
    query = select(Expert).order_by(Expert.name, Expert.id)
    if status:
        query = query.where(Expert.status == status)
    if q:
        query = query.where(
            or_(Expert.name.contains(q, autoescape=True), Expert.employer_name.contains(q, autoescape=True))
        )
    rows = list((await session.scalars(query)).all()) if specialty else None
    if rows is not None:
        matched = [e for e in rows if any(code.startswith(specialty or "") for code in e.specialties)]
        return matched[offset : offset + limit]
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def link_control(
    session: AsyncSession, data: ControlLinkIn, *, actor: Actor, at: dt.datetime
) -> ControlLink:
    for organisation_id in (data.controlling_id, data.controlled_id):
        if await session.get(Organisation, organisation_id) is None:
            raise not_found("organisation", "单位", organisation_id)
    if data.controlling_id == data.controlled_id:
        raise DomainError(
            "control.self", "单位不能控制自身", "an organisation cannot control itself", status=422
        )
    link = ControlLink(controlling_id=data.controlling_id, controlled_id=data.controlled_id, recorded_at=at)
    session.add(link)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="control_link.recorded",
        subject_type="organisation",
        subject_id=data.controlled_id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return link


async def related_organisations(session: AsyncSession, roots: set[uuid.UUID]) -> set[uuid.UUID]:
    """`roots` and every organisation that controls or is controlled by one of them, transitively."""
    links = (await session.execute(select(ControlLink.controlling_id, ControlLink.controlled_id))).all()
    related, frontier = set(roots), set(roots)
    while frontier:
        found = {b for a, b in links if a in frontier} | {a for a, b in links if b in frontier}
        frontier = found - related
        related |= frontier
    return related


# --- a generated pool, for the demo and the benchmark -------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌宁凯"
TITLES = ("高级工程师", "正高级工程师", "高级经济师", "高级会计师", "教授", "研究员")
REGIONS = (
    "江宁区",
    "玄武区",
    "秦淮区",
    "建邺区",
    "鼓楼区",
    "浦口区",
    "栖霞区",
    "雨花台区",
    "六合区",
    "溧水区",
    "高淳区",
)
EMPLOYERS = (
    "东南大学",
    "南京工业大学",
    "江苏省建筑设计研究院",
    "南京市市政设计研究院",
    "河海大学",
    "江苏省人民医院",
    "南京审计大学",
    "江苏天衡会计师事务所",
)


async def seed_pool(
    session: AsyncSession,
    count: int,
    *,
    at: dt.datetime,
    seed: int = 2026,
    prefix: str = "pool",
    codes: list[str] | None = None,
    realistic: bool = True,
) -> list[uuid.UUID]:
    """Bulk-insert `count` approved experts (and their login-less users) relative to `at`; their ids.
    Realistic: one in twenty suspended or retired, certificates running out from a year ago to four
    years on, three in ten with a second specialty. Otherwise all active and certified, one specialty."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable made-up pool, not a secret
    codes = codes or leaves()
    users, experts = [], []
    for n in range(count):
        user_id = new_id()
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        users.append(
            {
                "id": user_id,
                "username": f"{prefix}{n:06d}",
                "password_hash": "!",
                "display_name": name,
                "roles": ["expert"],
                "sectors": [],
                "organisation_id": None,
                "active": True,
                "created_at": at,
            }
        )
        roll = rng.random() if realistic else 1.0
        held = rng.sample(codes, 2 if realistic and rng.random() < 0.3 else 1)
        experts.append(
            {
                "id": new_id(),
                "user_id": user_id,
                "name": name,
                "specialties": held,
                "specialty_index": specialty_index(held),
                "region": rng.choice(REGIONS),
                "employer_id": None,
                "employer_name": rng.choice(EMPLOYERS),
                "title": rng.choice(TITLES),
                "certificate_no": f"JS-PB-{prefix}-{n:06d}",
                "certificate_expires": (
                    at + dt.timedelta(days=rng.randint(-365, 1460) if realistic else 730)
                ).date(),
                "status": "suspended" if roll < 0.03 else "retired" if roll < 0.05 else "active",
                "suspended_reason": None,
                "interests": [],
                "approved": True,
                "pending_profile": None,
                "created_at": at,
                "approved_at": at,
            }
        )
    for start in range(0, count, 2000):
        await session.execute(insert(User), users[start : start + 2000])
        await session.execute(insert(Expert), experts[start : start + 2000])
    await pool_changed(session)
    return [e["id"] for e in experts]


DEMO_POOL = 3000


async def load_demo_pool(session: AsyncSession, expert_user_id: uuid.UUID, *, at: dt.datetime) -> None:
    """A realistic pool, bulk-inserted so the demo stays quick, and the demo's own expert."""
    await seed_pool(session, DEMO_POOL, at=at, prefix="expert")
    session.add(
        Expert(
            user_id=expert_user_id,
            name="朱专家",
            specialties=["A0401", "A0402"],
            specialty_index=specialty_index(["A0401", "A0402"]),
            region="江宁区",
            employer_name="江苏天衡会计师事务所",
            title="高级经济师",
            certificate_no="JS-PB-0000001",
            certificate_expires=(at + dt.timedelta(days=900)).date(),
            status="active",
            interests=[],
            approved=True,
            created_at=at,
            approved_at=at,
        )
    )
