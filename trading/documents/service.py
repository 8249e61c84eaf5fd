"""Issuing, reading and verifying the center's documents.

Issuing is two short transactions around the rendering, so no database lock is held while a
worker draws a long document: `prepare` checks who asks, loads the data and reserves the number;
the worker renders and signs; `complete` stores the PDF once by SHA-256 and records it. A number
reserved for a rendering that failed stays unused (the 503 answer names it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import anyio
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import record
from trading.auth.identity import Identity, Role
from trading.documents.models import DocumentCounter, IssuedDocument
from trading.documents.registry import DocumentKind, DocumentKinds, LoadRequest
from trading.documents.rendering import Rendered, RenderJob
from trading.documents.signer import DocumentSigner
from trading.documents.validation import SignatureCheck, check_signature
from trading.errors import Conflict, DomainError, Forbidden, NotFound
from trading.settings import Settings
from trading.storage import BlobStore

LANGUAGES = ("zh-CN", "en")
# Crockford's base32: no I, L, O or U, so a code read aloud or retyped is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits: not guessable, short enough to type from paper


@dataclass(frozen=True)
class IssueRequest:
    kind: str
    subject: str
    language: str = "zh-CN"
    supersedes: uuid.UUID | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Prepared:
    kind: DocumentKind
    request: IssueRequest
    job: RenderJob
    title: str
    sector: str | None
    organisation_id: uuid.UUID | None
    copy_to_id: uuid.UUID | None
    at: dt.datetime


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """What a person typed → the stored form: case, spaces and dashes ignored, O/I/L read as 0/1."""
    raw = text.upper().replace("-", "").replace(" ", "").translate(str.maketrans("OIL", "011"))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _check_issuer(kind: DocumentKind, viewer: Identity) -> None:
    if not viewer.has(*kind.issuers):
        raise Forbidden(
            "document.not_allowed",
            f"您的角色不能出具{kind.zh}",
            f"your role may not issue a {kind.en}",
            details={"kind": kind.name},
        )


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(
            "document.bad_language",
            f"不支持的文书语言：{language}",
            f"unsupported document language {language}",
            status=422,
            details={"languages": list(LANGUAGES)},
        )


async def current(session: AsyncSession, kind: str, subject: str, language: str) -> IssuedDocument | None:
    """The newest document of this kind about this subject that no correction replaced."""
    replaced = select(IssuedDocument.supersedes_id).where(IssuedDocument.supersedes_id.is_not(None))
    return await session.scalar(
        select(IssuedDocument)
        .where(
            IssuedDocument.kind == kind,
            IssuedDocument.subject == subject,
            IssuedDocument.language == language,
            IssuedDocument.id.not_in(replaced),
        )
        .order_by(IssuedDocument.issued_at.desc())
        .limit(1)
    )


async def _superseded(session: AsyncSession, request: IssueRequest) -> IssuedDocument:
    previous = await session.get(IssuedDocument, request.supersedes)
    if previous is None or previous.kind != request.kind or previous.subject != request.subject:
        raise DomainError(
            "document.bad_supersedes",
            "被更正的文书不存在或不是同一事项的同类文书",
            "the document to correct does not exist or is not of the same kind and subject",
            status=422,
        )
    if not (request.reason or "").strip():
        raise DomainError(
            "document.reason_required",
            "更正文书须说明更正原因",
            "a correction must say why",
            status=422,
        )
    if await successor_of(session, previous.id) is not None:
        raise Conflict(
            "document.already_superseded",
            f"文书{previous.number}已被更正，请更正其最新版本",
            f"document {previous.number} was already corrected; correct its newest version",
        )
    return previous


async def reserve_number(session: AsyncSession, at: dt.datetime, settings: Settings) -> str:
    year = at.astimezone(settings.zone).year
    bump = (
        update(DocumentCounter)
        .where(DocumentCounter.year == year)
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)
    )
    number = await session.scalar(bump)
    if number is None:
        try:
            async with session.begin_nested():
                session.add(DocumentCounter(year=year, last_number=1))
            number = 1
        except IntegrityError:
            number = await session.scalar(bump)
    return f"{settings.document_number_prefix}〔{year}〕{number:06d}"


async def prepare(
    session: AsyncSession,
    kinds: DocumentKinds,
    signer: DocumentSigner,
    request: IssueRequest,
    *,
    viewer: Identity,
    at: dt.datetime,
    settings: Settings,
) -> Prepared | IssuedDocument:
    """Everything before rendering; an already issued current document is returned as it is."""
    kind = kinds.get(request.kind)
    _check_issuer(kind, viewer)
    _check_language(request.language)
    loaded = await kind.load(
        LoadRequest(
            session=session,
            subject=request.subject,
            viewer=viewer,
            now=at,
            zone=settings.zone,
            language=request.language,
        )
    )
    previous = None
    if request.supersedes is not None:
        previous = await _superseded(session, request)
    else:
        existing = await current(session, kind.name, request.subject, request.language)
        if existing is not None:
            return existing
    number = await reserve_number(session, at, settings)
    code = new_code()
    document = {
        "number": number,
        "code": code,
        "verify_url": f"{settings.public_url.rstrip('/')}/verify/{code}",
        "title": loaded.title,
        "kind_zh": kind.zh,
        "kind_en": kind.en,
        "issued_at": at,
        "issuer": viewer.display_name,
        "center": settings.center_name,
        "supersedes": previous.number if previous else None,
        "reason": request.reason if previous else None,
    }
    job = RenderJob(
        template_dirs=kinds.template_dirs(),
        template=kind.template,
        language=request.language,
        zone=settings.time_zone,
        document=document,
        data=loaded.data,
        signer=signer.files,
        reason=f"{kind.zh} {number}",
    )
    return Prepared(
        kind, request, job, loaded.title, loaded.sector, loaded.organisation_id, loaded.copy_to_id, at
    )


async def complete(
    session: AsyncSession,
    prepared: Prepared,
    rendered: Rendered,
    store: BlobStore,
    *,
    viewer: Identity,
) -> tuple[IssuedDocument, bool]:
    """Store the signed PDF once by its SHA-256 and record the document; (document, created)."""
    blob = await store.put_bytes(rendered.pdf)
    request, meta = prepared.request, prepared.job.document
    document = IssuedDocument(
        number=meta["number"],
        verification_code=meta["code"],
        kind=prepared.kind.name,
        subject=request.subject,
        language=request.language,
        title=prepared.title,
        organisation_id=prepared.organisation_id,
        copy_to_id=prepared.copy_to_id,
        sector=prepared.sector,
        sha256=blob.digest,
        size=blob.size,
        pages=rendered.pages,
        issued_at=prepared.at,
        issued_by=viewer.user_id,
        issuer_name=viewer.display_name,
        supersedes_id=request.supersedes,
        correction_reason=request.reason if request.supersedes else None,
    )
    try:
        async with session.begin_nested():
            session.add(document)
    except IntegrityError:
        # Another request issued the same document (or a correction of it) first: theirs counts.
        if request.supersedes is not None:
            raise Conflict(
                "document.already_superseded",
                "该文书已被另一份更正文书取代",
                "another correction replaced that document first",
            ) from None
        existing = await current(session, prepared.kind.name, request.subject, request.language)
        assert existing is not None
        return existing, False
    await record(
        session,
        actor=viewer.actor,
        action="document.issued",
        subject_type="document",
        subject_id=document.id,
        data={
            "number": document.number,
            "kind": document.kind,
            "subject": document.subject,
            "language": document.language,
            "sha256": document.sha256,
            "supersedes": str(request.supersedes) if request.supersedes else None,
            "reason": document.correction_reason,
        },
        at=prepared.at,
    )
    return document, True


async def successor_of(session: AsyncSession, document_id: uuid.UUID) -> IssuedDocument | None:
    return await session.scalar(select(IssuedDocument).where(IssuedDocument.supersedes_id == document_id))


PARTIES = (Role.bidder, Role.principal, Role.agency)


def may_read(kind: DocumentKind, document: IssuedDocument, viewer: Identity) -> bool:
    """The kind's readers, narrowed: a bureau reads its own sectors' documents; a party (bidder,
    principal, agency) its organisation's, those copied to it (an award notice to its principal)
    and those addressed to no organisation (an opening record); a public document (an
    announcement) every reader."""
    if not viewer.has(*kind.readers):
        return False
    if viewer.has(Role.staff, Role.admin, Role.auditor) or kind.public:
        return True
    if document.sector is not None and viewer.supervises(document.sector):
        return True
    if not viewer.has(*PARTIES):
        return False
    if document.organisation_id is None:
        return True
    return viewer.organisation_id is not None and viewer.organisation_id in (
        document.organisation_id,
        document.copy_to_id,
    )


async def get_for_reader(
    session: AsyncSession, kinds: DocumentKinds, document_id: uuid.UUID, viewer: Identity
) -> IssuedDocument:
    document = await session.get(IssuedDocument, document_id)
    # Someone who may not read it is told it does not exist, so its existence is not disclosed.
    if document is None or not may_read(kinds.get(document.kind), document, viewer):
        raise NotFound(
            "document.not_found", f"文书不存在：{document_id}", f"document {document_id} does not exist"
        )
    return document


async def list_for_reader(
    session: AsyncSession, kinds: DocumentKinds, viewer: Identity, *, kind: str | None, subject: str | None
) -> list[IssuedDocument]:
    query = select(IssuedDocument).order_by(IssuedDocument.issued_at.desc()).limit(200)
    if not viewer.has(Role.staff, Role.admin, Role.auditor):
        mine = [IssuedDocument.organisation_id.is_(None)]
        if viewer.organisation_id is not None:
            mine.append(IssuedDocument.organisation_id == viewer.organisation_id)
            mine.append(IssuedDocument.copy_to_id == viewer.organisation_id)
        if Role.supervisor in viewer.roles:
            mine.append(IssuedDocument.sector.in_(sorted(viewer.sectors)))
        query = query.where(or_(*mine))
    if kind is not None:
        query = query.where(IssuedDocument.kind == kind)
    if subject is not None:
        query = query.where(IssuedDocument.subject == subject)
    rows = (await session.scalars(query)).all()
    return [d for d in rows if may_read(kinds.get(d.kind), d, viewer)]


async def by_code(session: AsyncSession, code: str) -> IssuedDocument | None:
    return await session.scalar(
        select(IssuedDocument).where(IssuedDocument.verification_code == normalise_code(code))
    )


async def by_digest(session: AsyncSession, digest: str) -> IssuedDocument | None:
    return await session.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == digest).limit(1))


@dataclass(frozen=True)
class Verification:
    document: IssuedDocument | None
    stored_intact: bool
    signature: SignatureCheck | None
    successor: IssuedDocument | None = None
    predecessor: IssuedDocument | None = None

    @property
    def genuine(self) -> bool:
        return (
            self.document is not None and self.stored_intact and bool(self.signature and self.signature.valid)
        )


async def verify_stored(
    session: AsyncSession, document: IssuedDocument, store: BlobStore, signer: DocumentSigner
) -> Verification:
    """Is the original we keep still the one we issued, and does its signature hold?"""
    path = store.path_of(document.sha256)
    data = await anyio.Path(path).read_bytes() if await anyio.Path(path).exists() else b""
    intact = hashlib.sha256(data).hexdigest() == document.sha256
    check = await anyio.to_thread.run_sync(check_signature, data, signer.ca) if intact else None
    predecessor = (
        await session.get(IssuedDocument, document.supersedes_id) if document.supersedes_id else None
    )
    return Verification(document, intact, check, await successor_of(session, document.id), predecessor)


async def verify_copy(session: AsyncSession, data: bytes, signer: DocumentSigner) -> Verification:
    """A file someone holds: genuine only if it is byte for byte a document we issued."""
    document = await by_digest(session, hashlib.sha256(data).hexdigest())
    check = await anyio.to_thread.run_sync(check_signature, data, signer.ca)
    if document is None:
        return Verification(None, False, check)
    predecessor = (
        await session.get(IssuedDocument, document.supersedes_id) if document.supersedes_id else None
    )
    return Verification(document, True, check, await successor_of(session, document.id), predecessor)
