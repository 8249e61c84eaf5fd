"""Issuing and reading documents (logged in), and verifying them (anyone, no login)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import ANY_USER
from trading.auth.identity import Identity
from trading.clock import Clock
from trading.documents import service
from trading.documents.desk import DocumentDesk
from trading.documents.models import IssuedDocument
from trading.documents.schemas import (
    CertificateOut,
    DocumentOut,
    IssueIn,
    KindOut,
    Related,
    SignatureOut,
    VerificationOut,
)
from trading.documents.workers import RendererUnavailable
from trading.errors import NotFound
from trading.settings import Settings

MAX_CHECKED_BYTES = 50 << 20


def _desk(state: State) -> DocumentDesk:
    return state.documents


def _pdf(desk: DocumentDesk, document: IssuedDocument) -> Stream:
    return Stream(
        desk.store.read_stream(document.sha256),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{document.verification_code}.pdf"',
            "Content-Length": str(document.size),
        },
    )


class DocumentController(Controller):
    path = "/api/documents"
    tags = ["documents"]

    @get("/kinds", operation_id="listDocumentKinds", opt=ANY_USER)
    async def kinds(self, state: State) -> list[KindOut]:
        """The kinds of document the platform issues, what each is about and who may issue and read it."""
        return [
            KindOut(
                name=k.name,
                zh=k.zh,
                en=k.en,
                subject=k.subject_help,
                issuers=sorted(k.issuers),
                readers=sorted(k.readers),
            )
            for k in _desk(state).kinds.all()
        ]

    @post("/", operation_id="issueDocument", opt=ANY_USER, status_code=201)
    async def issue(
        self,
        request: Request[Identity, Any, Any],
        state: State,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[IssueIn],
    ) -> Response[DocumentOut]:
        """Render, sign and store a document (201); the current one if it was already issued (200).
        A correction names the document it supersedes and why."""
        desk = _desk(state)
        prepared = await service.prepare(
            session,
            desk.kinds,
            desk.signer,
            service.IssueRequest(**data.model_dump()),
            viewer=request.user,
            at=clock.now(),
            settings=settings,
        )
        if isinstance(prepared, IssuedDocument):
            return Response(DocumentOut.model_validate(prepared), status_code=200)
        # The number is kept; no transaction stays open while the worker renders.
        await session.commit()
        try:
            rendered = await desk.pool.render(prepared.job)
        except RendererUnavailable as exc:
            exc.details["void_number"] = prepared.job.document["number"]
            raise
        document, created = await service.complete(
            session, prepared, rendered, desk.store, viewer=request.user
        )
        await session.commit()
        return Response(DocumentOut.model_validate(document), status_code=201 if created else 200)

    @get("/", operation_id="listDocuments", opt=ANY_USER)
    async def list_documents(
        self,
        request: Request[Identity, Any, Any],
        state: State,
        session: NamedDependency[AsyncSession],
        kind: FromQuery[str | None] = None,
        subject: FromQuery[str | None] = None,
    ) -> list[DocumentOut]:
        rows = await service.list_for_reader(
            session, _desk(state).kinds, request.user, kind=kind, subject=subject
        )
        return [DocumentOut.model_validate(d) for d in rows]

    @get("/{document_id:uuid}", operation_id="getDocument", opt=ANY_USER)
    async def get_one(
        self,
        request: Request[Identity, Any, Any],
        state: State,
        session: NamedDependency[AsyncSession],
        document_id: FromPath[uuid.UUID],
    ) -> DocumentOut:
        document = await service.get_for_reader(session, _desk(state).kinds, document_id, request.user)
        return DocumentOut.model_validate(document)

    @get("/{document_id:uuid}/pdf", operation_id="downloadDocument", opt=ANY_USER)
    async def pdf(
        self,
        request: Request[Identity, Any, Any],
        state: State,
        session: NamedDependency[AsyncSession],
        document_id: FromPath[uuid.UUID],
    ) -> Stream:
        """The signed original, from storage (never rendered again)."""
        desk = _desk(state)
        return _pdf(desk, await service.get_for_reader(session, desk.kinds, document_id, request.user))


def _related(document: IssuedDocument | None, settings: Settings) -> Related | None:
    if document is None:
        return None
    return Related(
        number=document.number,
        code=document.verification_code,
        issued_at=document.issued_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        reason=document.correction_reason,
    )


def _message(found: service.Verification) -> dict[str, str]:
    if found.document is None:
        return {
            "zh-CN": "未找到该文书：不是本中心出具的原件",
            "en": "no such document: not an original issued by the center",
        }
    if not found.genuine:
        return {
            "zh-CN": "文书原件校验未通过，请联系交易中心",
            "en": "the original failed its check; contact the center",
        }
    if found.successor is not None:
        return {
            "zh-CN": f"真实有效，但已被更正文书{found.successor.number}取代",
            "en": f"genuine, but superseded by the correction {found.successor.number}",
        }
    return {"zh-CN": "真实有效：本中心出具的文书原件", "en": "genuine: an original issued by the center"}


def verification_out(found: service.Verification, desk: DocumentDesk, settings: Settings) -> VerificationOut:
    document, check = found.document, found.signature
    signature = (
        None
        if check is None
        else SignatureOut(
            signed=check.signed,
            valid=check.valid,
            intact=check.intact,
            trusted=check.trusted,
            covers_whole_file=check.covers_whole_file,
            signer=check.signer,
        )
    )
    if document is None:
        return VerificationOut(genuine=False, signature=signature, message=_message(found))
    kind = desk.kinds.get(document.kind)
    return VerificationOut(
        genuine=found.genuine,
        code=document.verification_code,
        number=document.number,
        kind=document.kind,
        kind_name=kind.en if document.language == "en" else kind.zh,
        title=document.title,
        language=document.language,
        issued_at=document.issued_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
        issued_by=document.issuer_name,
        issuer=settings.center_name,
        sha256=document.sha256,
        pages=document.pages,
        superseded_by=_related(found.successor, settings),
        supersedes=_related(found.predecessor, settings),
        original_url=f"/verify/{document.verification_code}/pdf",
        signature=signature,
        message=_message(found),
    )


async def _verify_code(session: AsyncSession, desk: DocumentDesk, code: str) -> service.Verification:
    document = await service.by_code(session, code)
    if document is None:
        raise NotFound("document.unknown_code", f"验证码不存在：{code}", f"no document has the code {code}")
    return await service.verify_stored(session, document, desk.store, desk.signer)


class PublicVerificationController(Controller):
    """Anyone holding a document checks it: by its code, or by uploading the file itself."""

    path = "/api/public/documents"
    tags = ["documents"]

    @get("/verify/{code:str}", operation_id="verifyDocument", exclude_from_auth=True)
    async def verify(
        self,
        state: State,
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        code: FromPath[str],
    ) -> VerificationOut:
        desk = _desk(state)
        return verification_out(await _verify_code(session, desk, code), desk, settings)

    @post(
        "/verify",
        operation_id="verifyDocumentFile",
        exclude_from_auth=True,
        status_code=200,
        request_max_body_size=MAX_CHECKED_BYTES,
    )
    async def verify_file(
        self,
        request: Request[Any, Any, Any],
        state: State,
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> VerificationOut:
        """The PDF as the request body: genuine only if byte for byte an issued original."""
        desk = _desk(state)
        found = await service.verify_copy(session, await request.body(), desk.signer)
        return verification_out(found, desk, settings)

    @get("/certificate", operation_id="getDocumentCertificate", exclude_from_auth=True)
    async def certificate(self, state: State) -> CertificateOut:
        """The center's document CA (trust it once to check documents offline) and signing certificate."""
        signer = _desk(state).signer
        from cryptography.hazmat.primitives.serialization import Encoding

        return CertificateOut(
            ca_pem=signer.ca_pem,
            signer_pem=signer.certificate.public_bytes(Encoding.PEM).decode(),
            ca_sha256_fingerprint=signer.fingerprint,
        )


async def verification_of_code(
    session: AsyncSession, state: State, settings: Settings, code: str
) -> VerificationOut | None:
    """What the verification page shows for a code (None: no document has it); the page itself
    is the portal's (trading/portal/public.py)."""
    desk = _desk(state)
    document = await service.by_code(session, code)
    if document is None:
        return None
    return verification_out(
        await service.verify_stored(session, document, desk.store, desk.signer), desk, settings
    )


@get("/verify/{code:str}/pdf", exclude_from_auth=True, include_in_schema=False)
async def verify_original(
    state: State, session: NamedDependency[AsyncSession], code: FromPath[str]
) -> Stream:
    """The original as issued, for comparison with the copy one holds."""
    document = await service.by_code(session, code)
    if document is None:
        raise NotFound("document.unknown_code", f"验证码不存在：{code}", f"no document has the code {code}")
    return _pdf(_desk(state), document)


def route_handlers() -> list[Any]:
    return [DocumentController, PublicVerificationController, verify_original]
