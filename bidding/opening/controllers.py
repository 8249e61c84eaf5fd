import asyncio
import contextlib
import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, FromQuery, JSONBody
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates.service import platform_authority
from bidding.keyholders.service import plan_of
from bidding.opening import live, service
from bidding.opening.models import Opening
from bidding.opening.schemas import (
    AnswerIn,
    AnswerOut,
    BidderKeyIn,
    EntryOut,
    EventOut,
    HolderStateOut,
    HolderWrapsOut,
    OpeningOut,
    RecordOut,
    ReleasedOut,
    SharesIn,
    StartIn,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.errors import Conflict, not_found
from trading.organisations.models import Organisation
from trading.settings import Settings

FOLLOWERS = allow(
    Role.staff, Role.admin, Role.auditor, Role.supervisor, Role.principal, Role.agency, Role.bidder
)
HOLDERS = allow(Role.staff, Role.supervisor, Role.principal, Role.agency)


async def _visible(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> None:
    if not await service.may_follow(session, section_id, viewer):
        raise not_found("opening", "开标", section_id)


async def _opening_out(session: AsyncSession, opening: Opening, now: dt.datetime) -> OpeningOut:
    found = await plan_of(session, opening.section_id)
    released = await service.releases_summary(session, opening)
    entries = await service.entries(session, opening)
    answers = await service.confirmations(session, opening)
    names = {
        o.id: o.name
        for o in (
            await session.scalars(
                select(Organisation).where(Organisation.id.in_([e.organisation_id for e in entries]))
            )
        ).all()
    }
    answered = {a.organisation_id for a in answers}
    window_closed = opening.confirmation_ends_at is not None and now >= opening.confirmation_ends_at
    return OpeningOut(
        section_id=opening.section_id,
        status=opening.status,
        started_at=opening.started_at,
        bids_at_deadline=opening.bids_at_deadline,
        decryption_ends_at=opening.decryption_ends_at,
        threshold=found[0].threshold if found else 0,
        holders=[
            HolderStateOut(position=h.position, party=h.party, released_shares=released.get(h.position, 0))
            for h in (found[1] if found else [])
        ],
        entries=[
            EntryOut(
                bid_id=e.bid_id,
                organisation_id=e.organisation_id,
                bidder=names.get(e.organisation_id, ""),
                status=e.status,
                key_source=e.key_source,
                price=e.price_fen,
                duration_days=e.duration_days,
                bid_data=e.bid_data if e.status == "valid" else None,
                anomalies=e.anomalies,
            )
            for e in entries
        ],
        pending_bids=0 if opening.status != "collecting" else opening.bids_at_deadline - len(entries),
        recorded_at=opening.recorded_at,
        record_sha256=opening.record_sha256,
        failure=opening.record if opening.status == "failed" else None,
        confirmation_ends_at=opening.confirmation_ends_at,
        answers=[
            AnswerOut(
                organisation_id=a.organisation_id,
                bidder=names.get(a.organisation_id, ""),
                decision=a.decision,
                comment=a.comment,
                answered_at=a.answered_at,
            )
            for a in answers
        ],
        deemed_confirmed=sorted(
            names[e.organisation_id] for e in entries if e.organisation_id not in answered
        )
        if window_closed
        else [],
        last_event=opening.last_event,
    )


class OpeningController(Controller):
    path = "/api/bidding/sections"
    tags = ["bidding"]

    @post("/{section_id:uuid}/opening", operation_id="startOpening", opt=allow(Role.staff), status_code=201)
    async def start(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[StartIn | None] = None,
    ) -> OpeningOut:
        """Start the opening after the deadline: the bids are counted against the rule (C-09 / P-06);
        too few and the section fails with the bids unopened."""
        now = clock.now()
        opening = await service.start(
            session,
            settings,
            section_id=section_id,
            actor=request.user,
            at=now,
            decryption_minutes=(data or StartIn()).decryption_minutes,
        )
        await session.commit()
        await live.publish_committed(session, channels)
        return await _opening_out(session, opening, now)

    @get("/{section_id:uuid}/opening", operation_id="getOpening", opt=FOLLOWERS)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> OpeningOut:
        await _visible(session, section_id, request.user)
        opening = await service.get_opening(session, section_id)
        if opening is None:
            raise not_found("opening", "开标", section_id)
        return await _opening_out(session, opening, clock.now())

    @get("/{section_id:uuid}/opening/events", operation_id="listOpeningEvents", opt=FOLLOWERS)
    async def events(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
        after: FromQuery[int] = 0,
    ) -> list[EventOut]:
        """The numbered live events after `after`: what a client reloads when it sees a gap."""
        await _visible(session, section_id, request.user)
        return [
            EventOut(**live.message(e)) for e in await live.events_after(session, section_id, max(after, 0))
        ]

    @get("/{section_id:uuid}/opening/shares", operation_id="getHolderWraps", opt=HOLDERS)
    async def wraps(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromPath[uuid.UUID],
    ) -> HolderWrapsOut:
        """For a key holder, after the deadline: the manifests to open its shares from."""
        position, bids = await service.wraps_for_holder(session, section_id, request.user)
        return HolderWrapsOut(position=position, bids=bids)

    @post("/{section_id:uuid}/opening/shares", operation_id="releaseShares", opt=HOLDERS, status_code=200)
    async def release(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[SharesIn],
    ) -> ReleasedOut:
        """Release the shares opened with `trading keyholder release`; each is checked on arrival."""
        shares = {item.bid_id: item.share for item in data.shares}
        result = await service.release_shares(
            session, section_id=section_id, user=request.user, shares=shares, at=clock.now()
        )
        await session.commit()
        await live.publish_committed(session, channels)
        return ReleasedOut(accepted=result.accepted, already_released=result.already)

    @post(
        "/{section_id:uuid}/opening/bidder-key",
        operation_id="releaseBidderKey",
        opt=allow(Role.bidder),
        status_code=200,
    )
    async def bidder_key(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[BidderKeyIn],
    ) -> dict[str, bool]:
        """Decrypt your own bid during the decryption window: release its content key (E-05)."""
        await service.release_bidder_key(
            session, section_id=section_id, bidder=request.user, content_key=data.content_key, at=clock.now()
        )
        await session.commit()
        await live.publish_committed(session, channels)
        return {"released": True}

    @post(
        "/{section_id:uuid}/opening/unseal", operation_id="unsealBids", opt=allow(Role.staff), status_code=200
    )
    async def unseal(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
    ) -> OpeningOut:
        """Unseal every bid whose key is available; with all decided, sign the opening record."""
        now = clock.now()
        opening = await service.unseal_bids(
            session, settings, section_id=section_id, actor=request.user, at=now
        )
        await session.commit()
        await live.publish_committed(session, channels)
        return await _opening_out(session, opening, now)

    @get(
        "/{section_id:uuid}/opening/record",
        operation_id="getOpeningRecord",
        opt={**FOLLOWERS, **WRITES_ON_READ},
    )
    async def record(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
    ) -> RecordOut:
        """The signed opening record (JSON, versioned): the basis of the PDF."""
        await _visible(session, section_id, request.user)
        opening = await service.get_opening(session, section_id)
        if opening is None or opening.record is None or opening.record_signature is None:
            raise Conflict("opening.not_recorded", "开标记录尚未生成", "the opening record is not ready yet")
        platform = await platform_authority(session, settings, at=clock.now())
        await session.commit()
        return RecordOut(
            body=opening.record, signature=opening.record_signature, certificate=platform.signer_pem
        )

    @post("/{section_id:uuid}/opening/answers", operation_id="answerOpeningRecord", opt=allow(Role.bidder))
    async def answer(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[AnswerIn],
    ) -> AnswerOut:
        """Confirm the opening record, or object to it with a reason, within the window."""
        answer = await service.answer_record(
            session,
            section_id=section_id,
            bidder=request.user,
            decision=data.decision,
            comment=data.comment,
            at=clock.now(),
        )
        organisation = await session.get(Organisation, answer.organisation_id)
        await session.commit()
        await live.publish_committed(session, channels)
        return AnswerOut(
            organisation_id=answer.organisation_id,
            bidder=organisation.name if organisation else "",
            decision=answer.decision,
            comment=answer.comment,
            answered_at=answer.answered_at,
        )

    @websocket("/{section_id:uuid}/opening/live", opt=FOLLOWERS)
    async def follow(
        self,
        socket: WebSocket[Identity, Any, Any],
        channels: NamedDependency[ChannelsPlugin],
        section_id: FromPath[uuid.UUID],
        after: FromQuery[int | None] = None,
    ) -> None:
        """Follow the opening live: numbered events, each once and in order, even across a Redis
        outage. A client that reconnects with `after=<last seq it has>` first gets the events it
        missed, then `hello`."""
        async with socket.app.state.db.read_session() as session:
            allowed = await service.may_follow(session, section_id, socket.user)
        if not allowed:
            await socket.close(code=4403, reason="not a participant of this opening")
            return
        await socket.accept()

        with contextlib.suppress(WebSocketDisconnect):
            async with contextlib.AsyncExitStack() as stack:
                try:
                    subscriber = await stack.enter_async_context(
                        channels.start_subscription([live.channel(section_id)])
                    )
                except (RedisError, OSError):
                    # Accepted first, so the client reads this reason rather than an HTTP 403.
                    await socket.close(code=1013, reason="live events unavailable (redis down), retry")
                    return
                # Subscribed before reading, so nothing committed meanwhile is missed; the follower
                # drops what it has already sent.
                db = socket.app.state.db
                async with db.read_session() as session:
                    opening = await service.get_opening(session, section_id)
                    last = opening.last_event if opening else 0
                # A client cannot claim more than there is (it would never be sent the rest).
                upto = last if after is None else min(_seq(after), last)
                follower = live.Follower(socket.send_text, db, section_id, upto)
                await follower.catch_up()
                hello = {"kind": "hello", "section_id": str(section_id), "last_seq": follower.upto}
                await socket.send_json(hello)
                await stack.enter_async_context(subscriber.run_in_background(follower.forward))
                keeping_up = asyncio.create_task(follower.keep_up())
                stack.callback(keeping_up.cancel)
                while True:
                    await socket.receive_text()


def _seq(after: int) -> int:
    """A sequence number the database can compare (a client may send anything)."""
    return min(max(after, 0), 2**31 - 1)
