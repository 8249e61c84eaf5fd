"""Collecting what each bidder of a section handed in, and running the collusion checks over it.

Computed when read, from the registrations (contacts, qualification documents: their digests,
the metadata inside them, the address and device they were uploaded from), the organisations
(legal representatives, who controls whom), the bank feed (who paid each deposit, through funds),
after the bid deadline the bids (address and device they came from), and after the opening the
opening entries (bid file digests and metadata, project managers, prices). Before the opening only
the center and the oversight see a section's bidders (TL art. 22), and so only they see signals;
who has bid stays unsaid to them too until the deadline, as the bids overview does.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from pathlib import Path

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEntry
from bidding.registrations.models import LIVE_STATUSES, QualificationDocument, Registration
from bidding.signals.metadata import DocumentMetadata, read_metadata
from bidding.signals.rules import Signal, Trace, control, document_traces, price_patterns, shared
from bidding.submissions.models import Bid
from bidding.submissions.service import blob_store
from funds.bankfeed.models import BankCredit
from trading.auth.identity import Identity
from trading.errors import not_found
from trading.organisations.models import Organisation
from trading.oversight.scope import require_sector
from trading.projects.models import Project, Section
from trading.settings import Settings

# Links followed up a chain of control: deeper holdings are for the supervisors' own inquiry.
MAX_CONTROL_LEVELS = 10


async def _registrations(session: AsyncSession, section_id: uuid.UUID) -> list[Registration]:
    rows = await session.scalars(
        select(Registration).where(
            Registration.section_id == section_id, Registration.status.in_(LIVE_STATUSES)
        )
    )
    return list(rows.all())


async def _documents(
    session: AsyncSession, registrations: list[Registration]
) -> list[tuple[uuid.UUID, QualificationDocument]]:
    owner = {r.id: r.organisation_id for r in registrations}
    rows = await session.scalars(
        select(QualificationDocument).where(QualificationDocument.registration_id.in_(list(owner)))
    )
    return [(owner[d.registration_id], d) for d in rows]


async def _bids(session: AsyncSession, section: Section, at: dt.datetime) -> list[Bid]:
    """Every bid handed in (replaced and withdrawn ones too), once the deadline has passed."""
    if section.bid_deadline is None or at < section.bid_deadline:
        return []
    return list((await session.scalars(select(Bid).where(Bid.section_id == section.id))).all())


def _origins(
    documents: list[tuple[uuid.UUID, QualificationDocument]], bids: list[Bid]
) -> tuple[list[Trace], list[Trace]]:
    """(addresses, devices), each naming the file or bid and when it arrived."""
    addresses, devices = [], []
    for organisation_id, document in documents:
        source = f"qualification document {document.file_name} ({document.uploaded_at.isoformat()})"
        addresses.append(Trace(organisation_id, document.client_address or "", source))
        devices.append(Trace(organisation_id, document.device_id or "", source))
    for bid in bids:
        source = f"bid package {bid.package_sha256[:12]} ({bid.received_at.isoformat()})"
        addresses.append(Trace(bid.organisation_id, bid.client_address or "", source))
        devices.append(Trace(bid.organisation_id, bid.device_id or "", source))
    return addresses, devices


@functools.lru_cache(maxsize=4096)
def _metadata_of(path: Path) -> DocumentMetadata | None:
    # A blob's path names its SHA-256: its content, and so its metadata, never change.
    return read_metadata(path) if path.exists() else None


async def _metadata_traces(
    settings: Settings, files: list[tuple[uuid.UUID, str, str]]
) -> dict[str, list[Trace]]:
    """The metadata signals' traces of (organisation, digest, what the file is) by kind; the
    files are parsed in a worker thread."""
    store = blob_store(settings)
    found: dict[str, list[Trace]] = {"same_document_author": [], "same_document_metadata": []}
    for organisation_id, digest, source in files:
        metadata = await anyio.to_thread.run_sync(_metadata_of, store.path_of(digest))
        if metadata is not None:
            for kind, traces in document_traces(organisation_id, source, metadata).items():
                found[kind] += traces
    return found


async def _organisations(session: AsyncSession, bidders: set[uuid.UUID]) -> dict[uuid.UUID, Organisation]:
    """The bidders and the units that control them, up to MAX_CONTROL_LEVELS above."""
    known: dict[uuid.UUID, Organisation] = {}
    wanted = set(bidders)
    for _ in range(MAX_CONTROL_LEVELS + 1):
        if not wanted:
            break
        rows = await session.scalars(select(Organisation).where(Organisation.id.in_(sorted(wanted))))
        known |= {o.id: o for o in rows}
        wanted = {o.controlled_by_id for o in known.values() if o.controlled_by_id} - set(known)
    return known


async def _payers(session: AsyncSession, section_id: uuid.UUID) -> list[Trace]:
    rows = await session.scalars(
        select(BankCredit).where(
            BankCredit.section_id == section_id,
            BankCredit.organisation_id.is_not(None),
            BankCredit.reversed_at.is_(None),
        )
    )
    return [Trace(c.organisation_id, c.payer_account) for c in rows if c.organisation_id is not None]


async def _opened(session: AsyncSession, section_id: uuid.UUID) -> list[OpeningEntry]:
    rows = await session.scalars(
        select(OpeningEntry)
        .join(Opening, Opening.id == OpeningEntry.opening_id)
        .where(Opening.section_id == section_id, OpeningEntry.status == "valid")
    )
    return list(rows.all())


async def section_signals(
    session: AsyncSession, settings: Settings, section_id: uuid.UUID, viewer: Identity, *, at: dt.datetime
) -> list[Signal]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    require_sector(viewer, project.sector, "section", "标段", section_id)
    registrations = await _registrations(session, section_id)
    entries = await _opened(session, section_id)
    payers = await _payers(session, section_id)
    documents = await _documents(session, registrations)
    bids = await _bids(session, section, at)
    # Whoever registered, paid a deposit, bid or had a bid opened takes part in the section.
    bidders = {r.organisation_id for r in registrations} | {e.organisation_id for e in entries}
    bidders |= {p.organisation_id for p in payers} | {b.organisation_id for b in bids}
    organisations = await _organisations(session, bidders)
    contacts = [Trace(r.organisation_id, r.contact_phone) for r in registrations]
    contacts += [Trace(r.organisation_id, r.contact_email) for r in registrations]
    addresses, devices = _origins(documents, bids)
    # Only files the platform may read: qualification documents, and bid files once opened.
    files = [(o, d.sha256, f"qualification document {d.file_name}") for o, d in documents]
    files += [
        (e.organisation_id, e.plaintext_sha256, f"bid file {e.file_name}")
        for e in entries
        if e.plaintext_sha256
    ]
    metadata = await _metadata_traces(settings, files)
    units = {o.id: o for o in organisations.values() if o.kind != "natural_person"}
    signals = [
        *shared("same_contact", contacts),
        *shared("same_upload_address", addresses),
        *shared("same_device", devices),
        *shared("same_document", [Trace(o, d.sha256) for o, d in documents]),
        *shared("same_document_author", metadata["same_document_author"]),
        *shared("same_document_metadata", metadata["same_document_metadata"]),
        *shared(
            "same_legal_representative",
            [Trace(o.id, o.legal_representative) for o in units.values() if o.id in bidders],
        ),
        *control(
            bidders & set(units),
            {o.id: o.controlled_by_id for o in units.values()},
            {o.id: o.name for o in organisations.values()},
        ),
        *shared("same_payer_account", payers),
        *shared("same_bid_file", [Trace(e.organisation_id, e.plaintext_sha256 or "") for e in entries]),
        *shared(
            "same_project_manager",
            [Trace(e.organisation_id, str((e.bid_data or {}).get("project_manager") or "")) for e in entries],
        ),
        *price_patterns({e.organisation_id: e.price_fen for e in entries if e.price_fen is not None}),
    ]
    return signals


async def organisation_names(session: AsyncSession, signals: list[Signal]) -> dict[uuid.UUID, str]:
    ids = sorted({o for s in signals for o in s.organisations})
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {o.id: o.name for o in rows}
