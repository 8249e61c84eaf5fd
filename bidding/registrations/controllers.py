import uuid
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, HTTPException
from litestar.params import FromPath, JSONBody, MultipartBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.registrations import rules, service
from bidding.registrations.models import QualificationDocument
from bidding.registrations.schemas import (
    DocumentOut,
    DocumentUpload,
    RegistrationIn,
    RegistrationOut,
    ReviewIn,
    WithdrawIn,
)
from trading.auth.addresses import parse_networks, request_origin
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.problems import domain_error_handler, http_error_handler
from trading.settings import Settings
from trading.storage import BlobStore

BIDDERS = allow(Role.bidder)
STAFF = allow(Role.staff)
DOCUMENT_READERS = allow(Role.bidder, Role.staff, Role.auditor, Role.supervisor)
LIST_READERS = allow(Role.staff, Role.auditor, Role.supervisor, Role.principal, Role.agency)


def blob_store(settings: Settings) -> BlobStore:
    return BlobStore(settings.data_dir / "blobs")


def _too_large(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar refuses a body over the route's limit (413, or 400 for some multipart cases in 2.x,
    #4439) before the handler runs: answer with the same clear problem as a file over the limit."""
    if exc.status_code == 413 or exc.detail == "Request Entity Too Large":
        return domain_error_handler(request, rules.too_large())
    return http_error_handler(request, exc)


class RegistrationController(Controller):
    path = "/api/bidding"
    tags = ["bidding"]

    @post("/sections/{section_id:uuid}/registrations", operation_id="registerForSection", opt=BIDDERS)
    async def register(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        data: JSONBody[RegistrationIn],
    ) -> RegistrationOut:
        """报名: the bidder registers its own organisation while the section is open for
        registration; the answer carries the deposit sub-account to pay into."""
        now = clock.now()
        registration = await service.register(
            session,
            section_id=section_id,
            bidder=request.user,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            contact_email=data.contact_email,
            transferee_answers=[answer.model_dump() for answer in data.transferee_answers],
            at=now,
            zone=settings.zone,
        )
        await session.commit()
        return (await service.outs(session, [registration]))[0]

    @post(
        "/registrations/{registration_id:uuid}/documents",
        operation_id="uploadQualificationDocument",
        opt=BIDDERS,
        request_max_body_size=rules.MAX_DOCUMENT_BYTES + rules.MULTIPART_OVERHEAD,
        exception_handlers={413: _too_large, ClientException: _too_large},
    )
    async def upload(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        registration_id: FromPath[uuid.UUID],
        data: MultipartBody[DocumentUpload],
    ) -> DocumentOut:
        """One qualification document (PDF, JPEG, PNG or OFD, judged by content; 20 MB, 20 files)."""
        try:
            document = await service.upload_document(
                session,
                blob_store(settings),
                registration_id=registration_id,
                upload=data.file,
                kind=data.kind,
                bidder=request.user,
                at=clock.now(),
                zone=settings.zone,
                origin=request_origin(request, parse_networks(settings.trusted_proxies)),
            )
            await session.commit()
        finally:
            await data.file.close()
        return service.document_out(document)

    @get(
        "/registrations/{registration_id:uuid}/documents/{document_id:uuid}",
        operation_id="downloadQualificationDocument",
        opt=DOCUMENT_READERS,
    )
    async def download(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        registration_id: FromPath[uuid.UUID],
        document_id: FromPath[uuid.UUID],
    ) -> Stream:
        """The bidder itself, center staff, auditors and the sector's supervisors."""
        document = await service.document_for_download(session, registration_id, document_id, request.user)
        await session.close()
        return document_download(settings, document)

    @post(
        "/registrations/{registration_id:uuid}/accept",
        operation_id="acceptRegistration",
        opt=STAFF,
        status_code=200,
    )
    async def accept(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        registration_id: FromPath[uuid.UUID],
    ) -> RegistrationOut:
        """资格审查通过: the bidder may now submit a bid (with its deposit secured)."""
        registration = await service.review(
            session,
            registration_id,
            "accept",
            reason=None,
            reviewer=request.user,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return (await service.outs(session, [registration]))[0]

    @post(
        "/registrations/{registration_id:uuid}/reject",
        operation_id="rejectRegistration",
        opt=STAFF,
        status_code=200,
    )
    async def reject(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        registration_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn | None] = None,
    ) -> RegistrationOut:
        """资格审查不通过, with the reason the bidder sees; it may register again, corrected."""
        registration = await service.review(
            session,
            registration_id,
            "reject",
            reason=(data or ReviewIn()).reason,
            reviewer=request.user,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return (await service.outs(session, [registration]))[0]

    @post(
        "/registrations/{registration_id:uuid}/withdraw",
        operation_id="withdrawRegistration",
        opt=BIDDERS,
        status_code=200,
    )
    async def withdraw(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        registration_id: FromPath[uuid.UUID],
        data: JSONBody[WithdrawIn | None] = None,
    ) -> RegistrationOut:
        """书面撤回 before the bid deadline, with an optional statement; the deposit is then refunded
        (C-07)."""
        registration = await service.withdraw(
            session,
            registration_id,
            reason=(data or ReviewIn()).reason if data else None,
            bidder=request.user,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return (await service.outs(session, [registration]))[0]

    @get("/registrations/mine", operation_id="listMyRegistrations", opt=BIDDERS)
    async def mine(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
    ) -> list[RegistrationOut]:
        """The bidder's own registrations, newest first, with each deposit's position."""
        registrations = await service.registrations_of_bidder(session, request.user)
        return await service.outs(session, registrations, with_deposit_at=clock.now())

    @get(
        "/sections/{section_id:uuid}/registrations",
        operation_id="listSectionRegistrations",
        opt=LIST_READERS,
    )
    async def of_section(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
    ) -> list[RegistrationOut]:
        """Who registered. Confidential until the opening: staff, auditors and the sector's
        supervisors only; the section's principal and agency once the bids are opened."""
        registrations = await service.section_registrations_for(
            session, section_id, request.user, at=clock.now()
        )
        return await service.outs(session, registrations)


def document_download(settings: Settings, document: QualificationDocument) -> Stream:
    """A stored qualification file as an attachment under its own name (the API's download and
    the bidder's portal page)."""
    ascii_name = document.file_name.encode("ascii", "replace").decode().replace("?", "_")
    return Stream(
        blob_store(settings).read_stream(document.sha256),
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}"; '
            f"filename*=UTF-8''{quote(document.file_name)}",
            "Content-Length": str(document.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
