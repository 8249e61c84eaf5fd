"""Electronic bank guarantees (电子保函) instead of a cash deposit.

The center records a guarantee after checking it with its issuer; the platform then verifies that
it covers the section's whole deposit and stays valid from the bid deadline to the end of the bid
validity period (C-06: a deposit's validity equals the bid validity period). An accepted guarantee
secures the deposit with no cash movement and so no journal entry; when the deposit falls due for
refund the guarantee is released, when it is forfeited the guarantee is claimed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.deposits.service import lock_subaccount, require_held
from funds.guarantees.models import Guarantee
from trading.audit.service import Actor, record
from trading.clock import local_date
from trading.errors import Conflict, DomainError
from trading.money import format_yuan
from trading.rules.checks import RuleViolation


def required_validity(
    bid_deadline: dt.datetime | None, validity_days: int | None, zone: ZoneInfo
) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) a guarantee must cover: the bid deadline to the end of bid validity."""
    if bid_deadline is None:
        return None, None
    first = local_date(bid_deadline, zone)
    return first, first + dt.timedelta(days=validity_days or 0)


async def record_guarantee(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    organisation_id: uuid.UUID,
    issuer: str,
    number: str,
    amount_fen: int,
    valid_from: dt.date,
    valid_until: dt.date,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Guarantee:
    held = await lock_subaccount(session, section_id, organisation_id)
    require_held(held)
    section = held.section
    if section.bid_deadline is not None and at >= section.bid_deadline:
        raise RuleViolation(
            "guarantee.after_deadline",
            "投标截止后不能再以保函缴纳保证金",
            "a guarantee cannot secure a deposit after the bid deadline",
            rule="C-06",
        )
    if valid_until < valid_from:
        raise DomainError(
            "guarantee.validity_invalid",
            "保函有效期的截止日早于起始日",
            "the guarantee's validity ends before it begins",
            status=422,
        )
    if amount_fen < section.deposit_fen:
        raise RuleViolation(
            "guarantee.amount_short",
            f"保函金额{format_yuan(amount_fen)}元不足保证金{format_yuan(section.deposit_fen)}元",
            f"the guarantee covers {format_yuan(amount_fen)} yuan; the deposit is "
            f"{format_yuan(section.deposit_fen)} yuan",
            rule="C-06",
            details={"amount": format_yuan(amount_fen), "required": format_yuan(section.deposit_fen)},
        )
    first, last = required_validity(section.bid_deadline, section.bid_validity_days, zone)
    if first is not None and (valid_from > first or valid_until < last):
        raise RuleViolation(
            "guarantee.validity_short",
            f"保函有效期须覆盖投标截止日{first}至投标有效期届满日{last}",
            f"the guarantee must be valid from the bid deadline ({first}) to the end of the bid "
            f"validity period ({last})",
            rule="C-06",
            details={"required_from": str(first), "required_until": str(last)},
        )
    guarantee = Guarantee(
        virtual_account_id=held.subaccount.id,
        section_id=section_id,
        organisation_id=organisation_id,
        issuer=issuer.strip(),
        number=number.strip(),
        amount_fen=amount_fen,
        valid_from=valid_from,
        valid_until=valid_until,
        status="accepted",
        recorded_at=at,
        recorded_by=actor.name[:100],
    )
    try:
        async with session.begin_nested():
            session.add(guarantee)
    except IntegrityError:
        raise Conflict(
            "guarantee.duplicate",
            f"保函{number}（{issuer}）已登记，一份保函只能担保一笔保证金",
            f"guarantee {number} of {issuer} is already recorded; one guarantee secures one deposit",
        ) from None
    await record(
        session,
        actor=actor,
        action="funds.guarantee_accepted",
        subject_type="guarantee",
        subject_id=guarantee.id,
        data={
            "section_id": str(section_id),
            "organisation_id": str(organisation_id),
            "issuer": guarantee.issuer,
            "number": guarantee.number,
            "amount_fen": amount_fen,
            "valid_from": str(valid_from),
            "valid_until": str(valid_until),
        },
        at=at,
    )
    return guarantee


async def list_guarantees(
    session: AsyncSession, *, section_id: uuid.UUID | None = None, organisation_id: uuid.UUID | None = None
) -> list[Guarantee]:
    query = select(Guarantee).order_by(Guarantee.recorded_at)
    if section_id:
        query = query.where(Guarantee.section_id == section_id)
    if organisation_id:
        query = query.where(Guarantee.organisation_id == organisation_id)
    return list((await session.scalars(query)).all())
