"""The supervisor's dashboard figures per sector, and the CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.identity import Identity
from trading.clock import local_date
from trading.complaints.models import Complaint
from trading.oversight.models import OversightStep, OversightWarning, SupervisionLetter
from trading.oversight.schemas import SectorDashboard
from trading.oversight.scope import visible_sectors
from trading.oversight.service import WarningView
from trading.sectors import Sector
from trading.venue.models import VenueSession


async def _count(session: AsyncSession, query) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {sector: n for sector, n in (await session.execute(query)).all()}


async def figures(
    session: AsyncSession, viewer: Identity, *, now: dt.datetime, zone: ZoneInfo
) -> list[SectorDashboard]:
    today = local_date(now, zone)
    sectors = visible_sectors(viewer)
    shown = [s.value for s in Sector if sectors is None or s.value in sectors]
    open_cards = select(OversightWarning.sector, func.count()).where(OversightWarning.closed_at.is_(None))
    yellow = await _count(
        session, open_cards.where(OversightWarning.level == "yellow").group_by(OversightWarning.sector)
    )
    red = await _count(
        session, open_cards.where(OversightWarning.level == "red").group_by(OversightWarning.sector)
    )
    unacknowledged = await _count(
        session,
        select(OversightWarning.sector, func.count())
        .where(OversightWarning.acknowledged_at.is_(None))
        .group_by(OversightWarning.sector),
    )
    letters_open = select(SupervisionLetter.sector, func.count()).where(
        SupervisionLetter.status.in_(("issued", "sent_back", "answered"))
    )
    letters = await _count(session, letters_open.group_by(SupervisionLetter.sector))
    escalated = await _count(
        session,
        letters_open.where(SupervisionLetter.escalated_at.is_not(None)).group_by(SupervisionLetter.sector),
    )
    complaints = await _count(
        session,
        select(Complaint.sector, func.count())
        .where(Complaint.status.in_(("filed", "accepted")))
        .group_by(Complaint.sector),
    )
    start = dt.datetime.combine(today, dt.time(), zone)
    sessions = await _count(
        session,
        select(VenueSession.sector, func.count())
        .where(VenueSession.started_at >= start, VenueSession.started_at < start + dt.timedelta(days=1))
        .group_by(VenueSession.sector),
    )
    refunds = await _count(
        session,
        select(OversightStep.sector, func.count())
        .where(OversightStep.step == "refund", OversightStep.status == "open", OversightStep.due_on < today)
        .group_by(OversightStep.sector),
    )
    return [
        SectorDashboard(
            sector=s,
            open_yellow=yellow.get(s, 0),
            open_red=red.get(s, 0),
            unacknowledged=unacknowledged.get(s, 0),
            letters_open=letters.get(s, 0),
            letters_escalated=escalated.get(s, 0),
            complaints_open=complaints.get(s, 0),
            sessions_today=sessions.get(s, 0),
            refunds_overdue=refunds.get(s, 0),
        )
        for s in shown
    ]


def warnings_per_department_month(
    views: list[WarningView], zone: ZoneInfo, *, months: int, now: dt.datetime
) -> tuple[list[str], dict[str, list[int]]]:
    """Cards raised per month (the center's calendar) and per department, for the last `months`
    months up to `now`: which departments keep missing their deadlines, and whether it improves."""
    today = local_date(now, zone)
    labels = []
    year, month = today.year, today.month
    for _ in range(months):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    labels.reverse()
    index = {label: i for i, label in enumerate(labels)}
    counts: dict[str, list[int]] = {}
    for view in views:
        label = view.warning.raised_at.astimezone(zone).strftime("%Y-%m")
        if label in index:
            counts.setdefault(view.step.department, [0] * months)[index[label]] += 1
    return labels, dict(sorted(counts.items(), key=lambda item: -sum(item[1])))


def to_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    """UTF-8 with a byte-order mark, so that spreadsheet software shows the Chinese text."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # A cell starting with = + - @ would be a formula in a spreadsheet: quote it as text.
        writer.writerow([f"'{v}" if isinstance(v, str) and v[:1] in "=+-@" else v for v in row])
    return out.getvalue()


WARNING_COLUMNS = [
    "level",
    "reason",
    "sector",
    "step",
    "rule",
    "department",
    "subject",
    "due_on",
    "done_on",
    "raised_at",
    "acknowledged",
    "closed",
    "message",
]


def warning_rows(views: list[WarningView], zone: ZoneInfo) -> list[list[object]]:
    return [
        [
            v.warning.level,
            v.warning.reason,
            v.warning.sector,
            v.step.step,
            v.step.rule,
            v.step.department,
            v.step.subject,
            v.step.due_on.isoformat(),
            v.step.done_on.isoformat() if v.step.done_on else "",
            v.warning.raised_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "yes" if v.warning.acknowledged_at else "no",
            "yes" if v.warning.closed_at else "no",
            v.warning.zh,
        ]
        for v in views
    ]


LETTER_COLUMNS = [
    "number",
    "sector",
    "department",
    "subject",
    "due_on",
    "status",
    "issued_at",
    "answered_at",
    "escalated",
]


def letter_rows(letters: list[SupervisionLetter], zone: ZoneInfo) -> list[list[object]]:
    def shown(instant: dt.datetime | None) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M") if instant else ""

    return [
        [
            x.number,
            x.sector,
            x.department,
            x.subject,
            x.due_on.isoformat(),
            x.status,
            shown(x.issued_at),
            shown(x.answered_at),
            "yes" if x.escalated_at else "no",
        ]
        for x in letters
    ]
