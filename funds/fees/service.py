"""Transaction service fees (交易服务费): a sliding scale per sector, and one invoice per section.

A scale is a list of bands of the contract value, each with its rate (差额定率累进): the part of
the value inside a band pays that band's rate, and the fee is the sum, computed exactly and
rounded half up to the fen once. The scale names who pays: the winning bidder or the principal.
Scales are rows in the database that staff replace from a date on (the old rows stay, so an old
invoice can always be explained); invoicing posts Dr fees receivable, Cr fee income.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.fees.models import FeeBand, FeeInvoice, FeeSchedule
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.service import Leg
from funds.refunds.interest import round_half_up
from funds.subaccounts.service import next_number
from trading.audit.models import AuditEvent
from trading.audit.service import Actor, record
from trading.clock import local_date
from trading.errors import Conflict, DomainError, not_found
from trading.money import format_yuan
from trading.projects.models import Project
from trading.projects.service import get_section
from trading.sectors import SECTOR_ZH, Sector

PPM = 1_000_000


@dataclass(frozen=True)
class Band:
    lower_fen: int
    upper_fen: int | None
    rate_ppm: int


def percent_text(ppm: int) -> str:
    """3500 ppm -> "0.35" (per cent, exact)."""
    text = f"{Decimal(ppm) / Decimal(10_000):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _invalid(zh: str, en: str) -> DomainError:
    return DomainError("fee.schedule_invalid", zh, en, status=422)


def check_bands(bands: Sequence[Band]) -> list[Band]:
    """Bands must start at zero, follow each other without gap or overlap, and end open."""
    ordered = sorted(bands, key=lambda b: b.lower_fen)
    if not ordered:
        raise _invalid("费率表至少需要一个区间", "a scale needs at least one band")
    if ordered[0].lower_fen != 0:
        raise _invalid("第一个区间须从0元开始", "the first band starts at 0")
    for band, following in zip(ordered, [*ordered[1:], None], strict=True):
        if band.rate_ppm < 0:
            raise _invalid("费率不能为负数", "a rate cannot be negative")
        if following is None:
            if band.upper_fen is not None:
                raise _invalid("最后一个区间不设上限", "the last band has no upper bound")
        elif (
            band.upper_fen is None
            or band.upper_fen != following.lower_fen
            or band.upper_fen <= band.lower_fen
        ):
            raise _invalid(
                f"区间须首尾相接：{format_yuan(band.lower_fen)}元起的区间应止于{format_yuan(following.lower_fen)}元",
                f"bands must follow each other: the band from {format_yuan(band.lower_fen)} must end at "
                f"{format_yuan(following.lower_fen)}",
            )
    return ordered


def compute_fee(bands: Sequence[Band], value_fen: int) -> tuple[int, list[str]]:
    """(fee in fen, one line per band used)."""
    total = Fraction(0)
    lines = []
    for band in check_bands(bands):
        if value_fen <= band.lower_fen:
            break
        top = value_fen if band.upper_fen is None else min(value_fen, band.upper_fen)
        part = top - band.lower_fen
        fee = Fraction(part * band.rate_ppm, PPM)
        total += fee
        lines.append(
            f"{format_yuan(band.lower_fen)}–{format_yuan(top)} × {percent_text(band.rate_ppm)}% "
            f"= {format_yuan(round_half_up(fee))}"
        )
    return round_half_up(total), lines


async def set_schedule(
    session: AsyncSession,
    *,
    sector: Sector,
    effective_from: dt.date,
    payer: str,
    bands: Sequence[Band],
    source: str,
    actor: Actor,
    at: dt.datetime,
) -> FeeSchedule:
    ordered = check_bands(bands)
    schedule = FeeSchedule(
        sector=sector,
        effective_from=effective_from,
        payer=payer,
        source=source.strip(),
        created_at=at,
        created_by=actor.name[:100],
    )
    try:
        async with session.begin_nested():
            session.add(schedule)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "fee.schedule_exists",
            f"{SECTOR_ZH[sector]}{effective_from}起的费率表已存在；如需调整，请另设生效日期",
            f"a {sector} scale from {effective_from} exists; give the new scale a later date",
        ) from None
    for band in ordered:
        session.add(
            FeeBand(
                schedule_id=schedule.id,
                lower_fen=band.lower_fen,
                upper_fen=band.upper_fen,
                rate_ppm=band.rate_ppm,
            )
        )
    await record(
        session,
        actor=actor,
        action="funds.fee_schedule_set",
        subject_type="fee_schedule",
        subject_id=schedule.id,
        data={
            "sector": sector,
            "effective_from": str(effective_from),
            "payer": payer,
            "source": schedule.source,
            "bands": [[b.lower_fen, b.upper_fen, b.rate_ppm] for b in ordered],
        },
        at=at,
    )
    await session.flush()
    return schedule


async def schedule_on(
    session: AsyncSession, sector: str, day: dt.date
) -> tuple[FeeSchedule, list[Band]] | None:
    schedule = await session.scalar(
        select(FeeSchedule)
        .where(FeeSchedule.sector == sector, FeeSchedule.effective_from <= day)
        .order_by(FeeSchedule.effective_from.desc())
        .limit(1)
    )
    if schedule is None:
        return None
    return schedule, await bands_of(session, schedule.id)


async def bands_of(session: AsyncSession, schedule_id: uuid.UUID) -> list[Band]:
    rows = await session.scalars(
        select(FeeBand).where(FeeBand.schedule_id == schedule_id).order_by(FeeBand.lower_fen)
    )
    return [Band(r.lower_fen, r.upper_fen, r.rate_ppm) for r in rows]


async def list_schedules(session: AsyncSession, sector: str | None = None) -> list[FeeSchedule]:
    query = select(FeeSchedule).order_by(FeeSchedule.sector, FeeSchedule.effective_from)
    if sector:
        query = query.where(FeeSchedule.sector == sector)
    return list((await session.scalars(query)).all())


async def issue_invoice(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    contract_value_fen: int,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> FeeInvoice:
    """The section's service fee on its contract value, charged to the party the scale names."""
    section = await get_section(session, section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    today = local_date(at, zone)
    found = await schedule_on(session, project.sector, today)
    if found is None:
        raise DomainError(
            "fee.schedule_missing",
            f"尚未设置{SECTOR_ZH[Sector(project.sector)]}交易服务费费率表",
            f"no service fee scale is set for the {project.sector} sector",
            status=422,
        )
    schedule, bands = found
    if project.sector in (Sector.land, Sector.property):
        await _check_sale_price(session, section.id, contract_value_fen)
    if schedule.payer == "winner":
        if section.winner_id is None:
            raise Conflict(
                "fee.no_winner",
                "该标段尚未确定中标人/竞得人，无法向其收取服务费",
                "the section has no winner yet to charge the fee to",
            )
        payer_id = section.winner_id
    else:
        payer_id = project.principal_id
    amount, breakdown = compute_fee(bands, contract_value_fen)
    number = f"FEE-{today.year}-{await next_number(session, f'fee:{today.year}'):05d}"
    invoice = FeeInvoice(
        number=number,
        section_id=section.id,
        sector=project.sector,
        payer=schedule.payer,
        payer_organisation_id=payer_id,
        contract_value_fen=contract_value_fen,
        amount_fen=amount,
        breakdown=breakdown,
        schedule_id=schedule.id,
        issued_at=at,
        issued_by=actor.name[:100],
        settled_fen=0,
    )
    try:
        async with session.begin_nested():
            session.add(invoice)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "fee.already_invoiced",
            "该标段已开具交易服务费票据",
            "the section's service fee is already invoiced",
        ) from None
    if amount:
        receivable = await journal.ensure_account(
            session, chart.sector_account(chart.FEES_RECEIVABLE, project.sector), at=at
        )
        income = await journal.ensure_account(
            session, chart.sector_account(chart.FEE_INCOME, project.sector), at=at
        )
        posted = await journal.post(
            session,
            key=f"fee:{section.id}",
            code="fee",
            legs=[Leg(receivable, amount), Leg(income, -amount)],
            memo=f"交易服务费{number}：{section.code}，合同金额{format_yuan(contract_value_fen)}元",
            actor=actor,
            at=at,
            section_id=section.id,
            organisation_id=payer_id,
        )
        invoice.entry_id = posted.entry.id
    await record(
        session,
        actor=actor,
        action="funds.fee_invoiced",
        subject_type="fee_invoice",
        subject_id=invoice.id,
        data={
            "number": number,
            "section_id": str(section.id),
            "payer": schedule.payer,
            "payer_organisation_id": str(payer_id),
            "contract_value_fen": contract_value_fen,
            "amount_fen": amount,
            "breakdown": breakdown,
        },
        at=at,
    )
    await session.flush()
    return invoice


async def sale_price(session: AsyncSession, section_id: uuid.UUID) -> int | None:
    """The price a land or property section was sold at, as its award recorded it (the listing or
    auction awards it with its price; see bidding/auctions)."""
    award = await session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "section",
            AuditEvent.subject_id == str(section_id),
            AuditEvent.action == "section.awarded",
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    price = award.data.get("price_fen") if award is not None else None
    return int(price) if price is not None else None


async def _check_sale_price(session: AsyncSession, section_id: uuid.UUID, contract_value_fen: int) -> None:
    """A sale's fee is charged on the price it was sold at, never on a figure typed in (a fee was
    once invoiced on 50,000,000 yuan for a parcel whose reserve alone was 52,000,000)."""
    price = await sale_price(session, section_id)
    if price is None:
        raise Conflict(
            "fee.sale_not_ended",
            "该宗地/标的尚未成交，不能开具交易服务费",
            "the sale has not ended with a price yet: no fee to invoice",
        )
    if contract_value_fen != price:
        raise Conflict(
            "fee.not_the_sale_price",
            f"交易服务费须按成交价{format_yuan(price)}元计收，不能按{format_yuan(contract_value_fen)}元计收",
            f"the fee is charged on the sale price of {format_yuan(price)} yuan, "
            f"not on {format_yuan(contract_value_fen)} yuan",
            details={"sale_price": format_yuan(price), "contract_value": format_yuan(contract_value_fen)},
        )


async def get_invoice(session: AsyncSession, invoice_id: uuid.UUID) -> FeeInvoice:
    invoice = await session.get(FeeInvoice, invoice_id)
    if invoice is None:
        raise not_found("fee_invoice", "服务费票据", invoice_id)
    return invoice


async def list_invoices(
    session: AsyncSession, *, sectors: frozenset[str] | None, section_id: uuid.UUID | None = None
) -> list[FeeInvoice]:
    query = select(FeeInvoice).order_by(FeeInvoice.issued_at.desc())
    if sectors is not None:
        query = query.where(FeeInvoice.sector.in_(sorted(sectors)))
    if section_id:
        query = query.where(FeeInvoice.section_id == section_id)
    return list((await session.scalars(query)).all())
