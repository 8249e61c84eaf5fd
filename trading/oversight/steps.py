"""Registering, completing and voiding timed steps, and raising their cards. Every source (the
audit log, events, feeds, letters, complaints) goes through these functions."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import SYSTEM, record
from trading.ids import new_id
from trading.oversight.feed import StepDue
from trading.oversight.models import OversightStep, OversightWarning
from trading.oversight.rules import STEP_ZH


async def find(session: AsyncSession, key: str) -> OversightStep | None:
    return await session.scalar(select(OversightStep).where(OversightStep.key == key))


async def sync(
    session: AsyncSession, due: StepDue, *, source: str, at: dt.datetime, basis: str = "days"
) -> OversightStep:
    """Register a step once; told again, bring it up to date (done, or a new due date while open)."""
    step = await find(session, due.key)
    if step is None:
        step = await _insert(session, due, source=source, at=at, basis=basis)
    elif step.status == "open" and due.due_on != step.due_on:
        step.due_on = due.due_on
    if due.done_on is not None and step.status == "open":
        await complete(session, step, due.done_on, at=at)
    return step


async def _insert(
    session: AsyncSession, due: StepDue, *, source: str, at: dt.datetime, basis: str
) -> OversightStep:
    step = OversightStep(
        key=due.key,
        step=due.step,
        rule=due.rule,
        sector=due.sector,
        section_id=due.section_id,
        department=due.department,
        organisation_id=due.organisation_id,
        subject=due.subject,
        started_on=due.started_on,
        due_on=due.due_on,
        due_basis=basis,
        done_on=None,
        status="open",
        source=source,
        registered_at=at,
    )
    try:
        async with session.begin_nested():
            session.add(step)
    except IntegrityError:
        # Another instance registered it a moment ago: take theirs.
        existing = await find(session, due.key)
        assert existing is not None
        return existing
    await record(
        session,
        actor=SYSTEM,
        action="oversight.step_registered",
        subject_type="oversight_step",
        subject_id=step.id,
        data={
            "key": step.key,
            "step": step.step,
            "rule": step.rule,
            "due_on": step.due_on.isoformat(),
            "department": step.department,
            "source": source,
        },
        at=at,
    )
    return step


async def complete(session: AsyncSession, step: OversightStep, done_on: dt.date, *, at: dt.datetime) -> None:
    """The step is done: its open cards close; done late, it keeps (or gets) a red card as a record."""
    if step.status != "open":
        return
    step.status, step.done_on = "done", done_on
    await record(
        session,
        actor=SYSTEM,
        action="oversight.step_done",
        subject_type="oversight_step",
        subject_id=step.id,
        data={"key": step.key, "done_on": done_on.isoformat(), "late": done_on > step.due_on},
        at=at,
    )
    if done_on > step.due_on:
        days = (done_on - step.due_on).days
        name = STEP_ZH.get(step.step, step.step)
        await raise_card(
            session,
            step,
            "red",
            "done_late",
            at=at,
            on=done_on,
            zh=f"{step.subject}：{name}于{done_on}完成，晚于期限{step.due_on}{days}天",
            en=f"{step.subject}: {step.step} done on {done_on}, {days} days after its deadline {step.due_on}",
        )
    await session.execute(
        update(OversightWarning)
        .where(OversightWarning.step_id == step.id, OversightWarning.closed_at.is_(None))
        .values(closed_at=at)
    )


async def void_section(session: AsyncSession, section_id: uuid.UUID, reason: str, *, at: dt.datetime) -> None:
    """A failed or cancelled section owes no more of its procedure's steps."""
    for step in await session.scalars(
        select(OversightStep).where(
            OversightStep.section_id == section_id,
            OversightStep.status == "open",
            OversightStep.source == "audit",
        )
    ):
        step.status = "void"
        await record(
            session,
            actor=SYSTEM,
            action="oversight.step_void",
            subject_type="oversight_step",
            subject_id=step.id,
            data={"key": step.key, "reason": reason},
            at=at,
        )
        await session.execute(
            update(OversightWarning)
            .where(OversightWarning.step_id == step.id, OversightWarning.closed_at.is_(None))
            .values(closed_at=at)
        )


async def raise_card(
    session: AsyncSession,
    step: OversightStep,
    level: str,
    reason: str,
    *,
    at: dt.datetime,
    on: dt.date,
    zh: str,
    en: str,
) -> OversightWarning | None:
    """Insert the step's card of this level unless it exists: exactly once, however many engines
    run side by side (a unique index decides, not a read before the write)."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    values = {
        "id": new_id(),
        "step_id": step.id,
        "level": level,
        "reason": reason,
        "sector": step.sector,
        "raised_at": at,
        "raised_on": on,
        "zh": zh[:500],
        "en": en[:500],
    }
    statement = (
        insert(OversightWarning)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["step_id", "level"])
        .returning(OversightWarning.id)
    )
    inserted = await session.scalar(statement)
    if inserted is None:
        return None
    await record(
        session,
        actor=SYSTEM,
        action="oversight.warning_raised",
        subject_type="oversight_warning",
        subject_id=inserted,
        data={"step": step.key, "level": level, "reason": reason, "rule": step.rule, "zh": zh},
        at=at,
    )
    return await session.get(OversightWarning, inserted)
