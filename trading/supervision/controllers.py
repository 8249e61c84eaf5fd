import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, MultipartBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings
from trading.storage import BlobStore
from trading.supervision import service
from trading.supervision.schemas import (
    AttachmentOut,
    AttachmentUpload,
    EntryIn,
    EntryOut,
    FindingOut,
    KeyOut,
    VerifyOut,
)
from trading.supervision.signing import EntrySigner

SUPERVISORS = allow(Role.supervisor)
READERS = allow(Role.staff, Role.auditor, Role.admin, Role.supervisor)

Session = NamedDependency[AsyncSession]
Me = Request[Identity, Any, Any]


def _signer(request: Me) -> EntrySigner:
    return request.app.state.entry_signer


def _store(settings: Settings) -> BlobStore:
    return BlobStore(settings.data_dir / "blobs")


class SupervisionController(Controller):
    path = "/api/supervision"
    tags = ["supervision"]

    @post("/sessions/{session_id:uuid}/entries", operation_id="addSupervisionEntry", opt=SUPERVISORS)
    async def add(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        session_id: FromPath[uuid.UUID],
        data: JSONBody[EntryIn],
    ) -> EntryOut:
        """A supervisor of the session's sector writes an entry; it is signed and never changes."""
        entry = await service.add_entry(
            session,
            session_id,
            data,
            author=request.user,
            signer=_signer(request),
            store=_store(settings),
            at=clock.now(),
        )
        await session.commit()
        return EntryOut.model_validate(entry)

    @get("/sessions/{session_id:uuid}/entries", operation_id="listSupervisionEntries", opt=READERS)
    async def list_entries(
        self, request: Me, session: Session, session_id: FromPath[uuid.UUID]
    ) -> list[EntryOut]:
        return [EntryOut.model_validate(e) for e in await service.entries(session, session_id, request.user)]

    @post(
        "/attachments",
        operation_id="uploadSupervisionAttachment",
        opt=allow(Role.supervisor, Role.bidder),
        request_max_body_size=service.MAX_ATTACHMENT_BYTES + 64 * 1024,
    )
    async def upload(
        self, settings: NamedDependency[Settings], data: MultipartBody[AttachmentUpload]
    ) -> AttachmentOut:
        """One attachment for a later log entry, or evidence for a complaint (PDF, JPEG or PNG by
        content; 10 MB each, 5 per entry)."""
        try:
            digest, size, media_type = await service.store_attachment(_store(settings), data.file)
        finally:
            await data.file.close()
        return AttachmentOut(
            sha256=digest, size=size, media_type=media_type, file_name=data.file.filename[:255]
        )

    @get("/verify", operation_id="verifySupervisionLog", opt=allow(Role.auditor, Role.admin, Role.supervisor))
    async def verify(self, request: Me, session: Session) -> VerifyOut:
        """Recompute every entry's digest and signature and compare with the audit chain."""
        count, findings = await service.verify(session, _signer(request))
        return VerifyOut(
            entries=count,
            intact=not findings,
            findings=[FindingOut(entry_id=f.entry_id, seq=f.seq, reason=f.reason) for f in findings],
        )

    @get("/key", operation_id="supervisionLogKey", opt=READERS)
    async def key(self, request: Me) -> KeyOut:
        """The public key that checks the log's signatures outside the platform."""
        return KeyOut(algorithm="Ed25519", public_key_pem=_signer(request).public_pem())
