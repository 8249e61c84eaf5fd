"""The e-oversight engine (电子监察): one evaluation over every timed step the platform knows.

`evaluate` (1) reads the audit chain from its cursor and registers, completes or voids the steps
of STEP_RULES; (2) asks each package's feed for its steps (funds: refunds); (3) raises a yellow
card for a step due today and a red one for a step past its day or done late; (4) escalates
overdue supervision letters. Events (`oversight.step_due`, `.step_done`, `.breach`) reach the
engine through the outbox. Everything is driven by the injected clock; several instances may
evaluate side by side (the cursor's row lock and the cards' unique index make it exactly once).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.models import AuditEvent
from trading.audit.service import record
from trading.auth.identity import Identity
from trading.calendar.service import WorkingCalendar, load_calendar
from trading.clock import local_date
from trading.errors import Conflict, DomainError, not_found
from trading.organisations.models import Organisation
from trading.oversight import letters, steps
from trading.oversight.feed import Breach, Feed, StepDone, StepDue
from trading.oversight.models import OversightCursor, OversightStep, OversightWarning
from trading.oversight.rules import STEP_ZH, VOIDING, WATCHED, due_date, rules_done_by, rules_starting
from trading.oversight.scope import require_supervisor_of, visible_sectors
from trading.projects.models import Project, Section

CURSOR = "audit"


@dataclass(frozen=True)
class Evaluation:
    audit_head: int
    yellow: int
    red: int
    escalated: int


async def evaluate(
    session: AsyncSession, *, now: dt.datetime, zone: ZoneInfo, feeds: Sequence[Feed] = ()
) -> Evaluation:
    """One pass of the engine in the caller's transaction (the caller commits)."""
    today = local_date(now, zone)
    cursor = await _locked_cursor(session)
    await _ingest_audit(session, cursor, now=now, zone=zone)
    for feed in feeds:
        for due in await feed(session, today):
            await steps.sync(session, due, source="feed", at=now)
    yellow, red = await _raise_cards(session, now=now, today=today)
    escalated = await letters.escalate_overdue(session, now=now, today=today)
    return Evaluation(cursor.seq, yellow, red, escalated)


async def _locked_cursor(session: AsyncSession) -> OversightCursor:
    query = select(OversightCursor).where(OversightCursor.name == CURSOR)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    cursor = await session.scalar(query)
    if cursor is None:
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(OversightCursor).values(name=CURSOR, seq=0).on_conflict_do_nothing())
        cursor = await session.scalar(query)
    assert cursor is not None
    return cursor


async def _ingest_audit(
    session: AsyncSession, cursor: OversightCursor, *, now: dt.datetime, zone: ZoneInfo
) -> None:
    head = await session.scalar(select(func.max(AuditEvent.seq))) or 0
    events = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.seq > cursor.seq, AuditEvent.seq <= head)
        .where(AuditEvent.action.in_(sorted(WATCHED)), AuditEvent.subject_type == "section")
        .order_by(AuditEvent.seq)
    )
    calendars: dict[int, WorkingCalendar] = {}
    for event in list(events):
        await _apply(session, event, now=now, zone=zone, calendars=calendars)
    cursor.seq = head


async def _apply(
    session: AsyncSession,
    event: AuditEvent,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    calendars: dict[int, WorkingCalendar],
) -> None:
    section = await session.get(Section, uuid.UUID(event.subject_id))
    if section is None:
        return
    project = await session.get(Project, section.project_id)
    assert project is not None
    on = local_date(event.occurred_at, zone)
    if event.action in VOIDING:
        await steps.void_section(session, section.id, event.action, at=now)
    for rule in rules_done_by(event.action, project.sector):
        step = await steps.find(session, _key(section.id, rule.step))
        if step is not None:
            await steps.complete(session, step, on, at=now)
    for rule in rules_starting(event.action, project.sector):
        if on.year not in calendars:
            calendars[on.year] = await load_calendar(session, {on.year, on.year + 1})
        due_on, basis = due_date(calendars[on.year], on, rule.term)
        department, organisation_id = await tenderee(session, project)
        due = StepDue(
            key=_key(section.id, rule.step),
            step=rule.step,
            rule=rule.rule,
            sector=project.sector,
            started_on=on,
            due_on=due_on,
            department=department,
            subject=section.code,
            section_id=section.id,
            organisation_id=organisation_id,
        )
        await steps.sync(session, due, source="audit", at=now, basis=basis)


def _key(section_id: uuid.UUID, step: str) -> str:
    return f"section:{section_id}:{step}"


async def tenderee(session: AsyncSession, project: Project) -> tuple[str, uuid.UUID]:
    """The party that acts for the principal: its agency when it has one."""
    organisation_id = project.agency_id or project.principal_id
    organisation = await session.get(Organisation, organisation_id)
    return (organisation.name if organisation else str(organisation_id)), organisation_id


async def _raise_cards(session: AsyncSession, *, now: dt.datetime, today: dt.date) -> tuple[int, int]:
    yellow = red = 0
    due = await session.scalars(
        select(OversightStep).where(OversightStep.status == "open", OversightStep.due_on <= today)
    )
    for step in list(due):
        name = STEP_ZH.get(step.step, step.step)
        if step.due_on == today:
            zh = f"{step.subject}：{name}（{step.rule}）今日（{step.due_on}）到期，尚未完成"
            en = f"{step.subject}: {step.step} ({step.rule}) is due today ({step.due_on}) and not done"
            yellow += (
                await steps.raise_card(session, step, "yellow", "due_today", at=now, on=today, zh=zh, en=en)
                is not None
            )
        else:
            days = (today - step.due_on).days
            zh = f"{step.subject}：{name}（{step.rule}）已逾期{days}天（期限{step.due_on}），尚未完成"
            en = f"{step.subject}: {step.step} ({step.rule}) is {days} days overdue (deadline {step.due_on})"
            red += (
                await steps.raise_card(session, step, "red", "overdue", at=now, on=today, zh=zh, en=en)
                is not None
            )
    return yellow, red


# --- events from other packages -----------------------------------------------------------------


async def on_step_due(session: AsyncSession, payload: dict[str, Any], now: dt.datetime) -> None:
    await steps.sync(session, StepDue.from_payload(payload), source="event", at=now)


async def on_step_done(session: AsyncSession, payload: dict[str, Any], now: dt.datetime) -> None:
    done = StepDone.from_payload(payload)
    step = await steps.find(session, done.key)
    if step is not None:
        await steps.complete(session, step, done.done_on, at=now)


async def on_breach(session: AsyncSession, payload: dict[str, Any], now: dt.datetime) -> None:
    """An immediate red card: the breach is done (nothing more is owed); its card stays open
    until a supervisor acknowledges it."""
    breach = Breach.from_payload(payload)
    due = StepDue(
        key=breach.key,
        step=breach.step,
        rule=breach.rule,
        sector=breach.sector,
        started_on=breach.on,
        due_on=breach.on,
        department=breach.department,
        subject=breach.subject,
        section_id=breach.section_id,
    )
    step = await steps.sync(session, due, source="breach", at=now)
    step.status, step.done_on = "done", breach.on
    await steps.raise_card(session, step, "red", "breach", at=now, on=breach.on, zh=breach.zh, en=breach.en)


# --- reading and acknowledging ------------------------------------------------------------------


@dataclass(frozen=True)
class WarningView:
    warning: OversightWarning
    step: OversightStep


async def list_warnings(session: AsyncSession, viewer: Identity, *, open_only: bool) -> list[WarningView]:
    query = select(OversightWarning, OversightStep).join(
        OversightStep, OversightStep.id == OversightWarning.step_id
    )
    sectors = visible_sectors(viewer)
    if sectors is not None:
        query = query.where(OversightWarning.sector.in_(sorted(sectors)))
    if open_only:
        query = query.where(OversightWarning.closed_at.is_(None))
    rows = await session.execute(query.order_by(OversightWarning.raised_at.desc(), OversightWarning.id))
    return [WarningView(w, s) for w, s in rows.all()]


async def get_warning(session: AsyncSession, warning_id: uuid.UUID) -> WarningView:
    row = (
        await session.execute(
            select(OversightWarning, OversightStep)
            .join(OversightStep, OversightStep.id == OversightWarning.step_id)
            .where(OversightWarning.id == warning_id)
        )
    ).first()
    if row is None:
        raise not_found("warning", "预警", warning_id)
    return WarningView(*row)


async def acknowledge(
    session: AsyncSession, warning_id: uuid.UUID, note: str, *, supervisor: Identity, at: dt.datetime
) -> WarningView:
    """The sector's supervisor acknowledges a card with a note; a card whose step is no longer
    open (a breach, a step done late) closes with it."""
    view = await get_warning(session, warning_id)
    require_supervisor_of(supervisor, view.warning.sector, "warning", "预警", warning_id)
    if not note.strip():
        raise DomainError(
            "warning.note_required", "确认预警须填写处理意见", "an acknowledgement needs a note", status=422
        )
    if view.warning.acknowledged_at is not None:
        raise Conflict("warning.acknowledged", "该预警已确认", "the warning is acknowledged already")
    view.warning.acknowledged_at, view.warning.acknowledged_by = at, supervisor.user_id
    view.warning.acknowledgement = note.strip()
    if view.step.status != "open" and view.warning.closed_at is None:
        view.warning.closed_at = at
    await record(
        session,
        actor=supervisor.actor,
        action="oversight.warning_acknowledged",
        subject_type="oversight_warning",
        subject_id=warning_id,
        data={"note": note.strip()},
        at=at,
    )
    return view


async def mark_done(
    session: AsyncSession, step_id: uuid.UUID, note: str, *, actor: Identity, at: dt.datetime, zone: ZoneInfo
) -> OversightStep:
    """A step no platform event completes (the tenderee's written report to oversight, C-19) is
    recorded done by center staff, with what was received."""
    step = await session.get(OversightStep, step_id)
    if step is None:
        raise not_found("step", "办理事项", step_id)
    if step.status != "open":
        raise Conflict("step.not_open", "该事项已办结或已作废", "the step is done or void already")
    await record(
        session,
        actor=actor.actor,
        action="oversight.step_recorded_done",
        subject_type="oversight_step",
        subject_id=step.id,
        data={"note": note},
        at=at,
    )
    await steps.complete(session, step, local_date(at, zone), at=at)
    return step


async def list_steps(session: AsyncSession, viewer: Identity, *, open_only: bool) -> list[OversightStep]:
    query = select(OversightStep).order_by(OversightStep.due_on, OversightStep.id)
    sectors = visible_sectors(viewer)
    if sectors is not None:
        query = query.where(OversightStep.sector.in_(sorted(sectors)))
    if open_only:
        query = query.where(OversightStep.status == "open")
    return list((await session.scalars(query)).all())
