"""The staff's evaluation console (/portal/staff/sections/{id}/evaluation): request the expert draw
and its top-ups, see the seats drawn, signed in and stepped aside (the names stay sealed to staff
until the award, E-06), record the chair, start the evaluation, follow the session (the bids'
review, each member's score sheet, the ranking, the report's signatures), then draft the
candidates' publicity (C-14, checked as the end is typed) and record the award decision (only
through `experts.awards.service.decide`: C-13, C-20). The same services as the API; a refusal is
shown beside the field that caused it and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from experts.awards import service as awards
from experts.committees import service as committees
from experts.committees.controllers import visible_section
from experts.committees.rules import names_visible
from experts.draws import service as draws
from experts.draws.models import Draw
from experts.draws.schemas import DrawIn, TopUpIn
from experts.evaluations import rules as evaluation_rules
from experts.evaluations import service as evaluations
from experts.evaluations.models import Evaluation
from experts.evaluations.schemas import EvaluationIn
from trading.announcements import service as announcements
from trading.announcements.models import Announcement
from trading.announcements.schemas import AnnouncementEdit, Kind
from trading.auth.identity import Identity, Role
from trading.calendar.service import load_calendar_from
from trading.clock import Clock, local_date
from trading.errors import DomainError
from trading.portal.web import FORM_WIDE, form_errors, page, portal_guard, t
from trading.projects.rules import STATUS_ZH, Status
from trading.rules import checks
from trading.settings import Settings

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
STAFF = portal_guard(Role.staff)
READERS = portal_guard(Role.staff, Role.admin)
DRAW_LINES = 3
DROP_OUT_ZH = {
    "gave_up": ("放弃中标", "gave up"),
    "force_majeure": ("因不可抗力不能履行合同", "force majeure"),
    "no_performance_bond": ("未按要求提交履约保证金", "no performance bond"),
    "unlawful": ("被查实存在影响中标结果的违法行为", "unlawful conduct found"),
}
# Which form field a refusal belongs beside, by its code.
FIELD_OF = {
    "committee.invalid": "line0_experts",
    "expert.specialty_unknown": "line0_specialty",
    "draw.pool_insufficient": "line0_experts",
    "draw.top_up_specialty": "specialty",
    "evaluation.method_invalid": "method",
    "award.not_a_candidate": "winner_id",
    "award.first_ranked_required": "winner_id",
    "announcement.publicity_end_required": "publicity_end",
    "publicity.too_short": "publicity_end",
}
# The fields the console's forms show an error beside; anything else is said for the form.
FIELDS = frozenset(
    {f"line{n}_{part}" for n in range(DRAW_LINES) for part in ("specialty", "experts", "reserves")}
    | {"representatives", "region", "cooldown_days", "specialty", "reserves", "member_id"}
    | {"method", "candidates", "publicity_end", "winner_id"}
)


def _field(loc: str) -> str:
    """A form field from a service's or a schema's name: `lines.1.experts` is `line1_experts`."""
    parts = loc.split(".")
    if parts[0] == "lines":
        return f"line{parts[1]}_{parts[2]}" if len(parts) == 3 else "line0_specialty"
    return loc if loc in FIELDS else FORM_WIDE


def _errors(request: Me, exc: Exception) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, message in form_errors(request, exc).items():
        found.setdefault(_field(name), message)
    if isinstance(exc, DomainError) and exc.code in FIELD_OF:
        message = found.pop(FORM_WIDE, None) or next(iter(found.values()), "")
        rule = f"{exc.rule} " if exc.rule else ""
        return {FIELD_OF[exc.code]: rule + message}
    return found


async def _state(session: AsyncSession, request: Me, section_id: uuid.UUID) -> dict[str, Any]:
    """What staff see of the draw, the committee, the evaluation and the award."""
    section, project = await visible_section(session, section_id, request.user)
    recorded = await session.scalar(select(Draw).where(Draw.section_id == section_id))
    seats: list[Any] = []
    top_ups: list[Any] = []
    committee = ready = None
    if recorded is not None:
        committee = await committees.committee_of(session, section_id)
        seats = await committees.seats(session, committee)
        ready = committees.ready(committee, seats)
        top_ups = await draws.top_ups_of(session, recorded.id)
    show = names_visible(request.user, project, section.status)
    named = await committees.names(session, seats) if show and seats else {}
    evaluation = await session.scalar(select(Evaluation).where(Evaluation.section_id == section_id))
    reviews = sheets = []
    bidders: dict[uuid.UUID, str] = {}
    if evaluation is not None:
        reviews = await evaluations.reviews(session, evaluation)
        sheets = await evaluations.sheets(session, evaluation)
        bidders = await evaluations.bidder_names(session, [r.organisation_id for r in reviews])
    publicity = await session.scalar(
        select(Announcement)
        .where(Announcement.project_id == project.id, Announcement.kind == Kind.candidates)
        .order_by(Announcement.created_at.desc())
    )
    if publicity is not None and publicity.section_ids and str(section_id) not in publicity.section_ids:
        publicity = None
    return {
        "section": section,
        "project": project,
        "status_label": t(request, STATUS_ZH[Status(section.status)], section.status.replace("_", " ")),
        "draw": recorded,
        "committee": committee,
        "ready": ready,
        "seats": seats,
        "names": named,
        "top_ups": top_ups,
        "evaluation": evaluation,
        "reviews": reviews,
        "sheet_of": {s.member_id: s for s in sheets if evaluation and s.round == evaluation.round},
        "bidders": {str(key): name for key, name in bidders.items()},
        "candidates": evaluations.candidates(evaluation) if evaluation else [],
        "award": await awards.award_of(session, section_id),
        "publicity": publicity,
        "methods": evaluation_rules.METHODS,
        "drop_outs": [(code, t(request, zh, en)) for code, (zh, en) in DROP_OUT_ZH.items()],
        "lines": range(DRAW_LINES),
    }


async def _page(
    request: Me,
    session: AsyncSession,
    section_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    form: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        "portal/staff/evaluation.html",
        status_code=status_code,
        errors=errors or {},
        form=form or {},
        may_act=Role.staff in request.user.roles,
        **await _state(session, request, section_id),
    )


@get("/{section_id:uuid}/evaluation", opt=READERS)
async def console(request: Me, session: Session, section_id: FromPath[uuid.UUID]) -> Template:
    return await _page(request, session, section_id)


async def _act(
    request: Me,
    session: AsyncSession,
    section_id: uuid.UUID,
    form: Mapping[str, str],
    action: Any,
    anchor: str,
) -> Any:
    """Run one use case: committed and back to the console, or refused beside its field, nothing kept."""
    try:
        await action()
    except (DomainError, ValidationError) as exc:
        await session.rollback()
        status = exc.status if isinstance(exc, DomainError) else 422
        return await _page(
            request, session, section_id, errors=_errors(request, exc), form=form, status_code=status
        )
    await session.commit()
    return Redirect(path=f"/portal/staff/sections/{section_id}/evaluation#{anchor}", status_code=303)


def _draw_request(form: Mapping[str, str]) -> DrawIn:
    lines = [
        {
            "specialty": form.get(f"line{n}_specialty", "").strip(),
            "experts": form.get(f"line{n}_experts", "").strip() or "0",
            "reserves": form.get(f"line{n}_reserves", "").strip() or "0",
        }
        for n in range(DRAW_LINES)
        if form.get(f"line{n}_specialty", "").strip()
    ]
    return DrawIn.model_validate(
        {
            "lines": lines,
            "representatives": form.get("representatives", "").strip() or "0",
            "region": form.get("region", "").strip() or None,
            "cooldown_days": form.get("cooldown_days", "").strip() or "90",
            "complex_project": form.get("complex_project") == "on",
        }
    )


@post("/{section_id:uuid}/evaluation/draw", opt=STAFF, status_code=303)
async def draw(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    async def run() -> None:
        await visible_section(session, section_id, request.user)
        await draws.draw(
            session, section_id, _draw_request(data), actor=request.user, at=clock.now(), zone=settings.zone
        )

    return await _act(request, session, section_id, data, run, "draw")


@post("/{section_id:uuid}/evaluation/top-ups", opt=STAFF, status_code=303)
async def top_up(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    async def run() -> None:
        await visible_section(session, section_id, request.user)
        wanted = TopUpIn.model_validate(
            {"specialty": data.get("specialty", ""), "reserves": data.get("reserves", "") or "1"}
        )
        await draws.top_up(
            session, section_id, wanted, actor=request.user, at=clock.now(), zone=settings.zone
        )

    return await _act(request, session, section_id, data, run, "seats")


@post("/{section_id:uuid}/evaluation/chair", opt=STAFF, status_code=303)
async def chair(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    async def run() -> None:
        await visible_section(session, section_id, request.user)
        try:
            member_id = uuid.UUID(data.get("member_id", ""))
        except ValueError:
            raise DomainError(
                "member.required",
                "请选择负责人",
                "choose the chair",
                status=422,
                details={"field": "member_id"},
            ) from None
        committee = await committees.committee_of(session, section_id)
        await committees.choose_chair(session, committee, member_id, actor=request.user.actor, at=clock.now())

    return await _act(request, session, section_id, data, run, "seats")


@post("/{section_id:uuid}/evaluation/start", opt=STAFF, status_code=303)
async def start(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    async def run() -> None:
        await visible_section(session, section_id, request.user)
        wanted = EvaluationIn.model_validate(
            {
                "method": data.get("method", ""),
                "candidates": data.get("candidates", "") or "3",
                "state_controlled": data.get("state_controlled") == "on",
            }
        )
        await evaluations.start(session, section_id, wanted, actor=request.user.actor, at=clock.now())

    return await _act(request, session, section_id, data, run, "session")


def _publicity_end(form: Mapping[str, str], settings: Settings) -> dt.datetime | None:
    value = form.get("publicity_end", "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=settings.zone)
    except ValueError:
        raise DomainError(
            "publicity.end_invalid",
            "公示截止时间格式有误",
            "the end of the publicity is not a date and time",
            status=422,
            details={"field": "publicity_end"},
        ) from None


async def _check_publicity(
    session: AsyncSession, end: dt.datetime | None, at: dt.datetime, settings: Settings
) -> None:
    """C-14 as publishing will check it, were the publicity published now."""
    # The end is required as the draft will require it; the title and body are checked on saving.
    announcements.check_kind_fields(
        Kind.candidates,
        AnnouncementEdit.model_construct(publicity_end=end, winner_id=None, new_bid_deadline=None),
    )
    assert end is not None
    checks.check_candidates_publicity(
        published_at=at,
        publicity_end=end,
        zone=settings.zone,
        calendar=await load_calendar_from(session, local_date(at, settings.zone).year),
    )


@post("/{section_id:uuid}/evaluation/publicity/check", opt=STAFF, status_code=200)
async def check_publicity(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Template:
    """The htmx check as the end of the publicity is typed: C-14, were it published now; nothing saved."""
    await visible_section(session, section_id, request.user)
    errors: dict[str, str] = {}
    try:
        await _check_publicity(session, _publicity_end(data, settings), clock.now(), settings)
    except DomainError as exc:
        errors = _errors(request, exc)
    await session.rollback()
    return page("portal/staff/_publicity_check.html", errors=errors)


@post("/{section_id:uuid}/evaluation/publicity", opt=STAFF, status_code=303)
async def draft_publicity(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Draft the candidates' publicity from the signed report (as the API's notice draft does) and
    submit it for review: another member of staff approves and publishes it from the console (four
    eyes), when C-14 is checked again."""

    async def run() -> None:
        await visible_section(session, section_id, request.user)
        end = _publicity_end(data, settings)
        now = clock.now()
        await _check_publicity(session, end, now, settings)
        draft = await awards.draft_notice(
            session,
            section_id,
            "candidates",
            author=request.user,
            at=now,
            zone=settings.zone,
            publicity_end=end,
        )
        await announcements.review(session, draft, "submit", actor=request.user, at=now, zone=settings.zone)

    return await _act(request, session, section_id, data, run, "publicity")


def _passed_over(form: Mapping[str, str], candidates: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"organisation_id": c["organisation_id"], "reason": form[f"reason_{c['organisation_id']}"]}
        for c in candidates
        if form.get(f"reason_{c['organisation_id']}")
    ]


def _winner(form: Mapping[str, str]) -> uuid.UUID:
    try:
        return uuid.UUID(form.get("winner_id", ""))
    except ValueError:
        raise DomainError(
            "award.winner_required",
            "请选择中标人",
            "choose the winner",
            status=422,
            details={"field": "winner_id"},
        ) from None


@post("/{section_id:uuid}/evaluation/award/check", opt=STAFF, status_code=200)
async def check_award(
    request: Me, session: Session, section_id: FromPath[uuid.UUID], data: URLEncodedBody[dict[str, str]]
) -> Template:
    """The htmx check as the winner is chosen: C-13 (one of the candidates) and C-20 (the
    first-ranked where state funds hold control, unless those above dropped out); nothing saved."""
    await visible_section(session, section_id, request.user)
    errors: dict[str, str] = {}
    try:
        evaluation = await evaluations.get_evaluation(session, section_id)
        awards.check_winner(evaluation, _winner(data), _passed_over(data, evaluations.candidates(evaluation)))
    except DomainError as exc:
        errors = _errors(request, exc)
    return page("portal/staff/_award_check.html", errors=errors)


@post("/{section_id:uuid}/evaluation/award", opt=STAFF, status_code=303)
async def decide(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    async def run() -> None:
        await visible_section(session, section_id, request.user)
        evaluation = await evaluations.get_evaluation(session, section_id)
        await awards.decide(
            session,
            section_id,
            _winner(data),
            _passed_over(data, evaluations.candidates(evaluation)),
            viewer=request.user,
            at=clock.now(),
            zone=settings.zone,
        )

    return await _act(request, session, section_id, data, run, "award")


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/staff/sections",
            route_handlers=[
                console,
                draw,
                top_up,
                chair,
                start,
                check_publicity,
                draft_publicity,
                check_award,
                decide,
            ],
            include_in_schema=False,
        )
    ]
