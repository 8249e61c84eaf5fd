"""Monthly circulars (情况通报) and on-time rates (按时办结率), generated from the data.

A circular covers one sector's calendar month, once the month is over: the cards raised by
department and step, the letters issued, answered and escalated, and the on-time rate per
department and per step compared with the month before. The rate counts the steps due in the
month (void ones and breaches aside) and how many were done by their day. It is stored once,
with its digest in the audit chain, and never changed (a trigger refuses UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import canonical_json, record, sha256_hex
from trading.auth.identity import Identity
from trading.clock import local_date
from trading.errors import Conflict, not_found
from trading.oversight.models import Circular, OversightStep, OversightWarning, SupervisionLetter
from trading.oversight.scope import require_sector, require_supervisor_of, visible_sectors


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    year, number = map(int, month.split("-"))
    first = dt.date(year, number, 1)
    following = dt.date(year + (number == 12), number % 12 + 1, 1)
    return first, following


def previous_month(month: str) -> str:
    first, _ = month_bounds(month)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def rate(on_time: int, due: int) -> str | None:
    """Percent with one decimal, "66.7"; None when nothing was due."""
    if due == 0:
        return None
    return str((Decimal(on_time * 100) / Decimal(due)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


async def _rates(session: AsyncSession, sector: str, month: str) -> dict[str, dict[str, tuple[int, int]]]:
    first, following = month_bounds(month)
    due_steps = await session.scalars(
        select(OversightStep).where(
            OversightStep.sector == sector,
            OversightStep.due_on >= first,
            OversightStep.due_on < following,
            OversightStep.status != "void",
            OversightStep.source != "breach",
        )
    )
    by: dict[str, dict[str, list[int]]] = {
        "department": defaultdict(lambda: [0, 0]),
        "step": defaultdict(lambda: [0, 0]),
    }
    for step in due_steps:
        in_time = int(step.done_on is not None and step.done_on <= step.due_on)
        for axis, name in (("department", step.department), ("step", step.step)):
            by[axis][name][0] += 1
            by[axis][name][1] += in_time
    return {axis: {name: (due, ok) for name, (due, ok) in names.items()} for axis, names in by.items()}


def _rate_rows(
    current: dict[str, tuple[int, int]], before: dict[str, tuple[int, int]], key: str
) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(set(current) | set(before)):
        due, ok = current.get(name, (0, 0))
        prev_due, prev_ok = before.get(name, (0, 0))
        rows.append(
            {
                key: name,
                "due": due,
                "on_time": ok,
                "rate": rate(ok, due),
                "previous_rate": rate(prev_ok, prev_due),
            }
        )
    return rows


async def _warnings(session: AsyncSession, sector: str, month: str) -> dict[str, Any]:
    first, following = month_bounds(month)
    rows = await session.execute(
        select(OversightWarning.level, OversightStep.department, OversightStep.step)
        .join(OversightStep, OversightStep.id == OversightWarning.step_id)
        .where(
            OversightWarning.sector == sector,
            OversightWarning.raised_on >= first,
            OversightWarning.raised_on < following,
        )
    )
    counts: Counter[tuple[str, str, str]] = Counter(rows.all())
    groups = sorted({(d, s) for _, d, s in counts})
    return {
        "yellow": sum(n for (level, _, _), n in counts.items() if level == "yellow"),
        "red": sum(n for (level, _, _), n in counts.items() if level == "red"),
        "by_department_step": [
            {"department": d, "step": s, "yellow": counts[("yellow", d, s)], "red": counts[("red", d, s)]}
            for d, s in groups
        ],
    }


async def _letters(session: AsyncSession, sector: str, month: str, zone: ZoneInfo) -> dict[str, int]:
    first, following = month_bounds(month)

    def within(instant: dt.datetime | None) -> bool:
        return instant is not None and first <= local_date(instant, zone) < following

    letters = list(await session.scalars(select(SupervisionLetter).where(SupervisionLetter.sector == sector)))
    return {
        "issued": sum(within(letter.issued_at) for letter in letters),
        "answered": sum(within(letter.answered_at) for letter in letters),
        "escalated": sum(within(letter.escalated_at) for letter in letters),
    }


async def compute(session: AsyncSession, sector: str, month: str, zone: ZoneInfo) -> dict[str, Any]:
    before = previous_month(month)
    current_rates, previous_rates = (
        await _rates(session, sector, month),
        await _rates(session, sector, before),
    )
    return {
        "sector": sector,
        "month": month,
        "previous_month": before,
        "warnings": await _warnings(session, sector, month),
        "letters": await _letters(session, sector, month, zone),
        "on_time": {
            "by_department": _rate_rows(
                current_rates["department"], previous_rates["department"], "department"
            ),
            "by_step": _rate_rows(current_rates["step"], previous_rates["step"], "step"),
        },
    }


async def generate(
    session: AsyncSession, sector: str, month: str, *, supervisor: Identity, at: dt.datetime, zone: ZoneInfo
) -> Circular:
    require_supervisor_of(supervisor, sector, "sector", "行业", sector)
    _, following = month_bounds(month)
    if local_date(at, zone) < following:
        raise Conflict(
            "circular.month_not_over",
            f"{month}尚未结束，不能生成情况通报",
            f"{month} is not over yet; its circular cannot be generated",
            details={"month": month},
        )
    content = await compute(session, sector, month, zone)
    circular = Circular(
        sector=sector,
        month=month,
        generated_at=at,
        generated_by=supervisor.user_id,
        content=content,
        sha256=sha256_hex(canonical_json(content)),
    )
    try:
        async with session.begin_nested():
            session.add(circular)
    except IntegrityError:
        raise Conflict(
            "circular.exists",
            f"{month}的情况通报已生成，不可更改",
            f"the circular of {month} exists and never changes",
        ) from None
    await record(
        session,
        actor=supervisor.actor,
        action="oversight.circular_issued",
        subject_type="oversight_circular",
        subject_id=circular.id,
        data={"sector": sector, "month": month, "sha256": circular.sha256},
        at=at,
    )
    return circular


async def get(session: AsyncSession, circular_id: uuid.UUID, viewer: Identity) -> Circular:
    circular = await session.get(Circular, circular_id)
    if circular is None:
        raise not_found("circular", "情况通报", circular_id)
    require_sector(viewer, circular.sector, "circular", "情况通报", circular_id)
    return circular


async def list_circulars(session: AsyncSession, viewer: Identity) -> list[Circular]:
    query = select(Circular).order_by(Circular.month.desc(), Circular.sector)
    sectors = visible_sectors(viewer)
    if sectors is not None:
        query = query.where(Circular.sector.in_(sorted(sectors)))
    return list((await session.scalars(query)).all())
