"""Electronic oversight of refunds (电子监察): a refund not made by its deadline raises a yellow
warning on its last day and a red one after it. Derived from the clock when read, so it is right
whether or not any job ran; a refund the bank paid after its deadline stays red (made late).

The levels are the core engine's (`trading.oversight.rules.level_on`), and `refund_steps` feeds
every refund due so far to that engine as a timed step (registered by the composition root), so
refunds get cards, letters, circulars and on-time rates like every other step.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.refunds.models import Refund
from funds.refunds.service import CENTER_ZONE
from trading.clock import local_date
from trading.organisations.models import Organisation
from trading.oversight.feed import StepDue
from trading.oversight.rules import level_on
from trading.projects.models import Section


@dataclass(frozen=True)
class RefundWarning:
    level: str  # yellow | red
    refund_id: uuid.UUID
    sector: str | None
    section_id: uuid.UUID | None
    section_code: str | None
    organisation_id: uuid.UUID | None
    organisation_name: str | None
    payee_name: str
    principal_fen: int
    due_on: dt.date
    status: str
    rule: str | None
    days_overdue: int
    zh: str
    en: str


def done_on(refund: Refund) -> dt.date | None:
    return refund.paid_on if refund.status == "confirmed" else None


def level_of(refund: Refund, today: dt.date) -> str | None:
    return level_on(refund.due_on, done_on(refund), today)


# The party who must make a refund: the center's settlement department (资金结算部).
REFUND_DEPARTMENT = "交易中心资金结算部"


async def refund_steps(session: AsyncSession, today: dt.date) -> list[StepDue]:
    """The oversight feed: every refund whose last day has come, open or paid, as a timed step.
    (A refund paid before its last day never warns, and is counted on time once its day comes.)"""
    query = (
        select(Refund, Section.code)
        .outerjoin(Section, Section.id == Refund.section_id)
        .where(Refund.due_on <= today, Refund.sector.is_not(None))
    )
    return [
        StepDue(
            key=f"refund:{refund.id}",
            step="refund",
            rule=refund.rule or "policy",  # the center's own term (funds/refunds/rules.py), no statute
            sector=refund.sector,
            started_on=local_date(refund.fell_due_at, CENTER_ZONE),
            due_on=refund.due_on,
            department=REFUND_DEPARTMENT,
            subject=f"{section_code or ''} 退还{refund.payee_name}保证金".strip(),
            section_id=refund.section_id,
            organisation_id=refund.organisation_id,
            done_on=done_on(refund),
        )
        for refund, section_code in (await session.execute(query)).all()
        if refund.sector is not None
    ]


def _messages(refund: Refund, level: str, today: dt.date) -> tuple[str, str]:
    if refund.status == "confirmed":
        return (
            f"退款于{refund.paid_on}支付，晚于期限{refund.due_on}",
            f"refund paid on {refund.paid_on}, after its deadline {refund.due_on}",
        )
    if level == "yellow":
        return (
            f"退款今日（{refund.due_on}）到期，尚未支付",
            f"refund due today ({refund.due_on}) and not yet paid",
        )
    days = (today - refund.due_on).days
    return (
        f"退款已逾期{days}天（期限{refund.due_on}），尚未支付",
        f"refund {days} days overdue (deadline {refund.due_on}) and not yet paid",
    )


async def refund_warnings(
    session: AsyncSession, *, now: dt.datetime, zone: ZoneInfo, sectors: frozenset[str] | None
) -> list[RefundWarning]:
    today = local_date(now, zone)
    query = (
        select(Refund, Section.code, Organisation.name)
        .outerjoin(Section, Section.id == Refund.section_id)
        .outerjoin(Organisation, Organisation.id == Refund.organisation_id)
        .where(Refund.due_on <= today)
        .where(or_(Refund.status != "confirmed", Refund.paid_on > Refund.due_on))
        .order_by(Refund.due_on, Refund.id)
    )
    if sectors is not None:
        query = query.where(Refund.sector.in_(sorted(sectors)))
    warnings = []
    for refund, section_code, organisation_name in (await session.execute(query)).all():
        level = level_of(refund, today)
        if level is None:
            continue
        zh, en = _messages(refund, level, today)
        paid_or_today = refund.paid_on if refund.status == "confirmed" and refund.paid_on else today
        warnings.append(
            RefundWarning(
                level=level,
                refund_id=refund.id,
                sector=refund.sector,
                section_id=refund.section_id,
                section_code=section_code,
                organisation_id=refund.organisation_id,
                organisation_name=organisation_name,
                payee_name=refund.payee_name,
                principal_fen=refund.principal_fen,
                due_on=refund.due_on,
                status=refund.status,
                rule=refund.rule,
                days_overdue=max((paid_or_today - refund.due_on).days, 0),
                zh=zh,
                en=en,
            )
        )
    return warnings
