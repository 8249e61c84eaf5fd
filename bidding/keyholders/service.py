"""Opening key holders: staff name n holders and a threshold k for a section before its bids come
in; each holder registers an X25519 public key made on its own machine; the platform publishes the
signed sealing parameters bidders seal to.

The rule that makes the scheme worth having: no single party (the center's staff, the
supervising bureau, the principal side) holds k shares, so the center alone, however many of its
staff or administrators act together, cannot open a bid; nor can the principal or the bureau alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates.service import platform_authority
from bidding.keyholders.models import KeyHolder, KeyPlan
from bidding.sealing import envelope
from bidding.sealing.keys import PublicKeyInfo, unb64, x25519_public_from_b64
from bidding.sealing.manifest import Holder, SealingParameters
from bidding.sealing.package import parameters_digest
from bidding.submissions.models import Bid
from trading.audit.service import record
from trading.auth.identity import Identity, Role
from trading.auth.models import User
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.projects.models import Project, Section
from trading.projects.rules import Status, effective_status
from trading.settings import Settings

MIN_HOLDERS, MAX_HOLDERS = 2, 9
PARTY_ZH = {"staff": "交易中心", "supervisor": "行政监督部门", "principal": "招标人/采购人"}


def _status(section: Section, now: dt.datetime) -> Status:
    return effective_status(
        Status(section.status),
        now=now,
        registration_start=section.registration_start,
        bid_deadline=section.bid_deadline,
    )


async def _check_open_for_setup(session: AsyncSession, section: Section, at: dt.datetime) -> None:
    """Holders and keys change only before the deadline and before the first bid is sealed to them."""
    if _status(section, at) not in (Status.draft, Status.announced, Status.registration_open) or (
        section.bid_deadline is not None and at >= section.bid_deadline
    ):
        raise Conflict(
            "keyholders.too_late",
            "投标截止后不能更改开标密钥持有人",
            "opening key holders cannot change after the bid deadline",
            rule="E-01",
        )
    bids = await session.scalar(select(func.count()).select_from(Bid).where(Bid.section_id == section.id))
    if bids:
        raise Conflict(
            "keyholders.frozen",
            "已有投标文件按当前密钥加密，开标密钥持有人不能再更改",
            "bids are already sealed to the current key holders; they can no longer change",
            rule="E-01",
        )


def party_of(user: User, project: Project) -> str | None:
    """Which side a user would hold a share for on this project, if any."""
    roles = set(user.roles)
    if "staff" in roles:
        return "staff"
    if "supervisor" in roles and project.sector in user.sectors:
        return "supervisor"
    if {"principal", "agency"} & roles and user.organisation_id in (project.principal_id, project.agency_id):
        return "principal"
    return None


async def configure(
    session: AsyncSession,
    section: Section,
    *,
    threshold: int,
    user_ids: list[uuid.UUID],
    actor: Identity,
    at: dt.datetime,
) -> KeyPlan:
    project = await session.get(Project, section.project_id)
    assert project is not None
    await _check_open_for_setup(session, section, at)
    if len(set(user_ids)) != len(user_ids):
        raise DomainError(
            "keyholders.duplicate", "同一人不能持有两份密钥", "one person cannot hold two shares", status=422
        )
    if not MIN_HOLDERS <= len(user_ids) <= MAX_HOLDERS or not 2 <= threshold <= len(user_ids):
        raise DomainError(
            "keyholders.threshold_invalid",
            f"持有人应为{MIN_HOLDERS}至{MAX_HOLDERS}人，门限至少为2且不超过持有人数",
            f"name {MIN_HOLDERS} to {MAX_HOLDERS} holders and a threshold from 2 up to their number",
            status=422,
            rule="E-01",
        )
    users = {u.id: u for u in (await session.scalars(select(User).where(User.id.in_(user_ids)))).all()}
    parties: list[str] = []
    for user_id in user_ids:
        user = users.get(user_id)
        party = party_of(user, project) if user is not None and user.active else None
        if party is None:
            raise DomainError(
                "keyholders.not_eligible",
                "开标密钥持有人须为交易中心工作人员、该行业的监督人员或本项目招标人（代理）",
                "a key holder must be center staff, a supervisor of the sector, or the project's principal "
                "(or its agency)",
                status=422,
                details={"user_id": str(user_id)},
            )
        parties.append(party)
    crowded = [party for party, count in Counter(parties).items() if count >= threshold]
    if crowded:
        raise DomainError(
            "keyholders.one_party_could_open",
            f"{PARTY_ZH[crowded[0]]}一方持有的份额达到门限，可单独开启投标文件；请让至少两方共同持有",
            f"the {crowded[0]} side alone would hold {threshold} shares and could open bids by itself; "
            "spread the shares so that at least two sides must act together",
            status=422,
            rule="E-01",
        )
    old = await session.scalar(select(KeyPlan).where(KeyPlan.section_id == section.id))
    if old is not None:
        await session.execute(delete(KeyHolder).where(KeyHolder.plan_id == old.id))
        await session.delete(old)
        await session.flush()
    plan = KeyPlan(section_id=section.id, threshold=threshold, configured_at=at, configured_by=actor.user_id)
    session.add(plan)
    await session.flush()
    for position, (user_id, party) in enumerate(zip(user_ids, parties, strict=True), start=1):
        session.add(
            KeyHolder(
                plan_id=plan.id,
                section_id=section.id,
                position=position,
                user_id=user_id,
                display_name=users[user_id].display_name,
                party=party,
            )
        )
    await session.flush()
    await record(
        session,
        actor=actor.actor,
        action="keyholders.configured",
        subject_type="section",
        subject_id=section.id,
        data={
            "threshold": threshold,
            "holders": [{"user_id": str(u), "party": p} for u, p in zip(user_ids, parties, strict=True)],
        },
        at=at,
    )
    return plan


async def plan_of(session: AsyncSession, section_id: uuid.UUID) -> tuple[KeyPlan, list[KeyHolder]] | None:
    plan = await session.scalar(select(KeyPlan).where(KeyPlan.section_id == section_id))
    if plan is None:
        return None
    holders = (
        await session.scalars(
            select(KeyHolder).where(KeyHolder.plan_id == plan.id).order_by(KeyHolder.position)
        )
    ).all()
    return plan, list(holders)


async def register_key(
    session: AsyncSession, section: Section, *, public_key: str, holder: Identity, at: dt.datetime
) -> KeyHolder:
    """A holder registers the public half of the X25519 key it made on its own machine."""
    await _check_open_for_setup(session, section, at)
    row = await session.scalar(
        select(KeyHolder).where(KeyHolder.section_id == section.id, KeyHolder.user_id == holder.user_id)
    )
    if row is None:
        raise Forbidden(
            "keyholders.not_a_holder",
            "您不是该标段的开标密钥持有人",
            "you are not an opening key holder of this section",
        )
    try:
        key = x25519_public_from_b64(public_key)
        envelope.wrap(b"check", key, b"trading/keyholder-key-check")
    except Exception as exc:  # any failure to encrypt to it makes the key unusable
        raise DomainError(
            "keyholders.key_invalid",
            "公钥无效：应为Base64编码的32字节X25519公钥（用 trading keyholder keygen 生成）",
            "not a usable key: expected the base64 of a 32-byte X25519 public key (trading keyholder keygen)",
            status=422,
        ) from exc
    fingerprint = PublicKeyInfo(unb64(public_key, expected=32)).fingerprint
    others = (
        await session.scalars(
            select(KeyHolder).where(KeyHolder.section_id == section.id, KeyHolder.id != row.id)
        )
    ).all()
    if any(o.public_key and PublicKeyInfo(unb64(o.public_key)).fingerprint == fingerprint for o in others):
        raise Conflict(
            "keyholders.key_reused",
            "该公钥已被其他持有人登记，请生成自己的密钥",
            "another holder registered this key; generate your own",
        )
    row.public_key = PublicKeyInfo(unb64(public_key)).b64
    row.key_registered_at = at
    await record(
        session,
        actor=holder.actor,
        action="keyholders.key_registered",
        subject_type="section",
        subject_id=section.id,
        data={"position": row.position, "key_fingerprint": fingerprint},
        at=at,
    )
    await session.flush()
    return row


def _holders_label(holder: KeyHolder) -> str:
    return f"{PARTY_ZH.get(holder.party, holder.party)}{holder.position}"


async def sealing_parameters(session: AsyncSession, section: Section) -> SealingParameters:
    """The parameters bidders seal to; refused until every holder has registered its key."""
    found = await plan_of(session, section.id)
    if found is None:
        raise Conflict(
            "keyholders.not_configured",
            "该标段尚未设置开标密钥持有人，暂不能加密投标文件",
            "the section has no opening key holders yet; bids cannot be sealed",
            rule="E-01",
        )
    plan, holders = found
    missing = [h.position for h in holders if not h.public_key]
    if missing or section.bid_deadline is None:
        raise Conflict(
            "keyholders.keys_missing",
            "开标密钥持有人尚未全部登记公钥，暂不能加密投标文件",
            "not every opening key holder has registered a key yet; bids cannot be sealed",
            rule="E-01",
            details={"positions": missing},
        )
    return SealingParameters(
        section_id=str(section.id),
        section_code=section.code,
        section_name=section.name,
        bid_deadline=section.bid_deadline.isoformat(),
        threshold=plan.threshold,
        holders=[
            Holder(index=h.position, name=_holders_label(h), party=h.party, public_key=h.public_key or "")
            for h in holders
        ],
    )


async def signed_parameters(
    session: AsyncSession, settings: Settings, section: Section, *, at: dt.datetime
) -> dict[str, Any]:
    parameters = await sealing_parameters(session, section)
    platform = await platform_authority(session, settings, at=at)
    return platform.sign({**parameters.model_dump(mode="json"), "digest": parameters_digest(parameters)})


def may_read_plan(viewer: Identity, project: Project) -> bool:
    if viewer.has(Role.staff, Role.admin, Role.auditor) or (
        Role.supervisor in viewer.roles and project.sector in viewer.sectors
    ):
        return True
    return viewer.organisation_id is not None and viewer.organisation_id in (
        project.principal_id,
        project.agency_id,
    )


async def section_for(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, Project]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project
