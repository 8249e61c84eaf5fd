"""Submitting, replacing and withdrawing sealed bids, and the signed receipts (E-02, E-03, C-08).

A submission streams the package to a private staging directory (never whole in memory) and notes
the server's time when the last byte arrived; checks the package there without any key (shape,
bidder signature, digests), and, on a read-only session, the bidder's registration, deposit and
certificate and the key holders the package was sealed for. Then one short transaction holds the
section's lock (issue 23: 7 statements, 34 before): the deadline against that time and the
opening, the bidder's earlier bid, the file moved into the content store, the bid, its audit event
into the audit journal (no global lock), the receipt's number. After it commits, a second
transaction puts the audit log's proof into the receipt and signs it. Anything refused leaves
nothing behind, and a refusal never touches a bid already accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import shutil
import uuid
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates.service import platform_authority, trusted_certificate
from bidding.keyholders.service import sealing_parameters
from bidding.opening.models import Opening
from bidding.registrations.service import qualified_registration
from bidding.sealing.documents import canonical, sha256_hex
from bidding.sealing.keys import PublicKeyInfo, unb64
from bidding.sealing.package import OpenedPackage, PackageError, parameters_digest, read_package
from bidding.submissions import rules
from bidding.submissions.models import Bid, Receipt
from funds.deposits.service import deposit_position
from trading.audit.checkpoints import log_signer
from trading.audit.service import Actor, Entry, Journaled, journal, logged_event
from trading.auth.addresses import Origin
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.events import publish
from trading.ids import new_id
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.settings import Settings
from trading.storage import BlobStore


def blob_store(settings: Settings) -> BlobStore:
    return BlobStore(settings.data_dir / "blobs")


async def _bidder_organisation(session: AsyncSession, bidder: Identity) -> Organisation:
    organisation = await session.get(Organisation, bidder.organisation_id) if bidder.organisation_id else None
    if organisation is None or "bidder" not in organisation.capacities:
        raise Forbidden(
            "bid.not_a_bidder",
            "只有登记为投标人的单位可以投标",
            "only an organisation registered as a bidder may submit bids",
        )
    return organisation


async def section_and_project(
    session: AsyncSession, section_id: uuid.UUID, *, lock: bool = False
) -> tuple[Section, Project]:
    query = select(Section).where(Section.id == section_id)
    if lock:
        query = query.with_for_update()
    section = await session.scalar(query)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project


async def _check_accepting(
    session: AsyncSession, section: Section, organisation: Organisation, *, at: dt.datetime
) -> None:
    """Whether this bidder may hand in or change a bid for this section at `at`."""
    rules.check_before_deadline(section, at)
    opening = await session.scalar(select(Opening.id).where(Opening.section_id == section.id))
    if opening is not None:
        raise rules.deadline_passed(section)
    registration = await qualified_registration(
        session, section_id=section.id, organisation_id=organisation.id
    )
    if registration is None:
        raise Forbidden(
            "bid.not_qualified",
            "贵单位没有该标段审核通过的报名，不能投标",
            "your organisation has no accepted registration for this section",
        )
    position = await deposit_position(session, section_id=section.id, organisation_id=organisation.id, at=at)
    if not position.may_bid:
        raise Conflict(
            "bid.deposit_not_secured",
            "投标保证金尚未足额到账，不能投标",
            "the bid deposit is not secured yet: the bid cannot be accepted",
            rule="C-06",
            details={"deposit_status": str(getattr(position, "status", ""))},
        )


class Staging:
    """A private directory per upload: the package waits there until it is accepted or dropped."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.data_dir / "incoming" / uuid.uuid4().hex
        self.store = BlobStore(self.root)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _matches_section(opened: OpenedPackage, section: Section, organisation: Organisation) -> None:
    manifest = opened.manifest
    if manifest.section_id != str(section.id):
        raise PackageError(
            "bid.foreign_section",
            "该投标文件是为其他标段加密的，不能递交到本标段",
            "this package was sealed for another section",
            details={"package_section": manifest.section_id},
        )
    if manifest.bidder.uscc != organisation.uscc:
        raise PackageError(
            "bid.foreign_bidder",
            "投标文件的投标人与递交单位不一致",
            "the package names another bidder than the organisation submitting it",
        )


async def _check_keyholders(session: AsyncSession, opened: OpenedPackage, section: Section) -> None:
    parameters = await sealing_parameters(session, section)
    shares = opened.manifest.shares
    expected = [PublicKeyInfo(unb64(h.public_key)).fingerprint for h in parameters.holders]
    if (
        shares.parameters_digest != parameters_digest(parameters)
        or shares.threshold != parameters.threshold
        or [w.holder_key for w in shares.wraps] != expected
    ):
        raise PackageError(
            "bid.wrong_keyholders",
            "投标文件未按本标段当前的开标密钥加密，请下载最新加密参数后重新加密",
            "the package is not sealed to this section's current opening keys; download the sealing "
            "parameters again and seal again",
            rule="E-01",
        )


async def submit_bid(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    *,
    section_id: uuid.UUID,
    bidder: Identity,
    chunks: AsyncIterator[bytes],
    reader: AsyncSession,
    max_bytes: int | None = None,
    origin: Origin | None = None,
) -> Receipt:
    """Receive one sealed package; returns its signed receipt (committed here, in two transactions).

    The body is read first, before any database work: the time that counts is when its last byte
    arrived, not when the server got round to it, and on SQLite no write lock waits on a client's
    upload. Then everything that needs no lock is checked on `reader` (a read-only session: on
    SQLite the write session would take the database's write lock at its first statement): the
    package without keys, the bidder's registration, deposit and certificate, the key holders.
    Only then does `session` take the section's lock, for what must be decided under it (issue 23):
    the deadline and the opening, the bidder's earlier bid, one insert of the bid, one journal
    insert of its audit event, the receipt's number and row; that commits, and a second
    transaction adds the audit log's proof to the receipt and signs it."""
    staging = Staging(settings)
    try:
        blob = await staging.store.put_stream(chunks, max_bytes=max_bytes or rules.MAX_PACKAGE_BYTES)
        received_at = clock.now()
        opened: OpenedPackage | PackageError
        try:
            opened = await anyio.to_thread.run_sync(read_package, blob.path)
        except PackageError as error:
            opened = error
        organisation = await _bidder_organisation(reader, bidder)
        section, _ = await section_and_project(reader, section_id)
        # Who may bid, and until when, is the more useful answer: it comes before the package's faults.
        await _check_accepting(reader, section, organisation, at=received_at)
        if isinstance(opened, PackageError):
            raise opened
        _matches_section(opened, section, organisation)
        await _check_keyholders(reader, opened, section)
        certificate = await trusted_certificate(
            reader, settings, opened.certificate, organisation=organisation, at=received_at
        )
        await reader.close()  # the read snapshot is done with (objects stay loaded); the lock next

        async with write_turn(session, section_id):
            receipt = await _accept(
                session,
                settings,
                clock,
                section_id,
                bidder,
                organisation,
                opened,
                certificate,
                blob,
                received_at=received_at,
                origin=origin,
            )
            await session.commit()
        return await _signed(session, settings, clock, receipt, bidder.actor)
    finally:
        staging.cleanup()


# Waiting for a lock inside the database holds a pooled connection all along: at a deadline burst
# the pool ran out (30 s) and bids were refused. Waiting here is a FIFO queue that holds nothing.
# SQLite has one writer at a time, and one process serves an embedded database: one queue per
# process is the whole queue. On PostgreSQL, one queue per section: a bid waits here for the bids
# of its own section on this instance (the row lock still orders instances), never for others.
_turns: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, weakref.WeakValueDictionary[Any, asyncio.Lock]
] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def write_turn(session: AsyncSession, section_id: uuid.UUID) -> AsyncIterator[None]:
    """Queue in this process for the write lock a submission is about to take."""
    key = None if session.bind.dialect.name == "sqlite" else section_id
    locks = _turns.setdefault(asyncio.get_running_loop(), weakref.WeakValueDictionary())
    lock = locks.get(key)
    if lock is None:
        lock = locks[key] = asyncio.Lock()
    async with lock:
        yield


def _sqlite(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "sqlite"


async def _signed(
    session: AsyncSession, settings: Settings, clock: Clock, receipt: Receipt, actor: Actor
) -> Receipt:
    """The second transaction: the receipt gets its audit proof and its signature (no section's
    lock is held: no section waits on the audit log)."""
    async with write_turn(session, receipt.section_id) if _sqlite(session) else contextlib.nullcontext():
        await finish_receipt(session, settings, clock, receipt, actor)
        await session.commit()
    return receipt


async def _accept(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    section_id: uuid.UUID,
    bidder: Identity,
    organisation: Organisation,
    opened: OpenedPackage,
    certificate: Any,
    blob: Any,
    *,
    received_at: dt.datetime,
    origin: Origin | None,
) -> Receipt:
    """What must be decided under the section's lock, and nothing else."""
    section = await _lock_section(session, section_id)
    await _check_open(session, section, at=received_at)
    earlier, replaced = await _bids_for(session, section.id, organisation.id, opened.manifest.package_id)
    if earlier is not None:
        return await _same_package_again(session, earlier, organisation)
    stored = _keep(settings, blob.path, blob.digest)
    if replaced is not None:
        replaced.status = "superseded"
        replaced.ended_at = received_at
        replaced.ended_by = bidder.user_id
    bid = Bid(
        id=new_id(),
        section_id=section.id,
        organisation_id=organisation.id,
        status="active",
        certificate_serial=certificate.serial,
        package_id=opened.manifest.package_id,
        package_sha256=blob.digest,
        package_size=blob.size,
        manifest_sha256=opened.manifest_sha256,
        manifest=opened.manifest.model_dump(mode="json"),
        received_at=received_at,
        submitted_by=bidder.user_id,
        client_address=origin.address if origin else None,
        device_id=origin.device if origin else None,
    )
    session.add(bid)
    [uploaded] = await journal(
        session,
        [
            Entry(
                bidder.actor,
                "bid.uploaded",
                "bid",
                bid.id,
                {
                    "section_id": str(section.id),
                    "organisation_id": str(organisation.id),
                    "package_sha256": blob.digest,
                    "package_size": blob.size,
                    "manifest_sha256": opened.manifest_sha256,
                    "certificate_serial": certificate.serial,
                    "received_at": received_at.isoformat(),
                    "replaces": str(replaced.id) if replaced else None,
                    "stored": stored,
                },
                received_at,
            )
        ],
    )
    return await _number_receipt(session, clock, bid, section, organisation, kind="submitted", event=uploaded)


async def _lock_section(session: AsyncSession, section_id: uuid.UUID) -> Section:
    section = await session.scalar(select(Section).where(Section.id == section_id).with_for_update())
    if section is None:
        raise not_found("section", "标段", section_id)
    return section


async def _check_open(session: AsyncSession, section: Section, *, at: dt.datetime) -> None:
    """Under the section's lock: the deadline (which staff may have moved) and the opening."""
    rules.check_before_deadline(section, at)
    if await session.scalar(select(Opening.id).where(Opening.section_id == section.id)) is not None:
        raise rules.deadline_passed(section)


async def _bids_for(
    session: AsyncSession, section_id: uuid.UUID, organisation_id: uuid.UUID, package_id: str
) -> tuple[Bid | None, Bid | None]:
    """In one statement: the bid that already carries this package, and the bidder's active bid."""
    rows = (
        await session.scalars(
            select(Bid).where(
                (Bid.package_id == package_id)
                | (
                    (Bid.section_id == section_id)
                    & (Bid.organisation_id == organisation_id)
                    & (Bid.status == "active")
                )
            )
        )
    ).all()
    earlier = next((b for b in rows if b.package_id == package_id), None)
    active = next(
        (
            b
            for b in rows
            if b.status == "active" and b.section_id == section_id and b.organisation_id == organisation_id
        ),
        None,
    )
    return earlier, active


def _keep(settings: Settings, staged: Path, digest: str) -> bool:
    """Move an accepted package into the content store; False when those bytes were there already."""
    target = blob_store(settings).path_of(digest)
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)
    return True


async def _same_package_again(session: AsyncSession, earlier: Bid, organisation: Organisation) -> Receipt:
    """A retried upload of the accepted package gets its receipt again; a withdrawn or replaced
    package cannot come back (the bidder seals again, which makes a new package)."""
    if earlier.status == "active" and earlier.organisation_id == organisation.id:
        receipt = await session.scalar(
            select(Receipt)
            .where(Receipt.bid_id == earlier.id, Receipt.kind == "submitted")
            .order_by(Receipt.sequence.desc())
        )
        assert receipt is not None
        return receipt
    raise Conflict(
        "bid.package_reused",
        "该投标文件包已递交过并已被撤回或替换，请重新加密后递交",
        "this package was submitted before and has been withdrawn or replaced; seal the bid again",
    )


async def _active_bid(session: AsyncSession, section_id: uuid.UUID, organisation_id: uuid.UUID) -> Bid | None:
    return await session.scalar(
        select(Bid).where(
            Bid.section_id == section_id, Bid.organisation_id == organisation_id, Bid.status == "active"
        )
    )


async def _number_receipt(
    session: AsyncSession,
    clock: Clock,
    bid: Bid,
    section: Section,
    organisation: Organisation,
    *,
    kind: str,
    event: Journaled,
) -> Receipt:
    """Number the receipt (per section, under the section's lock) and keep it, not yet signed: its
    body names the audit event; `finish_receipt` adds the event's proof and signs it."""
    issued_at = clock.now()
    last = await session.scalar(select(func.max(Receipt.sequence)).where(Receipt.section_id == section.id))
    sequence = (last or 0) + 1
    receipt_id = new_id()
    body: dict[str, Any] = {
        "format": rules.RECEIPT_FORMAT,
        "receipt_id": str(receipt_id),
        "sequence": sequence,
        "kind": kind,
        "section": {"id": str(section.id), "code": section.code, "name": section.name},
        "bidder": {
            "organisation_id": str(organisation.id),
            "uscc": organisation.uscc,
            "name": organisation.name,
        },
        "bid_id": str(bid.id),
        "package": {
            "package_id": bid.package_id,
            "sha256": bid.package_sha256,
            "size": bid.package_size,
            "manifest_sha256": bid.manifest_sha256,
        },
        "received_at": bid.received_at.astimezone(dt.UTC).isoformat(),
        "withdrawn_at": bid.ended_at.astimezone(dt.UTC).isoformat()
        if kind == "withdrawn" and bid.ended_at
        else None,
        "issued_at": issued_at.astimezone(dt.UTC).isoformat(),
        "audit_event_id": str(event.id),
    }
    receipt = Receipt(
        id=receipt_id,
        section_id=section.id,
        sequence=sequence,
        kind=kind,
        bid_id=bid.id,
        organisation_id=organisation.id,
        issued_at=issued_at,
        body=body,
        signature=UNSIGNED,
    )
    session.add(receipt)
    await session.flush()
    return receipt


# A receipt numbered in the section's transaction and not signed yet (a crash came in between);
# whoever reads it next finishes it.
UNSIGNED = ""


async def finish_receipt(
    session: AsyncSession, settings: Settings, clock: Clock, receipt: Receipt, actor: Actor
) -> Receipt:
    """Give a numbered receipt the audit log's proof of its event, sign it, and log that it was
    issued (the caller commits). Runs after the section's transaction has committed, so no section
    waits for the audit log; idempotent, so a receipt left unsigned by a crash is finished later.

    The proof is the inclusion of the event (the upload or the withdrawal) in a checkpoint of the
    log signed at that moment: the bidder keeps offline evidence that the platform logged its bid,
    and can later ask for proof that the log still holds it."""
    if receipt.signature != UNSIGNED:
        return receipt
    issued_at = clock.now()
    event_id = uuid.UUID(receipt.body["audit_event_id"])
    log = await logged_event(session, log_signer(settings), event_id, at=issued_at, reason="receipt")
    body = {k: v for k, v in receipt.body.items() if k != "audit_event_id"} | {"log": log}
    platform = await platform_authority(session, settings, at=issued_at)
    document = platform.sign(body)
    receipt.body = body
    receipt.signature = document["signature"]
    await journal(
        session,
        [
            Entry(
                actor,
                "bid.receipt_issued",
                "bid_receipt",
                receipt.id,
                {
                    "kind": receipt.kind,
                    "sequence": receipt.sequence,
                    "bid_id": str(receipt.bid_id),
                    "body_sha256": sha256_hex(canonical(body)),
                },
                issued_at,
            )
        ],
    )
    await session.flush()
    return receipt


async def finish_receipts(
    session: AsyncSession, settings: Settings, clock: Clock, receipts: list[Receipt], actor: Actor
) -> list[Receipt]:
    return [await finish_receipt(session, settings, clock, r, actor) for r in receipts]


def receipt_document(receipt: Receipt, signer_pem: str) -> dict[str, Any]:
    return {"body": receipt.body, "signature": receipt.signature, "certificate": signer_pem}


async def withdraw_bid(
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    *,
    section_id: uuid.UUID,
    bidder: Identity,
    reason: str | None,
) -> Receipt:
    """Withdraw the bidder's bid before the deadline (E-03, C-07); returns its signed receipt
    (committed here, in two transactions as a submission's)."""
    async with write_turn(session, section_id):
        receipt = await _withdraw(session, clock, section_id=section_id, bidder=bidder, reason=reason)
        await session.commit()
    return await _signed(session, settings, clock, receipt, bidder.actor)


async def _withdraw(
    session: AsyncSession, clock: Clock, *, section_id: uuid.UUID, bidder: Identity, reason: str | None
) -> Receipt:
    at = clock.now()
    organisation = await _bidder_organisation(session, bidder)
    section = await _lock_section(session, section_id)
    await _check_open(session, section, at=at)
    bid = await _active_bid(session, section.id, organisation.id)
    if bid is None:
        raise Conflict(
            "bid.nothing_to_withdraw",
            "贵单位在该标段没有可撤回的投标文件",
            "your organisation has no bid in this section to withdraw",
        )
    bid.status = "withdrawn"
    bid.ended_at = at
    bid.ended_by = bidder.user_id
    [withdrawn] = await journal(
        session,
        [
            Entry(
                bidder.actor,
                "bid.withdrawn",
                "bid",
                bid.id,
                {"section_id": str(section.id), "organisation_id": str(organisation.id), "reason": reason},
                at,
            )
        ],
    )
    publish(
        session,
        "bid.withdrawn",
        {"section_id": str(section.id), "organisation_id": str(organisation.id), "bid_id": str(bid.id)},
        at=at,
    )
    await session.flush()
    return await _number_receipt(
        session, clock, bid, section, organisation, kind="withdrawn", event=withdrawn
    )


# --- reading --------------------------------------------------------------------------------


async def bids_of_bidder(session: AsyncSession, section_id: uuid.UUID, bidder: Identity) -> list[Bid]:
    if bidder.organisation_id is None:
        return []
    rows = await session.scalars(
        select(Bid)
        .where(Bid.section_id == section_id, Bid.organisation_id == bidder.organisation_id)
        .order_by(Bid.received_at)
    )
    return list(rows.all())


async def active_bids(session: AsyncSession, section_id: uuid.UUID) -> list[Bid]:
    """The bids that count: the last one of each bidder, not withdrawn, in order of receipt."""
    rows = await session.scalars(
        select(Bid)
        .where(Bid.section_id == section_id, Bid.status == "active")
        .order_by(Bid.received_at, Bid.id)
    )
    return list(rows.all())


async def receipts_of(session: AsyncSession, bid_ids: list[uuid.UUID]) -> list[Receipt]:
    if not bid_ids:
        return []
    rows = await session.scalars(
        select(Receipt).where(Receipt.bid_id.in_(bid_ids)).order_by(Receipt.sequence)
    )
    return list(rows.all())


async def get_receipt(session: AsyncSession, receipt_id: uuid.UUID, viewer: Identity) -> Receipt:
    receipt = await session.get(Receipt, receipt_id)
    if receipt is None or not (
        viewer.has(Role.staff, Role.admin, Role.auditor) or viewer.organisation_id == receipt.organisation_id
    ):
        raise not_found("receipt", "回执", receipt_id)
    return receipt


async def overview_for_oversight(
    session: AsyncSession, section: Section, viewer: Identity, *, at: dt.datetime
) -> tuple[int, list[Bid] | None]:
    """Staff and supervisors see how many bids are in; who they are from stays sealed until the deadline."""
    if not viewer.has(Role.staff, Role.admin, Role.auditor, Role.supervisor):
        raise DomainError("bid.not_visible", "无权查看", "not visible to you", status=403)
    bids = await active_bids(session, section.id)
    if section.bid_deadline is None or at < section.bid_deadline:
        return len(bids), None
    return len(bids), bids
