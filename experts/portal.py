"""The expert's pages (/portal/expert): the sections the expert was drawn for, and signing in to a
committee with the declaration (no conflict, or a conflict with its reason, after which the reserve
steps in, E-07); then the evaluation (/portal/expert/sections/{id}/evaluation): the chair rejects
bids with the ground of TLR art. 51 and opens the scoring, each member scores every valid bid
criterion by criterion and submits the sheet (locked once submitted: the API keeps no drafts), the
chair ranks, and every member signs the report (TLR art. 53), with a dissent if any.

Signing the report is what `POST …/evaluation/report/signatures` records: the signed-in member's
act, with no key of the member's own, so the browser signs exactly as the API does."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from experts.committees import service
from experts.evaluations import rules as evaluation_rules
from experts.evaluations import service as evaluations
from experts.evaluations.models import Evaluation
from experts.evaluations.schemas import RejectionIn, SignIn
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import DomainError
from trading.portal.web import FORM_WIDE, form_errors, page, portal_guard, t
from trading.projects import service as projects

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


# --- the evaluation ----------------------------------------------------------------------------


async def _seat(session: AsyncSession, section_id: uuid.UUID, user: Identity) -> tuple[Evaluation, Any]:
    """The evaluation and the caller's seat; anyone not sitting on the committee learns nothing (404)."""
    evaluation = await evaluations.get_evaluation(session, section_id)
    return evaluation, await evaluations.sitting_member(session, evaluation, user)


async def _evaluation_page(
    request: Me,
    session: AsyncSession,
    section_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    evaluation, seat = await _seat(session, section_id, request.user)
    section = await projects.get_section(session, section_id)
    reviews = await evaluations.reviews(session, evaluation)
    names = {
        str(k): v
        for k, v in (await evaluations.bidder_names(session, [r.organisation_id for r in reviews])).items()
    }
    mine = next((s for s in await evaluations.sheets(session, evaluation) if s.member_id == seat.id), None)
    return page(
        "portal/expert/evaluation.html",
        status_code=status_code,
        section=section,
        evaluation=evaluation,
        seat=seat,
        reviews=reviews,
        valid=[r for r in reviews if r.valid],
        names=names,
        grounds=evaluation_rules.GROUNDS,
        my_sheet=mine.scores if mine else None,
        sheets_submitted=await evaluations.sheet_count(session, evaluation),
        sitting=len(
            service.sitting(await service.seats(session, await service.committee_of(session, section_id)))
        ),
        signed=str(seat.id) in evaluation.signatures,
        errors=errors or {},
        form=form or {},
    )


@get("/sections/{section_id:uuid}/evaluation", opt=EXPERTS)
async def evaluation_page(
    request: Me, session: NamedDependency[AsyncSession], section_id: FromPath[uuid.UUID]
) -> Template:
    return await _evaluation_page(request, session, section_id)


async def _refused(
    request: Me,
    session: AsyncSession,
    section_id: uuid.UUID,
    exc: DomainError | ValidationError,
    *,
    fields: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Template:
    """The page again with the refusal beside its field; the rollback undoes anything half done."""
    await session.rollback()
    return await _evaluation_page(
        request,
        session,
        section_id,
        errors=form_errors(request, exc, fields),
        form=form,
        status_code=exc.status if isinstance(exc, DomainError) else 422,
    )


def _back(section_id: uuid.UUID, anchor: str) -> Redirect:
    return Redirect(path=f"/portal/expert/sections/{section_id}/evaluation#{anchor}", status_code=303)


@post("/sections/{section_id:uuid}/evaluation/rejections", opt=EXPERTS, status_code=303)
async def reject_bid(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """The chair records the committee's rejection of a bid with its ground (TLR art. 51)."""
    form = {k: data.get(k, "").strip() for k in ("organisation_id", "ground", "text")}
    try:
        rejection = RejectionIn.model_validate(form)
        evaluation, _ = await _seat(session, section_id, request.user)
        await evaluations.sitting_member(session, evaluation, request.user, chair=True)
        await evaluations.reject_bid(
            session,
            evaluation,
            rejection.organisation_id,
            rejection.ground,
            rejection.text,
            actor=request.user.actor,
            at=clock.now(),
        )
    except (ValidationError, DomainError) as exc:
        # The unknown ground is the ground field's fault; a missing bid, the bidder field's.
        fields = (
            {"": "ground"}
            if isinstance(exc, DomainError) and exc.code == "evaluation.ground_unknown"
            else None
        )
        return await _refused(request, session, section_id, exc, fields=fields, form=form)
    await session.commit()
    return _back(section_id, "review")


@post("/sections/{section_id:uuid}/evaluation/scoring", opt=EXPERTS, status_code=303)
async def begin_scoring(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
) -> Any:
    return await _as_chair(request, session, section_id, "sheet", evaluations.begin_scoring, clock.now())


def _sheet_errors(request: Me, exc: DomainError) -> dict[str, str]:
    """evaluation.sheet_invalid lists each score out of range: the message goes beside each one."""
    errors: dict[str, str] = {}
    for problem in (exc.details or {}).get("problems", []):
        if problem.get("problem") == "out_of_range":
            errors[f"s-{problem['bidder']}-{problem['criterion']}"] = t(
                request,
                "须在0至该因素满分之间，最多一位小数",
                "between 0 and the maximum, one decimal at most",
            )
    errors[FORM_WIDE] = t(request, exc.zh, exc.en)
    return errors


@post("/sections/{section_id:uuid}/evaluation/sheet", opt=EXPERTS, status_code=303)
async def submit_sheet(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """The member's sheet, one field `s-{bidder}-{criterion}` per score; the service checks the
    bounds (every valid bid, every criterion, 0 to its maximum, one decimal), as for the API."""
    form = {k: v.strip() for k, v in data.items() if k.startswith("s-")}
    try:
        evaluation, seat = await _seat(session, section_id, request.user)
        valid = [str(r.organisation_id) for r in await evaluations.reviews(session, evaluation) if r.valid]
        scores: dict[str, dict[str, float]] = {}
        blank: dict[str, str] = {}
        for bidder in valid:
            for criterion in evaluation.criteria:
                name = f"s-{bidder}-{criterion['code']}"
                try:
                    points = float(form.get(name, ""))
                except ValueError:
                    points = math.nan
                if math.isfinite(points):
                    scores.setdefault(bidder, {})[criterion["code"]] = points
                else:
                    blank[name] = t(request, "请填写分数（数字）", "Enter a score (a number)")
        if blank:
            return await _evaluation_page(
                request,
                session,
                section_id,
                errors={**blank, FORM_WIDE: t(request, "评分表未填写完整", "The sheet is not complete")},
                form=form,
                status_code=422,
            )
        await evaluations.submit_sheet(
            session, evaluation, seat, scores, actor=request.user.actor, at=clock.now()
        )
    except DomainError as exc:
        await session.rollback()
        errors = _sheet_errors(request, exc) if exc.code == "evaluation.sheet_invalid" else None
        if errors is None:
            return await _refused(request, session, section_id, exc, form=form)
        return await _evaluation_page(
            request, session, section_id, errors=errors, form=form, status_code=exc.status
        )
    await session.commit()
    return _back(section_id, "sheet")


@post("/sections/{section_id:uuid}/evaluation/ranking", opt=EXPERTS, status_code=303)
async def rank(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
) -> Any:
    return await _as_chair(request, session, section_id, "ranking", evaluations.rank, clock.now())


async def _as_chair(
    request: Me,
    session: AsyncSession,
    section_id: uuid.UUID,
    anchor: str,
    act: Callable[..., Awaitable[Any]],
    at: dt.datetime,
) -> Any:
    """One of the chair's steps on the committee's evaluation, then back to the page at `anchor`."""
    try:
        evaluation, _ = await _seat(session, section_id, request.user)
        await evaluations.sitting_member(session, evaluation, request.user, chair=True)
        await act(session, evaluation, actor=request.user.actor, at=at)
    except DomainError as exc:
        return await _refused(request, session, section_id, exc)
    await session.commit()
    return _back(section_id, anchor)


@post("/sections/{section_id:uuid}/evaluation/signature", opt=EXPERTS, status_code=303)
async def sign_report(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """The member signs the report, with a dissent if any; the last signature completes it."""
    form = {"dissent": data.get("dissent", "").strip()}
    try:
        signature = SignIn.model_validate({"dissent": form["dissent"] or None})
        evaluation, seat = await _seat(session, section_id, request.user)
        await evaluations.sign(
            session, evaluation, seat, signature.dissent, actor=request.user.actor, at=clock.now()
        )
    except (ValidationError, DomainError) as exc:
        return await _refused(request, session, section_id, exc, form=form)
    await session.commit()
    return _back(section_id, "report")


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/expert",
            route_handlers=[
                seats,
                sign_in,
                evaluation_page,
                reject_bid,
                begin_scoring,
                submit_sheet,
                rank,
                sign_report,
            ],
            include_in_schema=False,
        )
    ]
