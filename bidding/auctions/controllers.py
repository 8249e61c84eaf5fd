import contextlib
import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, FromQuery, JSONBody
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions import live, service
from bidding.auctions.models import Listing
from bidding.auctions.rules import STATUS_ZH, ListingStatus, Phase, minimum_bid
from bidding.auctions.schemas import (
    BidderOut,
    BidIn,
    BidOut,
    BoardOut,
    ConversionOut,
    ListingIn,
    RefusalIn,
    ResultOut,
    RoomOut,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import not_found
from trading.money import format_yuan
from trading.settings import Settings

WATCHERS = allow(
    Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency, Role.bidder
)
CHECKERS = allow(Role.staff, Role.auditor, Role.supervisor)
ENDED = frozenset({ListingStatus.sold, ListingStatus.failed, ListingStatus.signed, ListingStatus.refused})


def board_fields(listing: Listing, now: dt.datetime) -> dict[str, Any]:
    phase = service.phase(listing, now)
    end = {
        Phase.before: listing.listing_start,
        Phase.listing: listing.listing_end,
        Phase.waiting: listing.auction_start,
        Phase.auction: listing.auction_end,
    }.get(phase)
    return {
        "listing_id": listing.id,
        "section_id": listing.section_id,
        "method": listing.method,
        "status": listing.status,
        "status_zh": STATUS_ZH[ListingStatus(listing.status)],
        "phase": phase,
        "server_time": now,
        "starting_price": listing.starting_price_fen,
        "increment": listing.increment_fen,
        "current_price": listing.current_price_fen,
        "minimum_bid": minimum_bid(
            listing.starting_price_fen, listing.increment_fen, listing.current_price_fen
        ),
        "listing_start": listing.listing_start,
        "listing_end": listing.listing_end,
        "auction_start": listing.auction_start,
        "auction_end": listing.auction_end,
        "seconds_left": max(int((end - now).total_seconds()), 0) if end else None,
        "last_seq": listing.last_seq,
    }


async def result_out(session: AsyncSession, listing: Listing, viewer: Identity | None) -> ResultOut | None:
    if listing.status not in ENDED:
        return None
    staff = viewer is not None and viewer.has(Role.staff, Role.admin, Role.auditor, Role.supervisor)
    return ResultOut(
        confirmation_number=listing.confirmation_number,
        winner_number=listing.current_number if listing.winner_organisation_id else None,
        winner=await service.organisation_name(session, listing.winner_organisation_id),
        price=listing.final_price_fen,
        ended_at=listing.ended_at,
        reason=listing.result_reason,
        rule=listing.result_rule,
        sign_due_at=listing.sign_due_at,
        signed_at=listing.signed_at,
        refused_at=listing.refused_at,
        announcement_due_on=listing.announcement_due_on,
        payment=listing.payment,
        # L-04: the reserve stays secret until the end, and then only to the center and oversight.
        reserve_price=listing.reserve_price_fen if staff else None,
        converted_at=listing.converted_at,
    )


async def room_out(session: AsyncSession, listing: Listing, now: dt.datetime, viewer: Identity) -> RoomOut:
    mine = (
        await service.bidder_of(session, listing.id, viewer.organisation_id)
        if Role.bidder in viewer.roles
        else None
    )
    return RoomOut(
        **board_fields(listing, now),
        current_number=listing.current_number,
        your_number=mine.number if mine else None,
        bidders=len(await service.bidders(session, listing.id)),
        result=await result_out(session, listing, viewer),
    )


def bid_out(bid: Any) -> BidOut:
    return BidOut(**live.bid_message(bid))


async def _watched(
    session: AsyncSession, listing_id: uuid.UUID, viewer: Identity, *, lock: bool = False
) -> Listing:
    listing = await service.get_listing(session, listing_id, lock=lock)
    if not await service.may_watch(session, listing, viewer):
        raise not_found("listing", "挂牌", listing_id)
    return listing


class PublicBoardController(Controller):
    """The public board (no login): current price and time left, nobody named."""

    path = "/api/public/auctions"
    tags = ["auctions"]

    @get("/{listing_id:uuid}", operation_id="getAuctionBoard", exclude_from_auth=True)
    async def board(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        listing_id: FromPath[uuid.UUID],
    ) -> BoardOut:
        listing = await service.get_listing(session, listing_id)
        return BoardOut(**board_fields(listing, clock.now()))


class AuctionController(Controller):
    path = "/api/auctions"
    tags = ["auctions"]

    @post(
        "/sections/{section_id:uuid}/listing",
        operation_id="openListing",
        opt=allow(Role.staff),
        status_code=201,
    )
    async def open(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[ListingIn],
    ) -> RoomOut:
        """Open the listing of an announced land or property section (L-02, R-01, R-02, R-04)."""
        now = clock.now()
        listing = await service.open_listing(
            session, section_id, data, actor=request.user, at=now, zone=settings.zone
        )
        await session.commit()
        return await room_out(session, listing, now, request.user)

    @get("/sections/{section_id:uuid}/listing", operation_id="getSectionListing", opt=WATCHERS)
    async def of_section(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> RoomOut:
        listing = await service.listing_of_section(session, section_id)
        listing = await _watched(session, listing.id, request.user)
        return await room_out(session, listing, clock.now(), request.user)

    @get("/{listing_id:uuid}", operation_id="getAuctionRoom", opt=WATCHERS)
    async def room(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        listing_id: FromPath[uuid.UUID],
    ) -> RoomOut:
        """The room's true state (what a reconnecting watcher loads), derived from the clock."""
        listing = await _watched(session, listing_id, request.user)
        return await room_out(session, listing, clock.now(), request.user)

    @post("/{listing_id:uuid}/bidders", operation_id="joinListing", opt=allow(Role.bidder), status_code=200)
    async def join(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        listing_id: FromPath[uuid.UUID],
    ) -> BidderOut:
        """Join with an accepted registration and a secured deposit; get the bidder number (竞买号)."""
        joined = await service.join(
            session,
            listing_id,
            bidder=request.user,
            at=clock.now(),
        )
        await session.commit()
        return BidderOut(number=joined.number, wants_auction=joined.wants_auction, joined_at=joined.joined_at)

    @post(
        "/{listing_id:uuid}/continue",
        operation_id="askToKeepBidding",
        opt=allow(Role.bidder),
        status_code=200,
    )
    async def keep_bidding(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        listing_id: FromPath[uuid.UUID],
    ) -> BidderOut:
        """L-03: ask, before the listing ends, to keep bidding in the online auction."""
        joined = await service.want_auction(session, listing_id, bidder=request.user, at=clock.now())
        await session.commit()
        return BidderOut(number=joined.number, wants_auction=joined.wants_auction, joined_at=joined.joined_at)

    @post("/{listing_id:uuid}/bids", operation_id="placeBid", opt=allow(Role.bidder), status_code=201)
    async def bid(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        channels: NamedDependency[ChannelsPlugin],
        listing_id: FromPath[uuid.UUID],
        data: JSONBody[BidIn],
    ) -> BidOut:
        """An offer during the listing, a bid during the auction: at least one increment over the
        current price; the answer carries its sequence number."""
        try:
            accepted = await service.place_bid(
                session,
                listing_id,
                bidder=request.user,
                price_fen=data.price,
                clock=clock,
                zone=settings.zone,
            )
        except Exception:
            live.discard(session)
            raise
        await session.commit()
        await live.publish_committed(session, channels)
        return bid_out(accepted)

    @get("/{listing_id:uuid}/bids", operation_id="listBids", opt=WATCHERS)
    async def bids(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        listing_id: FromPath[uuid.UUID],
        after: FromQuery[int] = 0,
    ) -> list[BidOut]:
        """The accepted offers and bids after number `after`: what a watcher reloads on a gap."""
        await _watched(session, listing_id, request.user)
        return [bid_out(b) for b in await service.bids_after(session, listing_id, _seq(after))]

    @get("/{listing_id:uuid}/audit-history", operation_id="rebuildBidHistory", opt=CHECKERS)
    async def audit_history(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        listing_id: FromPath[uuid.UUID],
    ) -> list[BidOut]:
        """The bid history rebuilt from the audit chain alone, to compare with `/bids`."""
        await _watched(session, listing_id, request.user)
        return [BidOut(**data) for data in await service.history_from_audit(session, listing_id)]

    @post("/{listing_id:uuid}/settle", operation_id="settleListing", opt=allow(Role.staff), status_code=200)
    async def settle(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        channels: NamedDependency[ChannelsPlugin],
        listing_id: FromPath[uuid.UUID],
    ) -> RoomOut:
        """Store what the clock decided (the listing or the auction ended); a no-op when nothing is due."""
        now = clock.now()
        listing = await service.get_listing(session, listing_id, lock=True)
        await service.settle(session, listing, now, settings.zone)
        await session.commit()
        await live.publish_committed(session, channels)
        return await room_out(session, listing, now, request.user)

    @post(
        "/{listing_id:uuid}/confirmation/sign",
        operation_id="signConfirmation",
        opt=allow(Role.bidder),
        status_code=200,
    )
    async def sign(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        listing_id: FromPath[uuid.UUID],
    ) -> ResultOut:
        """The winner signs the transaction confirmation (成交确认书) within its period."""
        listing = await service.sign(
            session, listing_id, winner=request.user, clock=clock, zone=settings.zone
        )
        await session.commit()
        result = await result_out(session, listing, request.user)
        assert result is not None
        return result

    @post(
        "/{listing_id:uuid}/confirmation/refusal",
        operation_id="recordRefusal",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def refusal(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        listing_id: FromPath[uuid.UUID],
        data: JSONBody[RefusalIn],
    ) -> ResultOut:
        """The winner refused to sign: its deposit is forfeited, the section is ended."""
        listing = await service.record_refusal(
            session, listing_id, actor=request.user, note=data.note, declared=data.declared, at=clock.now()
        )
        await session.commit()
        result = await result_out(session, listing, request.user)
        assert result is not None
        return result

    @post(
        "/{listing_id:uuid}/conversion",
        operation_id="convertWinnerDeposit",
        opt=allow(Role.staff),
        status_code=200,
    )
    async def conversion(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        listing_id: FromPath[uuid.UUID],
    ) -> ConversionOut:
        """L-05: invoice the fee on the real price, convert the winner's deposit into the price."""
        listing, to_fee, to_price = await service.convert(
            session, listing_id, actor=request.user.actor, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return ConversionOut(listing_id=listing.id, to_fee=to_fee, to_price=to_price)

    @websocket("/{listing_id:uuid}/live", opt=WATCHERS)
    async def follow(
        self,
        socket: WebSocket[Identity, Any, Any],
        channels: NamedDependency[ChannelsPlugin],
        listing_id: FromPath[uuid.UUID],
        after: FromQuery[int | None] = None,
    ) -> None:
        """The auction room: a `hello` with the true state, every accepted bid, the server's clock.
        A watcher that reconnects with `after=<last seq it has>` first gets the bids it missed."""
        state = socket.app.state
        async with state.db.read_session() as session:
            try:
                allowed = await service.may_watch(
                    session, await service.get_listing(session, listing_id), socket.user
                )
            except Exception:
                allowed = False
        if not allowed:
            await socket.close(code=4403, reason="not a watcher of this auction")
            return
        await socket.accept()
        room, send = rooms(state, channels), socket.send_text
        with contextlib.suppress(WebSocketDisconnect):
            try:
                await room.join(listing_id, send)
            except (RedisError, OSError):
                # Accepted first, so the client reads this reason rather than an HTTP 403.
                await socket.close(code=1013, reason="live bids unavailable (redis down), retry")
                return
            try:
                # Subscribed before reading: a bid accepted meanwhile comes twice, never not at all
                # (watchers drop a number they have).
                if after is not None:
                    async with state.db.read_session() as session:
                        missed = await service.bids_after(session, listing_id, _seq(after))
                    for bid in missed:
                        await socket.send_text(live.encode(live.bid_message(bid)))
                hello = {**await tick(state, channels, listing_id), "kind": "hello"}
                await socket.send_text(live.encode(hello))
                while True:
                    await socket.receive_text()
            finally:
                room.leave(listing_id, send)


def _seq(after: int) -> int:
    """A sequence number the database can compare (a client may send anything)."""
    return min(max(after, 0), 2**31 - 1)


def rooms(state: State, channels: ChannelsPlugin) -> live.Rooms:
    """This instance's rooms, made on first use."""
    if "auction_rooms" not in state:
        state.auction_rooms = live.Rooms(
            lambda listing_id: tick(state, channels, listing_id, settle=True), channels
        )
    return state.auction_rooms


async def tick(
    state: State, channels: ChannelsPlugin, listing_id: uuid.UUID, *, settle: bool = False
) -> dict[str, Any]:
    """The room's state now; with `settle`, what the clock decided is stored first (exactly once:
    under the listing's row lock, from the status it starts from)."""
    now = state.clock.now()
    async with state.db.session() as session:
        listing = await service.get_listing(session, listing_id)
        if settle and service.phase(listing, now) in (Phase.listing_ended, Phase.auction_ended):
            listing = await service.get_listing(session, listing_id, lock=True)
            if await service.settle(session, listing, now, state.settings.zone):
                await session.commit()
                await live.publish_committed(session, channels)
        fields = board_fields(listing, now)
    return {
        "kind": "clock",
        **{k: v for k, v in fields.items() if k in ("status", "phase", "seconds_left", "last_seq")},
        "server_time": live.iso(now),
        "current_price": format_yuan(listing.current_price_fen)
        if listing.current_price_fen is not None
        else None,
        "current_number": listing.current_number,
        "auction_end": live.iso(listing.auction_end),
        "listing_end": live.iso(listing.listing_end),
    }
