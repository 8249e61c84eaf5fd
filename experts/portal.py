"""The expert's page (/portal/expert): the sections the expert was drawn for, and signing in to a
committee with the declaration (no conflict, or a conflict with its reason, after which the reserve
steps in, E-07). Scoring and the report's signature are still done through the API (docs/portal-staff.md)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from experts.committees import service
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.portal.web import form_errors, page, portal_guard

Me = Request[Identity, Any, Any]
EXPERTS = portal_guard(Role.expert)


async def _seats_page(
    request: Me,
    session: AsyncSession,
    *,
    errors: dict[str, str] | None = None,
    failed: uuid.UUID | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "portal/expert/seats.html",
        status_code=status_code,
        seats=await service.my_seats(session, request.user),
        errors=errors or {},
        failed=failed,
        form=form or {},
    )


@get("/", opt=EXPERTS)
async def seats(request: Me, session: NamedDependency[AsyncSession]) -> Template:
    return await _seats_page(request, session)


@post("/sections/{section_id:uuid}/sign-in", opt=EXPERTS, status_code=303)
async def sign_in(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    conflict = data.get("declaration") == "conflict"
    reason = data.get("reason", "").strip()[:500] or None
    try:
        await service.sign_in(
            session, section_id, request.user, conflict=conflict, reason=reason, at=clock.now()
        )
    except DomainError as exc:
        await session.rollback()
        return await _seats_page(
            request,
            session,
            # A declared conflict is refused for want of its reason: say so beside the reason.
            errors=form_errors(request, exc, {"": "reason"} if conflict else None),
            failed=section_id,
            form={"declaration": data.get("declaration", ""), "reason": reason or ""},
            status_code=exc.status,
        )
    await session.commit()
    return Redirect(path=f"/portal/expert#s-{section_id}", status_code=303)


def pages() -> list[Any]:
    return [Router(path="/portal/expert", route_handlers=[seats, sign_in], include_in_schema=False)]
