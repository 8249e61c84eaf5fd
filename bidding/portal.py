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
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, HTTPException
from litestar.params import Body, FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Stream, Template
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
from bidding.opening import live as opening_live
from bidding.opening import service as opening_service
from bidding.opening.controllers import _opening_out
from bidding.opening.schemas import AnswerIn
from bidding.registrations import rules as registration_rules
from bidding.registrations import service as registrations
from bidding.registrations.controllers import blob_store, document_download
from bidding.registrations.schemas import ConditionAnswer, RegistrationIn
from bidding.submissions import rules as submission_rules
from bidding.submissions import service as submissions
from trading.audit.service import SYSTEM
from trading.auth.addresses import parse_networks, request_origin
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.db.session import WRITES_ON_READ
from trading.errors import DomainError, not_found
from trading.portal.web import PAGE_EXCEPTION_HANDLERS, form_errors, page, portal_guard, t, viewer, wants_page
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
        conditions=await registrations.transferee_conditions(session, section_id),
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
    """报名 by form: the same checks as POST /api/bidding/sections/{id}/registrations. A property
    transferee answers the listing's conditions by their place on the form (`met-<i>` ticked,
    `evidence-<i>`), so the answers always name the conditions as stated."""
    values = {k: v.strip() for k, v in data.items() if k != "_csrf_token"}
    conditions = await registrations.transferee_conditions(session, section_id)
    answers = [
        {
            "condition": c["text"],
            "met": values.get(f"met-{i}") == "1",
            "evidence": values.get(f"evidence-{i}"),
        }
        for i, c in enumerate(conditions)
    ]
    try:
        contact = RegistrationIn.model_validate(
            {k: values.get(k, "") for k in ("contact_name", "contact_phone", "contact_email")}
        )
        await registrations.register(
            session,
            section_id=section_id,
            bidder=request.user,
            contact_name=contact.contact_name,
            contact_phone=contact.contact_phone,
            contact_email=contact.contact_email,
            transferee_answers=[ConditionAnswer.model_validate(a).model_dump() for a in answers],
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
            conditions=conditions,
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


# --- qualification documents -------------------------------------------------------------------

DOCUMENT_FIELDS = {"": "file"}  # the service's document refusals are about the file


def _document_too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar refuses a body over the route's limit before the handler runs (413, or 400 for
    some multipart cases, #4439): the same refusal as a file over the limit, as the API gives."""
    if exc.status_code == 413 or exc.detail == "Request Entity Too Large":
        return PAGE_EXCEPTION_HANDLERS[DomainError](request, registration_rules.too_large())
    return PAGE_EXCEPTION_HANDLERS[HTTPException](request, exc)


async def _documents_page(
    request: Request[Identity, Any, Any],
    session: AsyncSession,
    registration_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    kind: str = "",
    status_code: int = 200,
) -> Template:
    registration, section, project = await registrations.visible_registration(
        session, registration_id, request.user
    )
    documents = (await registrations.documents_of(session, [registration.id]))[registration.id]
    return page(
        "bidding/documents.html",
        status_code=status_code,
        registration=registration,
        section=section,
        project=project,
        documents=documents,
        status_zh=registration_rules.STATUS_ZH_OF[registration_rules.RegistrationStatus(registration.status)],
        kinds=registration_rules.DOCUMENT_KIND_ZH,
        kind=kind,
        max_bytes=registration_rules.MAX_DOCUMENT_BYTES,
        max_documents=registration_rules.MAX_DOCUMENTS,
        errors=errors or {},
    )


@get("/portal/bidder/registrations/{registration_id:uuid}/documents", opt=BIDDER, include_in_schema=False)
async def documents_page(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    registration_id: FromPath[uuid.UUID],
) -> Template:
    """The registration's qualification documents, each with its SHA-256, and the upload form."""
    return await _documents_page(request, session, registration_id)


@post(
    "/portal/bidder/registrations/{registration_id:uuid}/documents",
    opt=BIDDER,
    include_in_schema=False,
    request_max_body_size=registration_rules.MAX_DOCUMENT_BYTES + registration_rules.MULTIPART_OVERHEAD,
    exception_handlers={413: _document_too_large, ClientException: _document_too_large},
    status_code=303,
)
async def upload_document(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    registration_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Any:
    """One document by form (multipart `kind` and `file`): the same service and limits as POST
    /api/bidding/registrations/{id}/documents. portal.js sends it with a progress bar and asks
    for JSON; a browser without the script gets the page back."""
    upload, kind = data.get("file"), str(data.get("kind", ""))
    errors: dict[str, str] = {}
    if kind not in registration_rules.DOCUMENT_KIND_ZH:
        errors["kind"] = t(request, "请选择文件类别", "Choose the kind of document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors["file"] = t(request, "请选择要上传的文件", "Choose the file to upload")
    try:
        if errors:
            raise _FormIncomplete
        assert isinstance(upload, UploadFile)
        document = await registrations.upload_document(
            session,
            blob_store(settings),
            registration_id=registration_id,
            upload=upload,
            kind=registration_rules.DocumentKind(kind),
            bidder=request.user,
            at=clock.now(),
            zone=settings.zone,
            origin=request_origin(request, parse_networks(settings.trusted_proxies)),
        )
        await session.commit()
    except (DomainError, _FormIncomplete) as exc:
        await session.rollback()
        status = exc.status if isinstance(exc, DomainError) else 422
        if isinstance(exc, DomainError):
            errors = form_errors(request, exc, DOCUMENT_FIELDS if exc.code.startswith("document.") else None)
        if not wants_page(request):
            # portal.js puts the problem's message beside the file, the form's errors beside theirs.
            if isinstance(exc, DomainError):
                return PAGE_EXCEPTION_HANDLERS[DomainError](request, exc)
            return Response({"errors": errors}, status_code=status)
        return await _documents_page(
            request, session, registration_id, errors=errors, kind=kind, status_code=status
        )
    finally:
        if isinstance(upload, UploadFile):
            await upload.close()
    target = f"/portal/bidder/registrations/{registration_id}/documents#doc-{document.id}"
    if not wants_page(request):
        return Response(
            {"document": registrations.document_out(document).model_dump(mode="json"), "page": target},
            status_code=201,
        )
    return Redirect(path=target, status_code=303)


class _FormIncomplete(Exception):
    """A field the form must carry is missing: shown beside it, nothing sent to the service."""


@get(
    "/portal/bidder/registrations/{registration_id:uuid}/documents/{document_id:uuid}",
    opt=BIDDER,
    include_in_schema=False,
)
async def download_document(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    registration_id: FromPath[uuid.UUID],
    document_id: FromPath[uuid.UUID],
) -> Stream:
    """The stored file, to compare with the bidder's own copy (the same as the API's download)."""
    document = await registrations.document_for_download(session, registration_id, document_id, request.user)
    await session.close()
    return document_download(settings, document)


# --- the opening, followed live --------------------------------------------------------------

# How often the opening page asks for new events (htmx); each answer is empty (204) unless
# something happened.
OPENING_POLL_SECONDS = 2


async def _opening_state(
    request: Request[Identity, Any, Any], session: AsyncSession, clock: Clock, section_id: uuid.UUID
) -> dict[str, Any]:
    """What the bidder following the opening sees: the opening as the API shows it, its events,
    and this organisation's answer to the record. Only those who may follow it (E-04) see it."""
    if not await opening_service.may_follow(session, section_id, request.user):
        raise not_found("opening", "开标", section_id)
    current = await opening_service.get_opening(session, section_id)
    state = await _opening_out(session, current, clock.now()) if current else None
    mine = state and next(
        (a for a in state.answers if a.organisation_id == request.user.organisation_id), None
    )
    return {
        "opening": state,
        "events": await opening_live.events_after(session, section_id, 0) if current else [],
        "last_event": current.last_event if current else 0,
        "my_answer": mine,
        "answer_open": state is not None
        and state.status == "recorded"
        and mine is None
        and state.confirmation_ends_at is not None
        and clock.now() < state.confirmation_ends_at
        and any(e.organisation_id == request.user.organisation_id for e in state.entries),
        "poll_seconds": OPENING_POLL_SECONDS,
    }


async def _opening_page(
    request: Request[Identity, Any, Any],
    session: AsyncSession,
    clock: Clock,
    section_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    state = await _opening_state(request, session, clock, section_id)
    section, project = await _section(session, section_id)
    return page(
        "bidding/opening.html",
        status_code=status_code,
        section=section,
        project=project,
        errors=errors or {},
        form=form or {},
        **state,
    )


@get("/portal/bidder/sections/{section_id:uuid}/opening", opt=BIDDER, include_in_schema=False)
async def opening_page(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
) -> Template:
    """开标 followed online (E-04): the holders' shares, each bid unsealed and read out, the
    signed record; then confirm it or object with a reason."""
    return await _opening_page(request, session, clock, section_id)


@get("/portal/bidder/sections/{section_id:uuid}/opening/live", opt=BIDDER, include_in_schema=False)
async def opening_live_panel(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
    after: FromQuery[int] = 0,
) -> Any:
    """The opening page's live part, polled by htmx: nothing (204) while no event after `after`
    has been committed, else the part again. Events are numbered in the database with the change
    they report (bidding/opening/live.py), so a poll misses none."""
    if not await opening_service.may_follow(session, section_id, request.user):
        raise not_found("opening", "开标", section_id)
    current = await opening_service.get_opening(session, section_id)
    if (current.last_event if current else 0) <= after:
        return Response(b"", status_code=204)
    state = await _opening_state(request, session, clock, section_id)
    section, _ = await _section(session, section_id)
    # When the record is signed the answer form appears: the whole page is shown again.
    signed_now = any(e.kind == "record.signed" and e.seq > after for e in state["events"])
    response = page("bidding/opening_live.html", section=section, **state)
    if signed_now and after > 0:
        response.headers["HX-Refresh"] = "true"
    return response


@post(
    "/portal/bidder/sections/{section_id:uuid}/opening/answer",
    opt=BIDDER,
    include_in_schema=False,
    status_code=303,
)
async def answer_opening(
    request: Request[Identity, Any, Any],
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    channels: NamedDependency[ChannelsPlugin],
    section_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    """Confirm the opening record, or object to it with the reason, within the window (E-04):
    the same service as POST /api/bidding/sections/{id}/opening/answers."""
    form = {"decision": data.get("decision", ""), "comment": data.get("comment", "").strip()}
    try:
        answer = AnswerIn.model_validate({"decision": form["decision"], "comment": form["comment"] or None})
        await opening_service.answer_record(
            session,
            section_id=section_id,
            bidder=request.user,
            decision=answer.decision,
            comment=answer.comment,
            at=clock.now(),
        )
    except (ValidationError, DomainError) as exc:
        await session.rollback()
        # An objection without its reason is the reason field's fault.
        reason_missing = isinstance(exc, DomainError) and exc.code == "opening.objection_reason_required"
        return await _opening_page(
            request,
            session,
            clock,
            section_id,
            errors=form_errors(request, exc, {"": "comment"} if reason_missing else None),
            form=form,
            status_code=exc.status if isinstance(exc, DomainError) else 422,
        )
    await session.commit()
    await opening_live.publish_committed(session, channels)
    return Redirect(path=f"/portal/bidder/sections/{section_id}/opening#answer", status_code=303)


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
        documents_page,
        upload_document,
        download_document,
        opening_page,
        opening_live_panel,
        answer_opening,
        listings,
        auction_room,
        place_bid,
    ]
