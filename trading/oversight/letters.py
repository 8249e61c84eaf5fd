"""Supervision letters (督办函): a supervisor makes the responsible party (an agency, a principal,
or a department of the center) explain and correct by a date. The answer is accepted or sent
back with a new date; each round is a timed step of the engine, so a letter not answered in time
gets a red card and is marked escalated, and an answer after the date stays red as a record."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import SYSTEM, lock_chain, record
from trading.auth.identity import Identity, Role
from trading.clock import local_date
from trading.errors import DomainError, Forbidden, not_found
from trading.organisations.models import Organisation
from trading.oversight import steps
from trading.oversight.feed import StepDue
from trading.oversight.models import OversightStep, OversightWarning, SupervisionLetter
from trading.oversight.rules import letter_move
from trading.oversight.schemas import AnswerIn, LetterIn, ReviewIn
from trading.oversight.scope import require_supervisor_of, visible_sectors
from trading.projects.models import Project, Section

LETTER_LOCK_KEY = 727100021


async def issue(
    session: AsyncSession, data: LetterIn, *, supervisor: Identity, at: dt.datetime, zone: ZoneInfo
) -> SupervisionLetter:
    today = local_date(at, zone)
    if data.due_on <= today:
        raise DomainError(
            "letter.due_invalid",
            "督办函的办理期限须晚于今日",
            "a letter's due date must be after today",
            status=422,
        )
    sector, section_id, warning_id = await _subject_of(session, data)
    require_supervisor_of(
        supervisor,
        sector,
        "warning" if data.warning_id else "section",
        "事项",
        data.warning_id or data.section_id,
    )
    department, organisation_id = await _addressee(session, data)
    await lock_chain(session, LETTER_LOCK_KEY)
    year = today.year
    count = await session.scalar(select(func.count()).where(SupervisionLetter.number.like(f"DB-{year}-%")))
    letter = SupervisionLetter(
        number=f"DB-{year}-{(count or 0) + 1:04d}",
        sector=sector,
        section_id=section_id,
        warning_id=warning_id,
        addressee_kind=data.addressee_kind,
        organisation_id=organisation_id,
        department=department,
        subject=data.subject,
        body=data.body,
        due_on=data.due_on,
        status="issued",
        issued_at=at,
        issued_by=supervisor.user_id,
        rounds=1,
    )
    session.add(letter)
    await session.flush()
    await record(
        session,
        actor=supervisor.actor,
        action="oversight.letter_issued",
        subject_type="oversight_letter",
        subject_id=letter.id,
        data={"number": letter.number, **data.model_dump(mode="json")},
        at=at,
    )
    await _register_round(session, letter, started_on=today, at=at)
    return letter


async def _subject_of(
    session: AsyncSession, data: LetterIn
) -> tuple[str, uuid.UUID | None, uuid.UUID | None]:
    """A letter is issued on a warning or on a finding about a section."""
    if data.warning_id:
        warning = await session.get(OversightWarning, data.warning_id)
        if warning is None:
            raise not_found("warning", "预警", data.warning_id)
        step = await session.get(OversightStep, warning.step_id)
        return warning.sector, step.section_id if step else None, warning.id
    if data.section_id:
        section = await session.get(Section, data.section_id)
        project = await session.get(Project, section.project_id) if section else None
        if section is None or project is None:
            raise not_found("section", "标段", data.section_id)
        return project.sector, section.id, None
    raise DomainError(
        "letter.subject_required",
        "督办函须针对一条预警或一个标段",
        "a letter concerns a warning or a section",
        status=422,
    )


async def _addressee(session: AsyncSession, data: LetterIn) -> tuple[str, uuid.UUID | None]:
    if data.addressee_kind == "center":
        if not data.department:
            raise DomainError(
                "letter.department_required",
                "督办中心内部门须写明部门名称",
                "a letter to the center names the department",
                status=422,
            )
        return data.department, None
    organisation = await session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if organisation is None or data.addressee_kind not in organisation.capacities:
        raise DomainError(
            "letter.addressee_invalid",
            f"收函单位须为已登记的{data.addressee_kind}",
            f"the addressee must be an organisation registered as {data.addressee_kind}",
            status=422,
        )
    return organisation.name, organisation.id


async def _register_round(
    session: AsyncSession, letter: SupervisionLetter, *, started_on: dt.date, at: dt.datetime
) -> None:
    await steps.sync(
        session,
        StepDue(
            key=f"letter:{letter.id}:{letter.rounds}",
            step="letter_answer",
            rule="letter",
            sector=letter.sector,
            started_on=started_on,
            due_on=letter.due_on,
            department=letter.department,
            subject=letter.number,
            section_id=letter.section_id,
            organisation_id=letter.organisation_id,
        ),
        source="letter",
        at=at,
    )


def may_see(viewer: Identity, letter: SupervisionLetter) -> bool:
    sectors = visible_sectors(viewer)
    if sectors is None or letter.sector in sectors:
        return True
    return letter.organisation_id is not None and viewer.organisation_id == letter.organisation_id


async def get(session: AsyncSession, letter_id: uuid.UUID, viewer: Identity) -> SupervisionLetter:
    letter = await session.get(SupervisionLetter, letter_id)
    if letter is None or not may_see(viewer, letter):
        raise not_found("letter", "督办函", letter_id)
    return letter


async def list_letters(session: AsyncSession, viewer: Identity) -> list[SupervisionLetter]:
    query = select(SupervisionLetter).order_by(SupervisionLetter.issued_at.desc())
    sectors = visible_sectors(viewer)
    if sectors is not None:
        own = SupervisionLetter.organisation_id == viewer.organisation_id if viewer.organisation_id else None
        in_sector = SupervisionLetter.sector.in_(sorted(sectors))
        query = query.where(or_(in_sector, own) if own is not None else in_sector)
    return list((await session.scalars(query)).all())


async def answer(
    session: AsyncSession,
    letter_id: uuid.UUID,
    data: AnswerIn,
    *,
    who: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> SupervisionLetter:
    """The addressee answers: what happened, and what it corrected."""
    letter = await get(session, letter_id, who)
    addressed = (
        who.organisation_id == letter.organisation_id if letter.organisation_id else who.has(Role.staff)
    )
    if not addressed:
        raise Forbidden(
            "letter.not_addressee", "只有收函方可以回复督办函", "only the addressee answers a letter"
        )
    letter.status = letter_move(letter.status, "answer")
    letter.explanation, letter.correction = data.explanation, data.correction
    letter.answered_at, letter.answered_by = at, who.user_id
    await record(
        session,
        actor=who.actor,
        action="oversight.letter_answered",
        subject_type="oversight_letter",
        subject_id=letter.id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    step = await steps.find(session, f"letter:{letter.id}:{letter.rounds}")
    if step is not None:
        await steps.complete(session, step, local_date(at, zone), at=at)
    return letter


async def review(
    session: AsyncSession,
    letter_id: uuid.UUID,
    data: ReviewIn,
    *,
    supervisor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> SupervisionLetter:
    """The sector's supervisor accepts the answer, or sends it back with a new date."""
    letter = await get(session, letter_id, supervisor)
    require_supervisor_of(supervisor, letter.sector, "letter", "督办函", letter_id)
    action = "accept" if data.accept else "send_back"
    letter.status = letter_move(letter.status, action)
    letter.review_note, letter.reviewed_at = data.note, at
    if action == "send_back":
        if data.new_due_on is None or data.new_due_on <= local_date(at, zone):
            raise DomainError(
                "letter.due_invalid",
                "退回重办须给出晚于今日的新期限",
                "sending an answer back needs a new due date after today",
                status=422,
            )
        letter.due_on, letter.rounds, letter.escalated_at = data.new_due_on, letter.rounds + 1, None
        await _register_round(session, letter, started_on=local_date(at, zone), at=at)
    await record(
        session,
        actor=supervisor.actor,
        action=f"oversight.letter_{letter.status}",
        subject_type="oversight_letter",
        subject_id=letter.id,
        data=data.model_dump(mode="json"),
        at=at,
    )
    return letter


async def escalate_overdue(session: AsyncSession, *, now: dt.datetime, today: dt.date) -> int:
    """Letters past their date without an answer are escalated (once per round)."""
    overdue = await session.scalars(
        select(SupervisionLetter).where(
            SupervisionLetter.status.in_(("issued", "sent_back")),
            SupervisionLetter.due_on < today,
            SupervisionLetter.escalated_at.is_(None),
        )
    )
    count = 0
    for letter in list(overdue):
        letter.escalated_at = now
        count += 1
        await record(
            session,
            actor=SYSTEM,
            action="oversight.letter_escalated",
            subject_type="oversight_letter",
            subject_id=letter.id,
            data={"number": letter.number, "due_on": letter.due_on.isoformat()},
            at=now,
        )
    return count
