"""Listing and auction use cases: open a listing, join it under an anonymous number, place offers
and bids, settle what the clock decided (exactly once), sign or refuse the transaction
confirmation, convert the winner's deposit into the price.

Every change writes an audit event in the caller's transaction; the caller commits, then
publishes the staged room messages (`live.publish_committed`).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions import live, rules
from bidding.auctions.models import AuctionBid, Listing, ListingBidder
from bidding.auctions.rules import ListingStatus, Phase, SaleMethod
from bidding.auctions.schemas import ListingIn
from bidding.opening.models import OpeningEntry
from bidding.opening.service import get_opening
from bidding.registrations.models import LIVE_STATUSES, Registration
from bidding.registrations.service import qualified_registration
from bidding.submissions.models import Bid
from funds.deposits.rules import ForfeitReason
from funds.deposits.service import convert_deposit, deposit_position, forfeit_deposit
from funds.fees.service import issue_invoice, schedule_on
from trading.audit.models import AuditEvent
from trading.audit.service import SYSTEM, Actor, record
from trading.auth.identity import Identity, Role
from trading.calendar.service import CalendarYearMissing, load_calendar
from trading.clock import Clock, local_date
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.projects.rules import Status
from trading.projects.service import get_section, transition
from trading.rules import checks
from trading.sectors import Procedure, Sector

LISTED_PROCEDURES = frozenset({Procedure.land_listing, Procedure.listed_transfer})


# --- reading ----------------------------------------------------------------------------------


async def get_listing(session: AsyncSession, listing_id: uuid.UUID, *, lock: bool = False) -> Listing:
    """The listing; with `lock`, its row is locked until the transaction ends (the serialisation
    point of every offer, bid and settlement)."""
    query = select(Listing).where(Listing.id == listing_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    listing = await session.scalar(query)
    if listing is None:
        raise not_found("listing", "挂牌", listing_id)
    return listing


async def listing_of_section(session: AsyncSession, section_id: uuid.UUID) -> Listing:
    listing = await session.scalar(select(Listing).where(Listing.section_id == section_id))
    if listing is None:
        raise not_found("listing", "挂牌", section_id)
    return listing


def phase(listing: Listing, now: dt.datetime) -> Phase:
    return rules.phase_of(
        listing.status,
        now,
        listing_start=listing.listing_start,
        listing_end=listing.listing_end,
        auction_start=listing.auction_start,
        auction_end=listing.auction_end,
    )


async def bidder_of(
    session: AsyncSession, listing_id: uuid.UUID, organisation_id: uuid.UUID | None
) -> ListingBidder | None:
    if organisation_id is None:
        return None
    return await session.scalar(
        select(ListingBidder).where(
            ListingBidder.listing_id == listing_id, ListingBidder.organisation_id == organisation_id
        )
    )


async def bidders(session: AsyncSession, listing_id: uuid.UUID) -> list[ListingBidder]:
    rows = await session.scalars(
        select(ListingBidder).where(ListingBidder.listing_id == listing_id).order_by(ListingBidder.number)
    )
    return list(rows.all())


async def bids_after(
    session: AsyncSession, listing_id: uuid.UUID, after: int, limit: int = 1000
) -> list[AuctionBid]:
    rows = await session.scalars(
        select(AuctionBid)
        .where(AuctionBid.listing_id == listing_id, AuctionBid.seq > after)
        .order_by(AuctionBid.seq)
        .limit(limit)
    )
    return list(rows.all())


async def history_from_audit(session: AsyncSession, listing_id: uuid.UUID) -> list[dict]:
    """The accepted offers and bids as the audit chain recorded them (requirement 6: the room's
    history can be rebuilt from the audit log alone)."""
    rows = await session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == "listing",
            AuditEvent.subject_id == str(listing_id),
            AuditEvent.action == "auction.bid_accepted",
        )
        .order_by(AuditEvent.seq)
    )
    return [event.data for event in rows.all()]


async def may_watch(session: AsyncSession, listing: Listing, viewer: Identity) -> bool:
    """The room: the listing's bidders, center staff and auditors, the sector's supervisors, the
    seller (principal or agency of the project)."""
    if viewer.has(Role.staff, Role.admin, Role.auditor) or viewer.supervises(listing.sector):
        return True
    if viewer.organisation_id is None:
        return False
    if Role.bidder in viewer.roles:
        return await bidder_of(session, listing.id, viewer.organisation_id) is not None
    section = await get_section(session, listing.section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    return viewer.organisation_id in (project.principal_id, project.agency_id)


# --- opening a listing ------------------------------------------------------------------------


async def open_listing(
    session: AsyncSession,
    section_id: uuid.UUID,
    data: ListingIn,
    *,
    actor: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Listing:
    """Center staff open the listing of an announced land or property section, on the section's
    prices and listing period, with the sale's own terms (increment, auction timing, R-04 terms)."""
    section = await get_section(session, section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    await _check_section(session, section, project)
    if data.increment <= 0:
        raise DomainError(
            "auction.increment_invalid",
            "加价幅度须大于零",
            "the increment must be more than zero",
            status=422,
        )
    _check_method(data.method, project.sector, section)
    previous = await _previous(session, data.previous_listing_id)
    listing = Listing(
        section_id=section.id,
        sector=project.sector,
        method=data.method,
        status=ListingStatus.listing,
        round=previous.round + 1 if previous else 1,
        previous_listing_id=previous.id if previous else None,
        starting_price_fen=section.starting_price_fen,
        increment_fen=data.increment,
        reserve_price_fen=section.reserve_price_fen,
        appraised_value_fen=section.appraised_value_fen,
        appraised_on=data.appraised_on,
        below_appraisal_consent=section.below_appraisal_consent,
        listing_start=section.listing_start,
        listing_end=section.listing_end,
        changes_control=data.changes_control,
        pre_disclosure_start=data.pre_disclosure_start,
        pre_disclosure_end=data.pre_disclosure_end,
        transferee_conditions=[c.model_dump() for c in data.transferee_conditions],
        payment=data.payment.model_dump(),
        auction_delay_minutes=data.auction_delay_minutes,
        auction_minutes=data.auction_minutes,
        extension_minutes=data.extension_minutes,
        sign_hours=data.sign_hours,
        last_seq=0,
        created_at=at,
        created_by=actor.user_id,
    )
    await _check_terms(session, listing, previous, zone)
    await _check_conditions_before_registrations(session, listing)
    try:
        async with session.begin_nested():
            session.add(listing)
    except IntegrityError:
        raise Conflict("listing.exists", "该标段已挂牌", "the section already has a listing") from None
    await record(
        session,
        actor=actor.actor,
        action="auction.listing_opened",
        subject_type="listing",
        subject_id=listing.id,
        data={
            "section_id": str(section.id),
            "method": listing.method,
            "round": listing.round,
            # a relisting below 90 % of the appraisal stands on the approving body's consent.
            "previous_listing_id": str(previous.id) if previous else None,
            "below_appraisal_consent": listing.below_appraisal_consent,
            "starting_price_fen": listing.starting_price_fen,
            "increment_fen": listing.increment_fen,
            "has_reserve": listing.reserve_price_fen is not None,
            "listing_start": listing.listing_start.isoformat(),
            "listing_end": listing.listing_end.isoformat(),
            "extension_minutes": listing.extension_minutes,
            "payment": listing.payment,
        },
        at=at,
    )
    await session.flush()
    return listing


async def _check_conditions_before_registrations(session: AsyncSession, listing: Listing) -> None:
    """The transferor's conditions are disclosed before anyone registers: each transferee answers
    them in its registration (R-03), so a listing that states conditions cannot open once
    registrations were filed without them."""
    if not listing.transferee_conditions:
        return
    filed = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.section_id == listing.section_id, Registration.status.in_(LIVE_STATUSES))
    )
    if filed:
        raise Conflict(
            "listing.conditions_after_registration",
            "已有意向受让方报名，不能再提出受让方资格条件：受让条件须在报名前披露",
            "transferees have already registered: the transferor's conditions must be disclosed before "
            "registration, so the listing cannot add them now",
            rule="R-03",
            details={"registrations": filed},
        )


async def _check_section(session: AsyncSession, section: Section, project: Project) -> None:
    if project.sector not in (Sector.land, Sector.property) or section.procedure not in LISTED_PROCEDURES:
        raise DomainError(
            "listing.not_a_listed_sale",
            "只有土地挂牌出让和产权挂牌转让的标段可以挂牌竞价",
            "only land listings and property-rights listed transfers are sold by listing and auction",
            status=422,
        )
    if section.status in (Status.draft, Status.failed, Status.cancelled) or section.winner_id is not None:
        raise Conflict(
            "listing.section_not_announced",
            "标段须已发布出让/转让公告且尚未结束，方可挂牌",
            "the section must be announced and not yet ended to be listed",
            details={"section_status": section.status},
        )
    if section.listing_start is None or section.listing_end is None or section.starting_price_fen is None:
        raise DomainError(
            "listing.schedule_missing",
            "标段须设定挂牌起止时间和起始价",
            "the section needs its listing period and starting price",
            status=422,
        )


def _check_method(method: str, sector: str, section: Section) -> None:
    """一次性报价 is a property transfer's choice (R-03: "other competitive methods"); land is sold by
    listing and auction (L-03). The quotes are sealed bids, so they are handed in until the
    section's bid deadline, which must fall within the disclosure period: nobody may be asked to
    quote before it has run, nor after it (R-01)."""
    if method != SaleMethod.sealed_quote:
        return
    if sector != Sector.property:
        raise DomainError(
            "listing.method_not_allowed",
            "只有产权转让可以采用一次性报价",
            "only a property transfer may be sold by one sealed quote",
            status=422,
            rule="L-03",
        )
    assert section.listing_start is not None and section.listing_end is not None
    if (
        section.bid_deadline is None
        or not section.listing_start < section.bid_deadline <= section.listing_end
    ):
        raise DomainError(
            "listing.quote_deadline_invalid",
            "一次性报价的递交截止时间须在信息披露期内",
            "the sealed quotes' deadline (the section's bid deadline) must fall within the disclosure period",
            status=422,
            rule="R-01",
            details={"bid_deadline": section.bid_deadline.isoformat() if section.bid_deadline else None},
        )


async def _previous(session: AsyncSession, previous_id: uuid.UUID | None) -> Listing | None:
    if previous_id is None:
        return None
    previous = await get_listing(session, previous_id)
    if previous.status != ListingStatus.failed:
        raise Conflict(
            "listing.previous_not_failed",
            "只有未成交的挂牌可以重新披露",
            "only a listing that failed to sell can be relisted",
        )
    return previous


async def _check_terms(
    session: AsyncSession, listing: Listing, previous: Listing | None, zone: ZoneInfo
) -> None:
    """The period (L-02 / R-01), the property price rules (R-02), pre-disclosure (R-01), the
    payment terms (R-04) and the auction's timing."""
    rules.check_minutes("auction_minutes", listing.auction_minutes, least=1)
    rules.check_minutes("extension_minutes", listing.extension_minutes, least=1)
    rules.check_minutes("auction_delay_minutes", listing.auction_delay_minutes, least=0)
    days = [
        listing.listing_start,
        listing.listing_end,
        listing.pre_disclosure_start,
        listing.pre_disclosure_end,
    ]
    calendar = await load_calendar(session, {local_date(d, zone).year for d in days if d is not None})
    if listing.sector == Sector.land:
        checks.check_listing_period(listing.listing_start, listing.listing_end, zone=zone, calendar=calendar)
        return
    checks.check_disclosure_period(
        Procedure.listed_transfer, listing.listing_start, listing.listing_end, zone=zone, calendar=calendar
    )
    if listing.changes_control:
        if listing.pre_disclosure_start is None or listing.pre_disclosure_end is None:
            raise checks.RuleViolation(
                "auction.pre_disclosure_required",
                "涉及转让标的企业实际控制权的，须预披露不少于20个工作日",
                "a transfer of control must be pre-disclosed for at least 20 working days",
                rule="R-01",
            )
        checks.check_disclosure_period(
            Procedure.listed_transfer,
            listing.pre_disclosure_start,
            listing.pre_disclosure_end,
            zone=zone,
            calendar=calendar,
        )
    appraised = listing.appraised_value_fen or 0
    if previous is None:
        rules.check_first_listing_price(listing.starting_price_fen, appraised)
    else:
        checks.check_listing_price(
            listing.starting_price_fen, appraised, consent=listing.below_appraisal_consent
        )
        rules.check_appraisal_current(
            local_date(previous.listing_start, zone),
            local_date(listing.listing_start, zone),
            listing.appraised_on,
        )
    rules.check_payment_terms(listing.payment)


# --- joining: the anonymous bidder number -----------------------------------------------------


async def join(
    session: AsyncSession,
    listing_id: uuid.UUID,
    *,
    bidder: Identity,
    at: dt.datetime,
) -> ListingBidder:
    """A bidder whose registration was accepted and whose deposit is secured joins the listing and
    gets its anonymous number (竞买号). A property transferee answered the transferor's conditions
    when it registered (R-03) and staff accepted it on them: joining asks nothing more."""
    listing = await get_listing(session, listing_id, lock=True)
    if phase(listing, at) not in (Phase.before, Phase.listing):
        raise _closed(listing, at)
    existing = await bidder_of(session, listing.id, bidder.organisation_id)
    if existing is not None:
        return existing
    await _check_may_bid(session, listing, bidder.organisation_id, at)
    joined = await _add_bidder(session, listing, bidder, at)
    await record(
        session,
        actor=bidder.actor,
        action="auction.bidder_joined",
        subject_type="listing",
        subject_id=listing.id,
        data={"organisation_id": str(bidder.organisation_id), "number": joined.number},
        at=at,
    )
    return joined


async def _add_bidder(
    session: AsyncSession, listing: Listing, bidder: Identity, at: dt.datetime
) -> ListingBidder:
    taken = set(
        (
            await session.scalars(select(ListingBidder.number).where(ListingBidder.listing_id == listing.id))
        ).all()
    )
    number = next(n for n in iter(lambda: 1000 + secrets.randbelow(9000), None) if n not in taken)
    joined = ListingBidder(
        listing_id=listing.id,
        organisation_id=bidder.organisation_id,
        number=number,
        joined_at=at,
        wants_auction=False,
    )
    session.add(joined)
    await session.flush()
    return joined


async def _check_may_bid(
    session: AsyncSession, listing: Listing, organisation_id: uuid.UUID | None, at: dt.datetime
) -> None:
    if (
        organisation_id is None
        or await qualified_registration(
            session, section_id=listing.section_id, organisation_id=organisation_id
        )
        is None
    ):
        raise Forbidden(
            "auction.not_qualified",
            "只有报名并通过资格审查的竞买人才能参加竞价",
            "only a bidder whose registration was accepted may bid",
        )
    position = await deposit_position(
        session, section_id=listing.section_id, organisation_id=organisation_id, at=at
    )
    if not position.may_bid:
        raise Forbidden(
            "auction.deposit_not_secured",
            "竞买保证金未足额到账，不能参加竞价",
            "the deposit is not secured: the bidder may not bid",
            details={"deposit_status": position.status},
        )


# --- offers and bids --------------------------------------------------------------------------


async def place_bid(
    session: AsyncSession,
    listing_id: uuid.UUID,
    *,
    bidder: Identity,
    price_fen: int,
    clock: Clock,
    zone: ZoneInfo,
) -> AuctionBid:
    """An offer during the listing or a bid during the auction. The listing row is locked first
    and the time is read after the lock, so the accepted bids' numbers, times and prices all rise
    together; each must be at least one increment over the price it saw under the lock."""
    listing = await get_listing(session, listing_id, lock=True)
    at = clock.now()
    await settle(session, listing, at, zone)
    if listing.method == SaleMethod.sealed_quote:
        raise Conflict(
            "auction.sealed_quote_only",
            "本次转让采用一次性报价，请递交加密报价文件，不接受公开报价",
            "this transfer takes one sealed quote per transferee (a sealed bid), not open offers",
            rule="R-03",
        )
    current = phase(listing, at)
    if current not in (Phase.listing, Phase.auction):
        raise _closed(listing, at)
    joined = await bidder_of(session, listing.id, bidder.organisation_id)
    if joined is None:
        raise Forbidden(
            "auction.not_joined",
            "请先以竞买号加入本次挂牌",
            "join the listing (and get a bidder number) before bidding",
        )
    if current == Phase.auction and listing.sector == Sector.land and not joined.wants_auction:
        raise Forbidden(
            "auction.not_in_auction",
            "挂牌截止时未要求继续竞价的竞买人不能参加现场竞价",
            "only the bidders that asked to keep bidding at the end of the listing take part in the auction",
            rule="L-03",
        )
    await _check_still_qualified(session, listing, joined)
    rules.check_bid(
        price_fen,
        starting_fen=listing.starting_price_fen,
        increment_fen=listing.increment_fen,
        current_fen=listing.current_price_fen,
    )
    return await _accept(session, listing, joined, current, price_fen, bidder, at)


async def _check_still_qualified(session: AsyncSession, listing: Listing, joined: ListingBidder) -> None:
    if (
        await qualified_registration(
            session, section_id=listing.section_id, organisation_id=joined.organisation_id
        )
        is None
    ):
        raise Forbidden(
            "auction.not_qualified",
            "竞买人的报名已撤回或未通过审查，不能报价",
            "the bidder's registration is no longer accepted",
        )


async def _accept(
    session: AsyncSession,
    listing: Listing,
    joined: ListingBidder,
    current: Phase,
    price_fen: int,
    bidder: Identity,
    at: dt.datetime,
) -> AuctionBid:
    listing.last_seq += 1
    listing.current_price_fen = price_fen
    listing.current_organisation_id = joined.organisation_id
    listing.current_number = joined.number
    if current == Phase.auction:
        assert listing.auction_end is not None
        listing.auction_end = rules.extended_end(
            listing.auction_end, at, dt.timedelta(minutes=listing.extension_minutes)
        )
    bid = AuctionBid(
        listing_id=listing.id,
        seq=listing.last_seq,
        phase="auction" if current == Phase.auction else "listing",
        number=joined.number,
        organisation_id=joined.organisation_id,
        price_fen=price_fen,
        placed_at=at,
        placed_by=bidder.user_id,
        auction_end=listing.auction_end if current == Phase.auction else None,
    )
    session.add(bid)
    await record(
        session,
        actor=bidder.actor,
        action="auction.bid_accepted",
        subject_type="listing",
        subject_id=listing.id,
        data=live.bid_message(bid),
        at=at,
    )
    live.stage(session, listing.id, live.bid_message(bid))
    await session.flush()
    return bid


async def want_auction(
    session: AsyncSession, listing_id: uuid.UUID, *, bidder: Identity, at: dt.datetime
) -> ListingBidder:
    """L-03: before the listing ends, a land bidder asks to keep bidding in the online auction."""
    listing = await get_listing(session, listing_id, lock=True)
    if phase(listing, at) != Phase.listing:
        raise _closed(listing, at)
    joined = await bidder_of(session, listing.id, bidder.organisation_id)
    if joined is None:
        raise Forbidden(
            "auction.not_joined", "请先以竞买号加入本次挂牌", "join the listing before asking to keep bidding"
        )
    if not joined.wants_auction:
        joined.wants_auction = True
        await record(
            session,
            actor=bidder.actor,
            action="auction.continue_requested",
            subject_type="listing",
            subject_id=listing.id,
            data={"number": joined.number},
            at=at,
        )
    await session.flush()
    return joined


def _closed(listing: Listing, at: dt.datetime) -> Conflict:
    current = phase(listing, at)
    if current in (Phase.before, Phase.waiting):
        return Conflict(
            "auction.not_started",
            "挂牌或竞价尚未开始",
            "the listing or the auction has not started yet",
            details={"phase": current},
        )
    return Conflict(
        "auction.closed",
        "挂牌或竞价已经结束，报价不予接受",
        "the listing or the auction has ended: the bid is refused",
        details={"phase": current},
    )


# --- settling what the clock decided ----------------------------------------------------------


async def settle(session: AsyncSession, listing: Listing, now: dt.datetime, zone: ZoneInfo) -> bool:
    """Store every step the clock has already decided (the listing ended, the auction ended), each
    with its side effects, exactly once: the caller holds the listing's row lock, and a step is
    taken only from the status it starts from. Returns whether anything changed."""
    changed = False
    while True:
        current = phase(listing, now)
        if current == Phase.listing_ended and listing.method == SaleMethod.sealed_quote:
            return await _end_quotes(session, listing, zone) or changed
        if current == Phase.listing_ended:
            await _end_listing(session, listing, zone)
        elif current == Phase.auction_ended:
            await _end_auction(session, listing, zone)
        else:
            return changed
        changed = True


async def settle_due(session: AsyncSession, now: dt.datetime, zone: ZoneInfo) -> int:
    """Settle every listing whose listing period or auction has ended (a job or the CLI)."""
    ids = (
        await session.scalars(
            select(Listing.id).where(
                Listing.status.in_([ListingStatus.listing, ListingStatus.auction]),
                func.coalesce(Listing.auction_end, Listing.listing_end) <= now,
            )
        )
    ).all()
    settled = 0
    for listing_id in ids:
        settled += await settle(session, await get_listing(session, listing_id, lock=True), now, zone)
    return settled


async def _end_listing(session: AsyncSession, listing: Listing, zone: ZoneInfo) -> None:
    joined = await bidders(session, listing.id)
    competing = [b for b in joined if b.wants_auction] if listing.sector == Sector.land else joined
    outcome = rules.end_of_listing(
        listing.sector,
        competing=len(competing),
        highest_fen=listing.current_price_fen,
        starting_fen=listing.starting_price_fen,
        reserve_fen=listing.reserve_price_fen,
    )
    at = listing.listing_end
    if outcome.action == "go_to_auction":
        listing.status = rules.move(listing.status, "go_to_auction")
        listing.auction_start = at + dt.timedelta(minutes=listing.auction_delay_minutes)
        listing.auction_end = listing.auction_start + dt.timedelta(minutes=listing.auction_minutes)
        await _recorded(
            session, listing, "auction.auction_scheduled", outcome, at, bidders=[b.number for b in competing]
        )
        return
    if outcome.action == "sell" and listing.current_organisation_id is None:
        # the one transferee buys at the listing price without having offered.
        listing.current_organisation_id = competing[0].organisation_id
        listing.current_number = competing[0].number
    await _finish(session, listing, outcome, at, zone)


async def _end_quotes(session: AsyncSession, listing: Listing, zone: ZoneInfo) -> bool:
    """一次性报价 (R-03): once the disclosure period has ended and the opening of the sealed quotes
    is recorded, the highest opened quote at or above the listing price wins. Until the opening is
    recorded nothing is decided (returns False). Only quotes of transferees that joined the
    listing (accepted on their answers to the transferor's conditions) count; the others are
    listed as not counted."""
    opening = await get_opening(session, listing.section_id)
    if opening is None or opening.status == "collecting":
        return False
    assert opening.recorded_at is not None or opening.status == "failed"
    at = max(listing.listing_end, opening.recorded_at or opening.started_at)
    joined = {b.organisation_id: b for b in await bidders(session, listing.id)}
    rows = (
        await session.execute(
            select(OpeningEntry, Bid.received_at)
            .join(Bid, Bid.id == OpeningEntry.bid_id)
            .where(OpeningEntry.opening_id == opening.id, OpeningEntry.status == "valid")
        )
    ).all()
    quotes, not_counted = [], 0
    for entry, received_at in rows:
        bidder = joined.get(entry.organisation_id)
        if bidder is None or entry.price_fen is None:
            not_counted += 1
            continue
        quotes.append(rules.Quote(entry.organisation_id, bidder.number, entry.price_fen, received_at))
    outcome, best = rules.result_of_quotes(quotes, listing.starting_price_fen)
    await record(
        session,
        actor=SYSTEM,
        action="auction.quotes_decided",
        subject_type="listing",
        subject_id=listing.id,
        data={
            "quotes": [
                {"number": q.number, "price_fen": q.price_fen, "received_at": q.received_at.isoformat()}
                for q in sorted(quotes, key=lambda q: (-q.price_fen, q.received_at))
            ],
            "not_counted": not_counted,
            "rule": outcome.rule,
        },
        at=at,
    )
    if best is not None:
        listing.current_price_fen = best.price_fen
        listing.current_organisation_id = best.organisation_id
        listing.current_number = best.number
    await _finish(session, listing, outcome, at, zone)
    return True


async def _end_auction(session: AsyncSession, listing: Listing, zone: ZoneInfo) -> None:
    rule = "L-04" if listing.sector == Sector.land else "R-03"
    outcome = rules.result_of_highest(listing.current_price_fen, listing.reserve_price_fen, rule=rule)
    assert listing.auction_end is not None
    await _finish(session, listing, outcome, listing.auction_end, zone)


async def _finish(
    session: AsyncSession, listing: Listing, outcome: rules.Outcome, at: dt.datetime, zone: ZoneInfo
) -> None:
    listing.status = rules.move(listing.status, outcome.action)
    listing.ended_at = at
    listing.result_reason = outcome.zh
    listing.result_rule = outcome.rule
    section = await get_section(session, listing.section_id)
    if outcome.action == "fail":
        await _recorded(session, listing, "auction.failed", outcome, at)
        await transition(
            session, section, "fail", actor=SYSTEM, at=at, reason=f"{outcome.zh}（{outcome.rule}）"
        )
        return
    assert outcome.price_fen is not None and listing.current_organisation_id is not None
    listing.winner_organisation_id = listing.current_organisation_id
    listing.final_price_fen = outcome.price_fen
    listing.confirmation_number = f"CJ-{section.code}"
    listing.sign_due_at = at + dt.timedelta(hours=listing.sign_hours)
    listing.announcement_due_on = await _announcement_due(session, at, zone)
    await _recorded(
        session,
        listing,
        "auction.sold",
        outcome,
        at,
        winner_number=listing.current_number,
        price_fen=outcome.price_fen,
    )
    await transition(
        session,
        section,
        "award",
        actor=SYSTEM,
        at=at,
        winner_id=listing.winner_organisation_id,
        data={"sale_id": str(listing.id), "price_fen": outcome.price_fen},
    )


async def _announcement_due(session: AsyncSession, at: dt.datetime, zone: ZoneInfo) -> dt.date:
    """L-06: the result is published within 10 working days of the sale. Without the year's
    calendar, 10 calendar days (always earlier, so never late)."""
    day = local_date(at, zone)
    try:
        calendar = await load_calendar(session, {day.year, day.year + 1})
        return calendar.add_working_days(day, rules.RESULT_ANNOUNCEMENT_WORKING_DAYS)
    except CalendarYearMissing:
        return day + dt.timedelta(days=rules.RESULT_ANNOUNCEMENT_WORKING_DAYS)


async def _recorded(
    session: AsyncSession,
    listing: Listing,
    action: str,
    outcome: rules.Outcome,
    at: dt.datetime,
    **extra: object,
) -> None:
    data = {
        "status": listing.status,
        "rule": outcome.rule,
        "reason": outcome.zh,
        "at": at.isoformat(),
        **extra,
    }
    await record(
        session, actor=SYSTEM, action=action, subject_type="listing", subject_id=listing.id, data=data, at=at
    )
    live.stage(session, listing.id, {"kind": "status", **data})


# --- the transaction confirmation (成交确认书) -------------------------------------------------


async def sign(
    session: AsyncSession, listing_id: uuid.UUID, *, winner: Identity, clock: Clock, zone: ZoneInfo
) -> Listing:
    """The winner signs the transaction confirmation within its period."""
    listing = await get_listing(session, listing_id, lock=True)
    at = clock.now()
    await settle(session, listing, at, zone)
    if winner.organisation_id is None or winner.organisation_id != listing.winner_organisation_id:
        raise Forbidden(
            "auction.not_winner", "只有竞得人可以签订成交确认书", "only the winner signs the confirmation"
        )
    rules.move(listing.status, "sign")
    assert listing.sign_due_at is not None
    if at >= listing.sign_due_at:
        raise Conflict(
            "auction.sign_period_over",
            "成交确认书签订期限已过",
            "the period for signing the transaction confirmation is over",
            details={"sign_due_at": listing.sign_due_at.isoformat()},
        )
    listing.status = ListingStatus.signed
    listing.signed_at = at
    await record(
        session,
        actor=winner.actor,
        action="auction.confirmation_signed",
        subject_type="listing",
        subject_id=listing.id,
        data={"confirmation_number": listing.confirmation_number, "price_fen": listing.final_price_fen},
        at=at,
    )
    await session.flush()
    return listing


async def record_refusal(
    session: AsyncSession,
    listing_id: uuid.UUID,
    *,
    actor: Identity,
    note: str,
    declared: bool,
    at: dt.datetime,
) -> Listing:
    """The winner refused to sign (it said so, or the period ran out): its deposit is forfeited by
    the listing's terms, and the section is ended so the others' deposits are refunded."""
    listing = await get_listing(session, listing_id, lock=True)
    rules.move(listing.status, "refuse")
    assert listing.sign_due_at is not None and listing.winner_organisation_id is not None
    if not declared and at < listing.sign_due_at:
        raise Conflict(
            "auction.sign_period_running",
            "成交确认书签订期限未满，竞得人未明确拒签前不能认定拒签",
            "the signing period is still running and the winner has not declared a refusal",
            details={"sign_due_at": listing.sign_due_at.isoformat()},
        )
    await forfeit_deposit(
        session,
        section_id=listing.section_id,
        organisation_id=listing.winner_organisation_id,
        reason=ForfeitReason.refused_to_sign,
        note=note,
        actor=actor.actor,
        at=at,
    )
    listing.status = ListingStatus.refused
    listing.refused_at = at
    await record(
        session,
        actor=actor.actor,
        action="auction.confirmation_refused",
        subject_type="listing",
        subject_id=listing.id,
        data={"declared": declared, "note": note.strip()},
        at=at,
    )
    section = await get_section(session, listing.section_id)
    await transition(session, section, "cancel", actor=actor.actor, at=at, reason="竞得人拒绝签订成交确认书")
    return listing


async def convert(
    session: AsyncSession, listing_id: uuid.UUID, *, actor: Actor, at: dt.datetime, zone: ZoneInfo
) -> tuple[Listing, int, int]:
    """L-05: after the confirmation is signed, the service fee is invoiced on the real price (when
    the sector has a fee scale) and the winner's deposit becomes part of the price, the fee paid
    first out of it. Returns (listing, to_fee, to_price)."""
    listing = await get_listing(session, listing_id, lock=True)
    if listing.status != ListingStatus.signed or listing.converted_at is not None:
        raise Conflict(
            "auction.not_convertible",
            "须在签订成交确认书后、且尚未转换时办理保证金转价款",
            "the deposit converts once, after the confirmation is signed",
            details={"status": listing.status},
        )
    assert listing.final_price_fen is not None and listing.winner_organisation_id is not None
    invoiced = await schedule_on(session, listing.sector, local_date(at, zone)) is not None
    if invoiced:
        await issue_invoice(
            session,
            section_id=listing.section_id,
            contract_value_fen=listing.final_price_fen,
            actor=actor,
            at=at,
            zone=zone,
        )
    conversion = await convert_deposit(
        session,
        section_id=listing.section_id,
        organisation_id=listing.winner_organisation_id,
        settle_fee=invoiced,
        actor=actor,
        at=at,
    )
    listing.converted_at = at
    await record(
        session,
        actor=actor,
        action="auction.deposit_converted",
        subject_type="listing",
        subject_id=listing.id,
        data={
            "to_fee_fen": conversion.to_fee_fen,
            "to_price_fen": conversion.to_price_fen,
            "price_fen": listing.final_price_fen,
        },
        at=at,
    )
    return listing, conversion.to_fee_fen, conversion.to_price_fen


async def organisation_name(session: AsyncSession, organisation_id: uuid.UUID | None) -> str | None:
    if organisation_id is None:
        return None
    organisation = await session.get(Organisation, organisation_id)
    return organisation.name if organisation else None
