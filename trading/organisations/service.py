"""Organisations: registration by staff or by a bidder itself, lookup."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import Actor, record
from trading.auth import service as accounts
from trading.auth.models import User
from trading.errors import Conflict, DomainError, not_found
from trading.organisations.models import Organisation
from trading.organisations.schemas import BidderSignUp, OrganisationIn
from trading.organisations.uscc import validate_identity_number, validate_uscc


async def _check_controller(session: AsyncSession, controlled_by_id: uuid.UUID | None) -> None:
    if controlled_by_id is not None and await session.get(Organisation, controlled_by_id) is None:
        raise DomainError(
            "organisation.controller_unknown",
            f"控股或管理单位{controlled_by_id}未在平台登记",
            f"the controlling organisation {controlled_by_id} is not registered",
            rule="C-18",
            status=422,
        )


async def register_organisation(
    session: AsyncSession, data: OrganisationIn, *, actor: Actor, at: dt.datetime
) -> Organisation:
    person = data.kind == "natural_person"
    uscc = validate_identity_number(data.uscc) if person else validate_uscc(data.uscc)
    if await session.scalar(select(Organisation.id).where(Organisation.uscc == uscc)):
        raise Conflict(
            "organisation.exists",
            f"{'居民身份证号码' if person else '统一社会信用代码'}{uscc}已注册",
            f"{'a natural person with the identity number' if person else 'an organisation with the code'} "
            f"{uscc} is already registered",
        )
    await _check_controller(session, data.controlled_by_id)
    organisation = Organisation(
        **data.model_dump(exclude={"uscc", "capacities"}),
        uscc=uscc,
        capacities=sorted(set(data.capacities)),
        registered_at=at,
    )
    session.add(organisation)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="organisation.registered",
        subject_type="organisation",
        subject_id=organisation.id,
        data={
            "kind": organisation.kind,
            "uscc": uscc,
            "name": organisation.name,
            "capacities": organisation.capacities,
            "legal_representative": organisation.legal_representative,
            "controlled_by_id": str(data.controlled_by_id) if data.controlled_by_id else None,
        },
        at=at,
    )
    return organisation


async def get_organisation(session: AsyncSession, organisation_id: uuid.UUID) -> Organisation:
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise not_found("organisation", "单位", organisation_id)
    return organisation


async def list_organisations(
    session: AsyncSession, *, q: str | None, capacity: str | None, limit: int, offset: int
) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if q:
        # autoescape: % and _ typed by a user match themselves, not any text.
        query = query.where(
            or_(
                Organisation.name.contains(q, autoescape=True), Organisation.uscc.contains(q, autoescape=True)
            )
        )
    rows = (await session.scalars(query)).all()
    if capacity:
        # capacities is a JSON list; filtering in Python keeps the query portable.
        rows = [row for row in rows if capacity in row.capacities]
    return list(rows[offset : offset + limit])


async def set_controller(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    controlled_by_id: uuid.UUID | None,
    *,
    actor: Actor,
    at: dt.datetime,
) -> Organisation:
    """Record (or clear) the organisation that controls or manages this one (C-18): the center
    learns of a holding after both were registered."""
    organisation = await get_organisation(session, organisation_id)
    if controlled_by_id == organisation.id:
        raise DomainError(
            "organisation.controls_itself",
            "单位不能控股或管理自身",
            "an organisation cannot control or manage itself",
            rule="C-18",
            status=422,
        )
    await _check_controller(session, controlled_by_id)
    before = organisation.controlled_by_id
    organisation.controlled_by_id = controlled_by_id
    await record(
        session,
        actor=actor,
        action="organisation.controller_set",
        subject_type="organisation",
        subject_id=organisation.id,
        data={
            "from": str(before) if before else None,
            "to": str(controlled_by_id) if controlled_by_id else None,
        },
        at=at,
    )
    await session.flush()
    return organisation


async def apply_as_bidder(session: AsyncSession, data: BidderSignUp, *, at: dt.datetime) -> None:
    """Register the organisation and its first user, inactive until reviewed; when the username or
    the organisation exists already, create nothing and leave a record for the staff to follow up."""
    person = data.organisation.kind == "natural_person"
    uscc = (
        validate_identity_number(data.organisation.uscc) if person else validate_uscc(data.organisation.uscc)
    )
    applicant = Actor(id=None, name=f"sign-up:{data.username}")
    taken = await session.scalar(
        select(func.count()).where(func.lower(User.username) == data.username.lower())
    )
    exists = await session.scalar(select(Organisation.id).where(Organisation.uscc == uscc))
    if taken or exists:
        await record(
            session,
            actor=applicant,
            action="organisation.sign_up_duplicate",
            subject_type="organisation",
            subject_id=exists or uscc,
            data={"uscc": uscc, "username_taken": bool(taken), "organisation_exists": bool(exists)},
            at=at,
        )
        return
    organisation = await register_organisation(
        session, data.organisation.model_copy(update={"capacities": ["bidder"]}), actor=applicant, at=at
    )
    user = await accounts.create_user(
        session,
        username=data.username,
        password=data.password,
        display_name=data.display_name,
        roles=["bidder"],
        sectors=[],
        organisation_id=organisation.id,
        actor=applicant,
        at=at,
    )
    user.active = False
