"""The bidder's workspace pages (rendered by this package: the core may not import it).

Sealing: the plain bid never reaches the server. The browser does NOT seal: the package format
(bidding/sealing/package.py: HPKE X25519 wraps of Shamir shares, an AES-256-GCM STREAM body, the
bidder's P-256 signature by a key kept in files made by `trading bid keygen`) would need HPKE and
the bidder's key files in the browser. The page says so, gives the sealing tool's steps and the
two files it needs, and uploads the sealed package (streamed, with a progress bar).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions import live
from bidding.auctions import service as auctions
from bidding.auctions.controllers import board_fields
from bidding.auctions.models import Listing
from bidding.auctions.schemas import BidIn as AuctionBidIn
from bidding.certificates.service import platform_authority
from bidding.keyholders import service as keyholders
from bidding.registrations import service as registrations
from bidding.registrations.schemas import RegistrationIn
from bidding.submissions import rules as submission_rules
from bidding.submissions import service as submissions
from trading.audit.service import SYSTEM
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.errors import DomainError, not_found
from trading.portal.web import form_errors, page, portal_guard, viewer
from trading.projects.models import Project, Section
from trading.settings import Settings

BIDDER = portal_guard(Role.bidder)
# Pages whose service makes something on its first read (the platform CA, the sealing parameters,
# a receipt's signed copy): a write session, not the read-only one GET pages get.
BIDDER_WRITES = {**BIDDER, **WRITES_ON_READ}


@get("/portal/bidder", opt=BIDDER, include_in_schema=False)
async def workspace(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
) -> Template:
    """The bidder's registrations: each sub-account, how much to pay, what has arrived, may it bid."""
    mine = await registrations.registrations_of_bidder(session, request.user)
    rows = await registrations.outs(session, mine, with_deposit_at=clock.now())
    return page("bidding/workspace.html", registrations=rows)


@get("/portal/bidder/sections/{section_id:uuid}/register", opt=BIDDER, include_in_schema=False)
async def registration_form(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    section_id: FromPath[uuid.UUID],
) -> Template:
    section, project = await _section(session, section_id)
    return page(
        "bidding/register.html",
        section=section,
        project=project,
        values={"contact_name": request.user.display_name, "contact_phone": "", "contact_email": ""},
        errors={},
    )


@post(
    "/portal/bidder/sections/{section_id:uuid}/register", opt=BIDDER, include_in_schema=False, status_code=303
)
async def register(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """报名 by form: the same checks as POST /api/bidding/sections/{id}/registrations."""
    values = {k: data.get(k, "").strip() for k in ("contact_name", "contact_phone", "contact_email")}
    try:
        contact = RegistrationIn.model_validate(values)
        await registrations.register(
            session,
            section_id=section_id,
            bidder=request.user,
            contact_name=contact.contact_name,
            contact_phone=contact.contact_phone,
            contact_email=contact.contact_email,
            at=clock.now(),
            zone=settings.zone,
        )
    except (ValidationError, DomainError) as exc:
        await session.rollback()
        section, project = await _section(session, section_id)
        return page(
            "bidding/register.html",
            status_code=400,
            section=section,
            project=project,
            values=values,
            errors=form_errors(request, exc),
        )
    await session.commit()
    return Redirect(path="/portal/bidder", status_code=303)


@get("/portal/bidder/sections/{section_id:uuid}/bid", opt=BIDDER_WRITES, include_in_schema=False)
async def bid_page(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
) -> Template:
    """Seal with the tool, upload the sealed package, see the receipts; withdraw before the deadline."""
    section, project = await _section(session, section_id)
    bids = await submissions.bids_of_bidder(session, section_id, request.user)
    receipts = await submissions.receipts_of(session, [b.id for b in bids])
    await submissions.finish_receipts(session, settings, clock, receipts, SYSTEM)
    await session.commit()
    return page(
        "bidding/bid.html",
        section=section,
        project=project,
        open=section.bid_deadline is not None and clock.now() < section.bid_deadline,
        bids=bids,
        receipts=receipts,
    )


@post(
    "/portal/bidder/sections/{section_id:uuid}/bid",
    opt=BIDDER,
    include_in_schema=False,
    request_max_body_size=submission_rules.REQUEST_LIMIT_BYTES,
    status_code=201,
)
async def upload_bid(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    read_session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
) -> Response[dict[str, Any]]:
    """The sealed package as the raw body (portal.js sends it with the CSRF header and shows the
    progress), streamed as the API does; the answer says where the receipt is."""
    receipt = await submissions.submit_bid(
        session,
        settings,
        clock,
        section_id=section_id,
        bidder=request.user,
        chunks=request.stream(),
        reader=read_session,
        max_bytes=submission_rules.MAX_PACKAGE_BYTES,
    )
    return Response({"receipt": f"/portal/bidder/receipts/{receipt.id}"}, status_code=201)


@post(
    "/portal/bidder/sections/{section_id:uuid}/withdrawal",
    opt=BIDDER,
    include_in_schema=False,
    status_code=303,
)
async def withdraw_bid(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Redirect:
    receipt = await submissions.withdraw_bid(
        session,
        settings,
        clock,
        section_id=section_id,
        bidder=request.user,
        reason=data.get("reason") or None,
    )
    return Redirect(path=f"/portal/bidder/receipts/{receipt.id}", status_code=303)


@get("/portal/bidder/receipts/{receipt_id:uuid}", opt=BIDDER_WRITES, include_in_schema=False)
async def receipt_page(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    receipt_id: FromPath[uuid.UUID],
) -> Template:
    receipt = await submissions.get_receipt(session, receipt_id, request.user)
    await submissions.finish_receipt(session, settings, clock, receipt, SYSTEM)
    platform = await platform_authority(session, settings, at=clock.now())
    await session.commit()
    document = submissions.receipt_document(receipt, platform.signer_pem)
    return page("bidding/receipt.html", receipt=receipt, body=receipt.body, signature=document["signature"])


@get("/portal/bidder/receipts/{receipt_id:uuid}/receipt.json", opt=BIDDER_WRITES, include_in_schema=False)
async def receipt_file(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    receipt_id: FromPath[uuid.UUID],
) -> Response[bytes]:
    """The signed receipt, for `trading bid verify-receipt` on the bidder's own machine."""
    receipt = await submissions.get_receipt(session, receipt_id, request.user)
    await submissions.finish_receipt(session, settings, clock, receipt, SYSTEM)
    platform = await platform_authority(session, settings, at=clock.now())
    await session.commit()
    body = json.dumps(
        submissions.receipt_document(receipt, platform.signer_pem), ensure_ascii=False, indent=2
    )
    return _download(body.encode(), f"receipt-{receipt_id}.json", "application/json")


@get(
    "/portal/bidder/sections/{section_id:uuid}/sealing-parameters.json",
    opt=BIDDER_WRITES,
    include_in_schema=False,
)
async def sealing_parameters(
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    section_id: FromPath[uuid.UUID],
) -> Response[bytes]:
    """`--parameters` of `trading bid seal`: the key holders' keys and threshold, platform-signed."""
    section, _ = await keyholders.section_for(session, section_id)
    document = await keyholders.signed_parameters(session, settings, section, at=clock.now())
    await session.commit()
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return _download(body, f"sealing-parameters-{section.code}.json", "application/json")


@get("/portal/bidder/platform-ca.pem", opt=BIDDER_WRITES, include_in_schema=False)
async def platform_ca(
    session: NamedDependency[AsyncSession], clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Response[bytes]:
    """`--ca` of `trading bid seal` and `bid verify-receipt`: the platform root CA as PEM."""
    platform = await platform_authority(session, settings, at=clock.now())
    await session.commit()
    return _download(platform.ca_pem.encode(), "platform-ca.pem", "application/x-pem-file")


# --- the listing board and the auction room ---------------------------------------------------


@get("/auctions", exclude_from_auth=True, include_in_schema=False)
async def listings(session: NamedDependency[AsyncSession], clock: NamedDependency[Clock]) -> Template:
    """The listing board (no login): every listing with its current price and phase."""
    rows = (
        await session.execute(
            select(Listing, Section)
            .join(Section, Section.id == Listing.section_id)
            .order_by(Listing.listing_start.desc())
        )
    ).all()
    now = clock.now()
    return page(
        "bidding/listings.html",
        listings=[{"section": section, **board_fields(listing, now)} for listing, section in rows],
    )


@get("/auctions/{listing_id:uuid}", exclude_from_auth=True, include_in_schema=False)
async def auction_room(
    request: Request[Any, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    listing_id: FromPath[uuid.UUID],
) -> Template:
    """The room as a watcher sees it. Signed-in watchers follow it live over the auction's
    websocket (portal.js); anyone else sees the public board, refreshed every few seconds. A
    bidder of the listing bids here."""
    listing = await auctions.get_listing(session, listing_id)
    section = await session.get(Section, listing.section_id)
    who = viewer(request)
    watcher = who is not None and await auctions.may_watch(session, listing, who)
    joined = (
        who is not None
        and who.organisation_id is not None
        and Role.bidder in who.roles
        and await auctions.bidder_of(session, listing.id, who.organisation_id) is not None
    )
    bids = await auctions.bids_after(session, listing.id, 0) if watcher else []
    return page(
        "bidding/auction_room.html",
        listing=listing,
        section=section,
        board=board_fields(listing, clock.now()),
        watcher=watcher,
        joined=joined,
        bids=[live.bid_message(b) for b in reversed(bids)],
        errors={},
    )


@post("/portal/auctions/{listing_id:uuid}/bids", opt=BIDDER, include_in_schema=False, status_code=303)
async def place_bid(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    channels: NamedDependency[ChannelsPlugin],
    listing_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """A bid by form: the same checks as POST /api/auctions/{id}/bids; the room hears it live."""
    try:
        price = AuctionBidIn.model_validate({"price": data.get("price", "").strip()}).price
        await auctions.place_bid(
            session, listing_id, bidder=request.user, price_fen=price, clock=clock, zone=settings.zone
        )
    except (ValidationError, DomainError) as exc:
        live.discard(session)
        await session.rollback()
        listing = await auctions.get_listing(session, listing_id)
        return page(
            "bidding/auction_room.html",
            status_code=400,
            listing=listing,
            section=await session.get(Section, listing.section_id),
            board=board_fields(listing, clock.now()),
            watcher=True,
            joined=True,
            bids=[live.bid_message(b) for b in reversed(await auctions.bids_after(session, listing.id, 0))],
            errors=form_errors(request, exc),
        )
    await session.commit()
    await live.publish_committed(session, channels)
    return Redirect(path=f"/auctions/{listing_id}", status_code=303)


def _download(body: bytes, name: str, media_type: str) -> Response[bytes]:
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def _section(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, Project]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project


def portal_pages() -> list[Any]:
    return [
        workspace,
        registration_form,
        register,
        bid_page,
        upload_bid,
        withdraw_bid,
        receipt_page,
        receipt_file,
        sealing_parameters,
        platform_ca,
        listings,
        auction_room,
        place_bid,
    ]
