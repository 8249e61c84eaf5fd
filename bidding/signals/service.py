"""Collecting what each bidder of a section handed in, and running the collusion checks over it.

Computed when read, from the registrations (contacts, qualification documents), the organisations
(legal representatives), the bank feed (who paid each deposit, through funds) and, after the
opening, the opening entries (bid file digests, project managers, prices). Before the opening only
the center and the oversight see a section's bidders (TL art. 22), and so only they see signals.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEntry
from bidding.registrations.models import LIVE_STATUSES, QualificationDocument, Registration
from bidding.signals.rules import Signal, Trace, price_patterns, shared
from funds.bankfeed.models import BankCredit
from trading.auth.identity import Identity
from trading.errors import not_found
from trading.organisations.models import Organisation
from trading.oversight.scope import require_sector
from trading.projects.models import Project, Section


async def _registrations(session: AsyncSession, section_id: uuid.UUID) -> list[Registration]:
    rows = await session.scalars(
        select(Registration).where(
            Registration.section_id == section_id, Registration.status.in_(LIVE_STATUSES)
        )
    )
    return list(rows.all())


async def _documents(session: AsyncSession, registrations: list[Registration]) -> list[Trace]:
    owner = {r.id: r.organisation_id for r in registrations}
    rows = await session.scalars(
        select(QualificationDocument).where(QualificationDocument.registration_id.in_(list(owner)))
    )
    return [Trace(owner[d.registration_id], d.sha256) for d in rows]


async def _representatives(session: AsyncSession, organisation_ids: set[uuid.UUID]) -> list[Trace]:
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(sorted(organisation_ids))))
    return [Trace(o.id, o.legal_representative) for o in rows]


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


async def section_signals(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> list[Signal]:
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    require_sector(viewer, project.sector, "section", "标段", section_id)
    registrations = await _registrations(session, section_id)
    entries = await _opened(session, section_id)
    payers = await _payers(session, section_id)
    # Whoever registered, paid a deposit or had a bid opened takes part in the section.
    bidders = {r.organisation_id for r in registrations} | {e.organisation_id for e in entries}
    bidders |= {p.organisation_id for p in payers}
    contacts = [Trace(r.organisation_id, r.contact_phone) for r in registrations]
    contacts += [Trace(r.organisation_id, r.contact_email) for r in registrations]
    signals = [
        *shared("same_contact", contacts),
        *shared("same_document", await _documents(session, registrations)),
        *shared("same_legal_representative", await _representatives(session, bidders)),
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
