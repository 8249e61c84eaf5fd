"""The staff's section consoles: registrations to accept or reject (/portal/staff/sections/{id}/
registrations), and the opening (/portal/staff/sections/{id}/opening): name the key holders by name
(from the user directory, only the people who may hold a share of this project), start the opening
after the deadline, unseal the bids once the shares are in. The same services as the API; a refusal
is shown on the page and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Request, Router, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.keyholders import service as keyholders
from bidding.keyholders.service import MAX_HOLDERS, party_of
from bidding.opening import live
from bidding.opening import service as opening
from bidding.opening.controllers import _opening_out
from bidding.registrations import service as registrations
from trading.auth import service as users
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.money import format_yuan
from trading.portal.web import form_errors, page, portal_guard
from trading.settings import Settings

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
STAFF = portal_guard(Role.staff)
PARTY = {
    "staff": ("交易中心", "Center staff"),
    "supervisor": ("监督部门", "Supervisor"),
    "principal": ("招标人", "Principal"),
}


async def candidates(session: AsyncSession, project: Any) -> list[tuple[Any, str | None, str]]:
    """(user, organisation name, side) of everyone who may hold a share of this project's bids:
    staff, the sector's supervisors, the principal's and its agency's people."""
    found: dict[uuid.UUID, tuple[Any, str | None, str]] = {}
    for role in (Role.staff, Role.supervisor, Role.principal, Role.agency):
        for user, organisation in await users.directory(session, role=role, query=None, limit=200, offset=0):
            party = party_of(user, project)
            if party is not None:
                found[user.id] = (user, organisation, party)
    return sorted(found.values(), key=lambda item: (item[2], item[0].display_name))


async def _page(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    section_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    section, project = await keyholders.section_for(session, section_id)
    plan = await keyholders.plan_of(session, section.id)
    current = await opening.get_opening(session, section.id)
    state = await _opening_out(session, current, clock.now()) if current else None
    return page(
        "portal/staff/opening.html",
        status_code=status_code,
        section=section,
        plan=plan,
        candidates=await candidates(session, project),
        chosen={h.user_id for h in plan[1]} if plan else set(),
        parties=PARTY,
        max_holders=MAX_HOLDERS,
        opening=state,
        deadline_passed=section.bid_deadline is not None and clock.now() >= section.bid_deadline,
        errors=errors or {},
        yuan=format_yuan,
    )


@get("/{section_id:uuid}/opening", opt=STAFF)
async def opening_page(
    request: Me, session: Session, clock: NamedDependency[Clock], section_id: FromPath[uuid.UUID]
) -> Template:
    return await _page(request, session, clock, section_id)


@post("/{section_id:uuid}/keyholders", opt=STAFF, status_code=303)
async def choose_holders(
    request: Me, session: Session, clock: NamedDependency[Clock], section_id: FromPath[uuid.UUID]
) -> Any:
    form = await request.form()
    try:
        holders = [uuid.UUID(value) for value in form.getall("holder")] if "holder" in form else []
        threshold = int(form.get("threshold") or 0)
    except ValueError:
        holders, threshold = [], 0
    section, _ = await keyholders.section_for(session, section_id)
    try:
        await keyholders.configure(
            session, section, threshold=threshold, user_ids=holders, actor=request.user, at=clock.now()
        )
    except DomainError as exc:
        await session.rollback()
        return await _page(
            request,
            session,
            clock,
            section_id,
            errors=form_errors(request, exc, {"": "holders"}),
            status_code=exc.status,
        )
    await session.commit()
    return Redirect(path=f"/portal/staff/sections/{section_id}/opening#holders", status_code=303)


async def _act(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    channels: ChannelsPlugin,
    section_id: uuid.UUID,
    work: Any,
) -> Any:
    try:
        await work()
    except DomainError as exc:
        await session.rollback()
        return await _page(
            request,
            session,
            clock,
            section_id,
            errors=form_errors(request, exc, {"": "opening"}),
            status_code=exc.status,
        )
    await session.commit()
    await live.publish_committed(session, channels)
    return Redirect(path=f"/portal/staff/sections/{section_id}/opening#opening", status_code=303)


@post("/{section_id:uuid}/opening/start", opt=STAFF, status_code=303)
async def start_opening(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    channels: NamedDependency[ChannelsPlugin],
    section_id: FromPath[uuid.UUID],
) -> Any:
    async def work() -> None:
        await opening.start(session, settings, section_id=section_id, actor=request.user, at=clock.now())

    return await _act(request, session, clock, channels, section_id, work)


@post("/{section_id:uuid}/opening/unseal", opt=STAFF, status_code=303)
async def unseal(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    channels: NamedDependency[ChannelsPlugin],
    section_id: FromPath[uuid.UUID],
) -> Any:
    async def work() -> None:
        await opening.unseal_bids(
            session, settings, section_id=section_id, actor=request.user, at=clock.now()
        )

    return await _act(request, session, clock, channels, section_id, work)


async def _registrations_page(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    section_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    failed: uuid.UUID | None = None,
    status_code: int = 200,
) -> Template:
    section, _ = await keyholders.section_for(session, section_id)
    rows = await registrations.section_registrations_for(session, section_id, request.user, at=clock.now())
    return page(
        "portal/staff/registrations.html",
        status_code=status_code,
        section=section,
        registrations=await registrations.outs(session, rows),
        errors=errors or {},
        failed=failed,
    )


@get("/{section_id:uuid}/registrations", opt=STAFF)
async def registrations_page(
    request: Me, session: Session, clock: NamedDependency[Clock], section_id: FromPath[uuid.UUID]
) -> Template:
    return await _registrations_page(request, session, clock, section_id)


@post("/{section_id:uuid}/registrations/{registration_id:uuid}/{action:str}", opt=STAFF, status_code=303)
async def review_registration(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    registration_id: FromPath[uuid.UUID],
    action: FromPath[Literal["accept", "reject"]],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """资格审查: accept the registration (documents checked), or reject it with the reason the bidder sees."""
    try:
        await registrations.review(
            session,
            registration_id,
            action,
            reason=data.get("reason") if action == "reject" else None,
            reviewer=request.user,
            at=clock.now(),
            zone=settings.zone,
        )
    except DomainError as exc:
        await session.rollback()
        return await _registrations_page(
            request,
            session,
            clock,
            section_id,
            errors=form_errors(request, exc, {"": "reason"}),
            failed=registration_id,
            status_code=exc.status,
        )
    await session.commit()
    return Redirect(
        path=f"/portal/staff/sections/{section_id}/registrations#r-{registration_id}", status_code=303
    )


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/staff/sections",
            route_handlers=[
                opening_page,
                choose_holders,
                start_opening,
                unseal,
                registrations_page,
                review_registration,
            ],
            include_in_schema=False,
        )
    ]
