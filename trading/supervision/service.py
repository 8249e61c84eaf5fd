"""Writing and verifying the supervision log.

An entry is written once: its digest binds every field, the platform's log key signs the digest,
and an audit event carrying the digest goes into the audit chain in the same transaction, so the
chain's checkpoints cover the log too. Nobody edits or hides an entry (a database trigger refuses
UPDATE and DELETE); a correction is a new entry naming the one it corrects. `verify` recomputes
every digest and signature and compares them with the audit chain: a hand edit is found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.models import AuditEvent
from trading.audit.service import canonical_json, lock_chain, record, sha256_hex
from trading.auth.identity import Identity
from trading.errors import Conflict, DomainError, not_found
from trading.ids import new_id
from trading.oversight.scope import require_sector, require_supervisor_of
from trading.storage import BlobStore
from trading.supervision.models import SupervisionEntry
from trading.supervision.schemas import AttachmentRef, EntryIn
from trading.supervision.signing import EntrySigner
from trading.venue.models import VenueSession

LOG_LOCK_KEY = 727100020
ENTRY_ADDED = "supervision.entry_added"
MAX_ATTACHMENTS = 5


def entry_digest(entry: SupervisionEntry) -> str:
    return sha256_hex(
        canonical_json(
            {
                "id": str(entry.id),
                "session_id": str(entry.session_id),
                "sector": entry.sector,
                "seq": entry.seq,
                "kind": entry.kind,
                "body": entry.body,
                "corrects_id": str(entry.corrects_id) if entry.corrects_id else None,
                "attachments": entry.attachments,
                "author_id": str(entry.author_id),
                "author_name": entry.author_name,
                "written_at": entry.written_at.astimezone(dt.UTC).isoformat(),
            }
        )
    )


async def _attachments(store: BlobStore, refs: list[AttachmentRef]) -> dict[str, list[dict[str, object]]]:
    if len(refs) > MAX_ATTACHMENTS:
        raise DomainError(
            "supervision.too_many_attachments",
            f"每条记录最多{MAX_ATTACHMENTS}个附件",
            f"an entry takes at most {MAX_ATTACHMENTS} attachments",
            status=422,
        )
    files = []
    for ref in refs:
        try:
            path = store.path_of(ref.sha256)
        except ValueError:
            path = None
        if path is None or not path.exists():
            raise DomainError(
                "supervision.attachment_missing",
                f"附件{ref.file_name}尚未上传",
                f"attachment {ref.file_name} has not been uploaded",
                status=422,
            )
        files.append({"sha256": ref.sha256, "file_name": ref.file_name, "size": path.stat().st_size})
    return {"files": files}


async def add_entry(
    session: AsyncSession,
    session_id: uuid.UUID,
    data: EntryIn,
    *,
    author: Identity,
    signer: EntrySigner,
    store: BlobStore,
    at: dt.datetime,
) -> SupervisionEntry:
    """A supervisor of the session's sector writes an entry (observation, incident, intervention,
    or a correction naming an earlier entry of the same session)."""
    venue_session = await session.get(VenueSession, session_id)
    if venue_session is None:
        raise not_found("session", "会议", session_id)
    require_supervisor_of(author, venue_session.sector, "session", "会议", session_id)
    await _check_correction(session, venue_session, data)
    await lock_chain(session, LOG_LOCK_KEY)
    last = await session.scalar(
        select(func.max(SupervisionEntry.seq)).where(SupervisionEntry.session_id == session_id)
    )
    entry = SupervisionEntry(
        id=new_id(),
        session_id=session_id,
        sector=venue_session.sector,
        seq=(last or 0) + 1,
        kind=data.kind,
        body=data.body,
        corrects_id=data.corrects_id,
        attachments=await _attachments(store, data.attachments),
        author_id=author.user_id,
        author_name=author.display_name,
        written_at=at,
    )
    entry.digest = entry_digest(entry)
    entry.signature = signer.sign(entry.digest)
    session.add(entry)
    await session.flush()
    await record(
        session,
        actor=author.actor,
        action=ENTRY_ADDED,
        subject_type="supervision_entry",
        subject_id=entry.id,
        data={"session_id": str(session_id), "seq": entry.seq, "kind": entry.kind, "digest": entry.digest},
        at=at,
    )
    return entry


async def _check_correction(session: AsyncSession, venue_session: VenueSession, data: EntryIn) -> None:
    if (data.kind == "correction") != (data.corrects_id is not None):
        raise DomainError(
            "supervision.correction_target",
            "更正记录须且只能指明所更正的记录",
            "a correction names the entry it corrects, and only a correction does",
            status=422,
        )
    if data.corrects_id is None:
        return
    target = await session.get(SupervisionEntry, data.corrects_id)
    if target is None or target.session_id != venue_session.id:
        raise Conflict(
            "supervision.correction_target",
            "所更正的记录不属于本次会议",
            "the corrected entry is not an entry of this session",
        )


async def entries(session: AsyncSession, session_id: uuid.UUID, viewer: Identity) -> list[SupervisionEntry]:
    venue_session = await session.get(VenueSession, session_id)
    if venue_session is None:
        raise not_found("session", "会议", session_id)
    require_sector(viewer, venue_session.sector, "session", "会议", session_id)
    rows = await session.scalars(
        select(SupervisionEntry)
        .where(SupervisionEntry.session_id == session_id)
        .order_by(SupervisionEntry.seq)
    )
    return list(rows.all())


@dataclass(frozen=True)
class Finding:
    entry_id: uuid.UUID
    seq: int
    reason: str


async def verify(session: AsyncSession, signer: EntrySigner) -> tuple[int, list[Finding]]:
    """Every entry's digest recomputed, its signature checked, and its digest found in the audit
    chain (whose own verify and checkpoints cover the chain): an edit of any field is reported."""
    recorded = {
        event.subject_id: event.data.get("digest")
        for event in await session.scalars(select(AuditEvent).where(AuditEvent.action == ENTRY_ADDED))
    }
    findings: list[Finding] = []
    count = 0
    for entry in await session.scalars(select(SupervisionEntry).order_by(SupervisionEntry.id)):
        count += 1
        digest = entry_digest(entry)
        if digest != entry.digest:
            findings.append(Finding(entry.id, entry.seq, "the entry does not match its digest"))
        elif not signer.verify(entry.digest, entry.signature):
            findings.append(Finding(entry.id, entry.seq, "the signature does not verify"))
        elif recorded.get(str(entry.id)) != digest:
            findings.append(Finding(entry.id, entry.seq, "the audit chain records another digest"))
    known = {str(e.id) for e in await session.scalars(select(SupervisionEntry))}
    for missing in sorted(set(recorded) - known):
        findings.append(Finding(uuid.UUID(missing), 0, "an entry the audit chain records is missing"))
    return count, findings


# --- attachments --------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _sniff(head: bytes) -> str | None:
    return next((media for magic, media in MEDIA_TYPES.items() if head.startswith(magic)), None)


async def store_attachment(store: BlobStore, upload: Any) -> tuple[str, int, str]:
    """Store one attachment (PDF, JPEG or PNG by its content, 10 MB at most); nothing is written
    to the log until an entry names it."""
    head = await upload.read(8)
    media_type = _sniff(head)
    if media_type is None:
        raise DomainError(
            "supervision.attachment_type",
            "附件须为PDF、JPEG或PNG文件",
            "an attachment must be a PDF, JPEG or PNG file",
            status=415,
        )

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        while chunk := await upload.read(1 << 20):
            yield chunk

    blob = await store.put_stream(chunks(), max_bytes=MAX_ATTACHMENT_BYTES)
    return blob.digest, blob.size, media_type
