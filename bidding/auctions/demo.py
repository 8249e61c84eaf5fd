"""The demo's sales in progress, relative to the clock: the land parcel's listing with two bidders
and their offers, and a property transfer in its disclosure period with one transferee joined.
Called by trading/demo.py through the package's `load_demo` hook."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions import service
from bidding.auctions.schemas import ListingIn
from bidding.registrations.models import Registration
from funds.bankfeed.service import CreditNotice, receive_credit
from funds.subaccounts.service import open_subaccount
from trading.announcements import service as announcements
from trading.announcements.schemas import AnnouncementIn, Kind
from trading.calendar.periods import Unit, period
from trading.calendar.service import load_calendar_from
from trading.clock import local_date
from trading.money import format_yuan
from trading.organisations.models import Organisation
from trading.projects import service as projects
from trading.projects.models import Section
from trading.projects.schemas import ProjectIn, SectionIn


@dataclass(frozen=True)
class At:
    """A clock stopped at one instant, for steps the demo dates in the past."""

    instant: dt.datetime

    def now(self) -> dt.datetime:
        return self.instant


# The transferor's condition in the demo's property transfer.
CONDITION = "受让方须为依法设立的企业法人"


async def load_demo(session: AsyncSession, cast, today: dt.datetime, zone: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    parcel = await session.scalar(select(Section).where(Section.procedure == "land_listing"))
    if parcel is not None:
        await _land_listing(session, cast, parcel, today, zone)
    await _property_transfer(session, cast, today, zone)


async def _land_listing(
    session: AsyncSession, cast, parcel: Section, today: dt.datetime, zone: ZoneInfo
) -> None:  # type: ignore[no-untyped-def]
    listing = await service.open_listing(
        session,
        parcel.id,
        ListingIn(increment="1000000.00", auction_delay_minutes=10, auction_minutes=5, extension_minutes=5),  # type: ignore[arg-type]
        actor=cast.identity("clerk"),
        at=today - dt.timedelta(days=20),
        zone=zone,
    )
    for username, days_ago in (("developer", 5), ("bidder_a", 4)):
        await _qualified(session, cast, parcel, username, today - dt.timedelta(days=days_ago), zone)
        await service.join(
            session,
            listing.id,
            bidder=cast.identity(username),
            at=today - dt.timedelta(days=3),
        )
    for username, price, days_ago in (("developer", 96_000_000_000, 2), ("bidder_a", 97_000_000_000, 1)):
        await service.place_bid(
            session,
            listing.id,
            bidder=cast.identity(username),
            price_fen=price,
            clock=At(today - dt.timedelta(days=days_ago)),
            zone=zone,
        )


async def _qualified(
    session: AsyncSession,
    cast,
    section: Section,
    username: str,
    at: dt.datetime,
    zone: ZoneInfo,
    answers: list[dict] | None = None,
) -> None:  # type: ignore[no-untyped-def]
    """An accepted registration (with a transferee's answers to the listing's conditions) and a
    deposit paid in full from the bidder's basic account."""
    identity = cast.identity(username)
    organisation = await session.get(Organisation, identity.organisation_id)
    assert organisation is not None
    subaccount = await open_subaccount(
        session, section_id=section.id, organisation_id=organisation.id, actor=identity.actor, at=at
    )
    session.add(
        Registration(
            section_id=section.id,
            organisation_id=organisation.id,
            contact_name=identity.display_name[:60],
            contact_phone="025-52100000",
            contact_email=f"{username}@example.cn",
            status="accepted",
            subaccount_number=subaccount.number,
            transferee_answers=answers or [],
            registered_at=at,
            registered_by=identity.user_id,
            reviewed_at=at,
            reviewed_by=cast.identity("clerk").user_id,
        )
    )
    await receive_credit(
        session,
        CreditNotice(
            bank_txn_id=f"DEMO{uuid.uuid4().hex[:12].upper()}",
            virtual_account=subaccount.number,
            amount_fen=section.deposit_fen,
            payer_name=organisation.basic_account_name or organisation.name,
            payer_account=organisation.basic_account_number or "",
            payer_bank=organisation.basic_account_bank or "",
            value_at=at,
        ),
        source="demo",
        actor=identity.actor,
        at=at,
        zone=zone,
    )


async def _property_transfer(session: AsyncSession, cast, today: dt.datetime, zone: ZoneInfo) -> None:  # type: ignore[no-untyped-def]
    """10 % of a state-held company, disclosed 10 days ago for about 30 days: one transferee so
    far. The disclosure runs at least the 20 working days R-01 asks on the calendar of that day
    (a National Day or Spring Festival block included), so the demo works on any date."""
    announced = today - dt.timedelta(days=10)
    calendar = await load_calendar_from(session, announced.year)
    minimum = period(calendar, local_date(announced, zone), 20, Unit.working_days).last_day
    disclosure_end = max(today + dt.timedelta(days=30), dt.datetime.combine(minimum, today.timetz()))
    project = await projects.register_project(
        session,
        ProjectIn(
            name="江宁国资控股持有的江宁水务科技有限公司10%股权转让",
            sector="property",
            region="江宁区",
            description="转让标的为江宁水务科技有限公司10%股权，不涉及控制权转移。",
            principal_id=cast.organisations["state_holding"].id,
            sections=[
                SectionIn(
                    name="10%股权",
                    procedure="listed_transfer",
                    starting_price=format_yuan(860_000_000),  # type: ignore[arg-type]
                    appraised_value=format_yuan(850_000_000),  # type: ignore[arg-type]
                    deposit=format_yuan(80_000_000),  # type: ignore[arg-type]
                    registration_start=announced,
                    listing_start=announced,
                    listing_end=disclosure_end,
                    bid_deadline=disclosure_end - dt.timedelta(days=2),
                )
            ],
        ),
        actor=cast.identity("state_holding"),
        at=announced - dt.timedelta(days=2),
        zone=zone,
    )
    section = project.sections[0]
    clerk = cast.identity("clerk")
    draft = await announcements.create_draft(
        session,
        AnnouncementIn(
            project_id=project.id,
            kind=Kind.call,
            title="江宁水务科技有限公司10%股权转让公告",
            body="转让方：江宁国有资产经营控股有限公司。信息披露期满只有一个符合条件的意向受让方的，按挂牌价协议成交；"
            "两个以上的，进行网络竞价。受让方须为依法设立的企业法人。",
        ),
        author=cast.identity("state_holding"),
        at=announced,
    )
    for step, actor in (("submit", cast.identity("state_holding")), ("approve", clerk), ("publish", clerk)):
        await announcements.review(
            session,
            draft,
            step,
            actor=actor,
            at=announced,
            zone=zone,
            note="同意发布" if step == "approve" else None,
        )  # type: ignore[arg-type]
    listing = await service.open_listing(
        session,
        section.id,
        ListingIn(increment="100000.00", transferee_conditions=[CONDITION]),  # type: ignore[arg-type]
        actor=clerk,
        at=announced,
        zone=zone,
    )
    await _qualified(
        session,
        cast,
        section,
        "developer",
        today - dt.timedelta(days=2),
        zone,
        answers=[{"condition": CONDITION, "met": True, "evidence": None}],
    )
    await service.join(
        session,
        listing.id,
        bidder=cast.identity("developer"),
        at=today - dt.timedelta(days=1),
    )
