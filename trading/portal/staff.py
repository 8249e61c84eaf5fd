"""The center staff's console (/portal/staff): announcements to review and publish (four eyes: the
service refuses the approver as publisher where the rule says so), and the sections in hand, each
linking to its opening console (bidding/portal_staff.py). The same services as the API; a refusal
is shown on the page and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import service as announcements
from trading.announcements.models import Announcement
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.portal.web import form_errors, page, portal_guard
from trading.projects.models import Section
from trading.settings import Settings

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
STAFF = portal_guard(Role.staff)
READERS = portal_guard(Role.staff, Role.admin)
Action = Literal["approve", "reject", "publish"]
SECTIONS_SHOWN = 50


async def _console(
    request: Me,
    session: AsyncSession,
    *,
    errors: dict[str, str] | None = None,
    failed: uuid.UUID | None = None,
    status_code: int = 200,
) -> Template:
    waiting = [
        a
        for status in ("submitted", "approved")
        for a in await announcements.list_for_editor(
            session, request.user, status=status, limit=100, offset=0
        )
    ]
    sections = (
        await session.scalars(
            select(Section)
            .where(Section.bid_deadline.is_not(None))
            .order_by(Section.bid_deadline.desc(), Section.code)
            .limit(SECTIONS_SHOWN)
        )
    ).all()
    return page(
        "portal/staff/console.html",
        status_code=status_code,
        waiting=waiting,
        sections=sections,
        errors=errors or {},
        failed=failed,
        may_act=Role.staff in request.user.roles,
    )


@get("/", opt=READERS)
async def console(request: Me, session: Session) -> Template:
    return await _console(request, session)


@post("/announcements/{announcement_id:uuid}/{action:str}", opt=STAFF, status_code=303)
async def review(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    announcement_id: FromPath[uuid.UUID],
    action: FromPath[Action],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    note = data.get("note", "").strip() or None
    try:
        announcement: Announcement = await announcements.get_for_editor(
            session, announcement_id, request.user
        )
        await announcements.review(
            session, announcement, action, actor=request.user, at=clock.now(), zone=settings.zone, note=note
        )
    except DomainError as exc:
        await session.rollback()
        return await _console(
            request,
            session,
            errors=form_errors(request, exc, {"": "note"}),
            failed=announcement_id,
            status_code=exc.status,
        )
    await session.commit()
    return Redirect(path="/portal/staff#review", status_code=303)


def router() -> Router:
    return Router(path="/portal/staff", route_handlers=[console, review], include_in_schema=False)
