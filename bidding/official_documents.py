"""Bidding's official documents, registered with the core's registry at wiring time
(`bidding.document_kinds()`): the bid receipt (投标回执), the opening record (开标记录) and the
transaction confirmation (成交确认书) of a land or property sale.

The first two render data bidding already signs as JSON (the receipt body, the opening record); the
PDF is the form a person files and reads, signed again by the center's document key. The
confirmation renders the sale's result as the auction recorded it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bidding.auctions.models import Listing, ListingBidder
from bidding.opening.models import Confirmation, Opening
from bidding.submissions.models import Receipt
from trading.auth.identity import Identity, Role
from trading.documents.registry import DocumentKind, Loaded, LoadRequest, subject_uuid
from trading.errors import Conflict, NotFound
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section

TEMPLATES = Path(__file__).parent / "document_templates"
OVERSIGHT = frozenset({Role.staff, Role.admin, Role.auditor, Role.supervisor})


def _hidden(zh: str, en: str, subject: str) -> NotFound:
    return NotFound("document.subject_not_found", f"{zh}不存在：{subject}", f"no {en} {subject}")


def _sees(viewer: Identity, organisation_id: object, sector: str) -> bool:
    return viewer.supervises(sector) or viewer.organisation_id == organisation_id


async def _sector_of(request: LoadRequest, section_id: object) -> tuple[Section, Project]:
    section = await request.session.get(Section, section_id)
    assert section is not None
    project = await request.session.get(Project, section.project_id)
    assert project is not None
    return section, project


async def load_receipt(request: LoadRequest) -> Loaded:
    receipt = await request.session.get(Receipt, subject_uuid(request, "回执", "receipt"))
    if receipt is None:
        raise _hidden("投标回执", "bid receipt", request.subject)
    section, project = await _sector_of(request, receipt.section_id)
    if not _sees(request.viewer, receipt.organisation_id, project.sector):
        raise _hidden("投标回执", "bid receipt", request.subject)
    withdrawn = receipt.kind == "withdrawn"
    return Loaded(
        title=f"{section.code} {'撤回投标回执' if withdrawn else '投标文件递交回执'}",
        sector=project.sector,
        organisation_id=receipt.organisation_id,
        data={
            "receipt": receipt.body,
            "project": {"code": project.code, "name": project.name},
            "withdrawn": withdrawn,
            "signature": receipt.signature,
        },
    )


async def load_opening_record(request: LoadRequest) -> Loaded:
    section_id = subject_uuid(request, "标段", "section")
    opening = await request.session.scalar(select(Opening).where(Opening.section_id == section_id))
    if opening is None or opening.record is None:
        raise Conflict(
            "document.no_opening_record",
            "该标段尚无开标记录",
            "the section has no opening record yet",
        )
    section, project = await _sector_of(request, section_id)
    if request.viewer.has(Role.supervisor) and not request.viewer.supervises(project.sector):
        raise _hidden("开标记录", "opening record", request.subject)
    answers = (
        await request.session.execute(
            select(Confirmation, Organisation)
            .join(Organisation, Organisation.id == Confirmation.organisation_id)
            .where(Confirmation.opening_id == opening.id)
            .order_by(Confirmation.answered_at)
        )
    ).all()
    return Loaded(
        title=f"{project.name} {section.name} 开标记录",
        sector=project.sector,
        data={
            "record": opening.record,
            "record_sha256": opening.record_sha256,
            "project": {"code": project.code, "name": project.name},
            "section": {"code": section.code, "name": section.name},
            "confirmations": [
                {"bidder": o.name, "decision": c.decision, "comment": c.comment, "at": c.answered_at}
                for c, o in answers
            ],
        },
    )


async def load_confirmation(request: LoadRequest) -> Loaded:
    """成交确认书: the sale's result (L-04 / R-03), issued once the sale is sold; after the winner
    signs in the platform, a new issue names the signing (a correction of the unsigned one)."""
    listing = await request.session.get(Listing, subject_uuid(request, "挂牌", "listing"))
    if listing is None:
        raise _hidden("成交确认书", "transaction confirmation", request.subject)
    section, project = await _sector_of(request, listing.section_id)
    winner_id = listing.winner_organisation_id
    if not _sees(request.viewer, winner_id, project.sector) and not (
        request.viewer.has(Role.principal) and request.viewer.organisation_id == project.principal_id
    ):
        raise _hidden("成交确认书", "transaction confirmation", request.subject)
    if winner_id is None or listing.confirmation_number is None:
        raise Conflict("document.not_sold", "该挂牌尚未成交", "the sale has not ended with a buyer")
    winner = await request.session.get(Organisation, winner_id)
    transferor = await request.session.get(Organisation, project.principal_id)
    assert winner is not None and transferor is not None
    number = await request.session.scalar(
        select(ListingBidder.number).where(
            ListingBidder.listing_id == listing.id, ListingBidder.organisation_id == winner_id
        )
    )
    return Loaded(
        title=f"{project.name} {section.name} 成交确认书",
        sector=project.sector,
        organisation_id=winner_id,
        copy_to_id=project.principal_id,
        data={
            "confirmation_number": listing.confirmation_number,
            "project": {"code": project.code, "name": project.name},
            "section": {"code": section.code, "name": section.name},
            "sector": project.sector,
            "transferor": transferor.name,
            "winner": {"name": winner.name, "uscc": winner.uscc, "number": number},
            "price_fen": listing.final_price_fen,
            "starting_price_fen": listing.starting_price_fen,
            "ended_at": listing.ended_at,
            "result_rule": listing.result_rule,
            "result_reason": listing.result_reason,
            "sign_due_at": listing.sign_due_at,
            "signed_at": listing.signed_at,
            "payment": listing.payment,
        },
    )


def document_kinds() -> list[DocumentKind]:
    return [
        DocumentKind(
            name="bid.receipt",
            zh="投标回执",
            en="bid receipt",
            template_dir=TEMPLATES,
            template="bid_receipt.html",
            load=load_receipt,
            issuers=frozenset({Role.bidder, Role.staff}),
            readers=OVERSIGHT | {Role.bidder},
            subject_help="receipt id",
        ),
        DocumentKind(
            name="bid.opening_record",
            zh="开标记录",
            en="opening record",
            template_dir=TEMPLATES,
            template="opening_record.html",
            load=load_opening_record,
            issuers=frozenset({Role.staff}),
            readers=OVERSIGHT | {Role.principal, Role.agency, Role.bidder},
            subject_help="section id",
        ),
        DocumentKind(
            name="auction.confirmation",
            zh="成交确认书",
            en="transaction confirmation",
            template_dir=TEMPLATES,
            template="confirmation.html",
            load=load_confirmation,
            issuers=frozenset({Role.staff}),
            readers=OVERSIGHT | {Role.bidder, Role.principal},
            subject_help="listing id",
        ),
    ]
