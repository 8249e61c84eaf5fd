"""Registration use cases: register, upload qualification documents, accept or reject, withdraw,
and the lists (each visible only to whom it may be shown).

Every change writes one audit event in the caller's transaction; the caller commits. The other
bidding features ask `qualified_registration` and `registrations_of_section`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions import rules as sale_rules
from bidding.auctions.models import Listing
from bidding.registrations import rules
from bidding.registrations.models import LIVE_STATUSES, QualificationDocument, Registration
from bidding.registrations.rules import RegistrationStatus
from bidding.registrations.schemas import DepositPositionOut, DocumentOut, RegistrationOut
from funds.deposits.service import STATUS_ZH as DEPOSIT_STATUS_ZH
from funds.deposits.service import deposit_position
from funds.subaccounts.service import open_subaccount
from trading.audit.service import record
from trading.auth.addresses import Origin
from trading.auth.identity import Identity, Role
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.events import publish
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.projects.rules import Status, effective_status
from trading.projects.service import get_section, may_see
from trading.storage import BlobStore, StoredBlob, UploadTooLarge

# Read a document in chunks of this size when storing it.
CHUNK = 1 << 20


class Upload(Protocol):
    """An uploaded file (Litestar's UploadFile): a name, a declared type, async read and seek."""

    filename: str
    content_type: str
    file: Any

    async def read(self, size: int = -1) -> bytes: ...

    async def seek(self, offset: int) -> int: ...


# ---------------------------------------------------------------------------------------------
# The contract with the other bidding features (submissions, opening).


async def qualified_registration(
    session: AsyncSession, *, section_id: uuid.UUID, organisation_id: uuid.UUID
) -> Registration | None:
    """The accepted, not withdrawn registration of that bidder for that section, else None."""
    return await session.scalar(
        select(Registration).where(
            Registration.section_id == section_id,
            Registration.organisation_id == organisation_id,
            Registration.status == RegistrationStatus.accepted,
        )
    )


async def registrations_of_section(session: AsyncSession, section_id: uuid.UUID) -> list[Registration]:
    """Every registration of the section (all statuses, history included), oldest first.
    Confidential before the opening: callers must not show it to bidders, principals or agencies."""
    rows = await session.scalars(
        select(Registration).where(Registration.section_id == section_id).order_by(Registration.id)
    )
    return list(rows.all())


# ---------------------------------------------------------------------------------------------
# Helpers


def _status_of(section: Section, now: dt.datetime) -> Status:
    return effective_status(
        Status(section.status),
        now=now,
        registration_start=section.registration_start,
        bid_deadline=section.bid_deadline,
    )


def _check_before_deadline(section: Section, action: str, *, at: dt.datetime, zone: ZoneInfo) -> None:
    status = _status_of(section, at)
    rules.check_before_deadline(status, action, zone=zone, bid_deadline=section.bid_deadline)


async def _locked(session: AsyncSession, registration_id: uuid.UUID) -> Registration | None:
    """The registration, its row locked until commit on PostgreSQL (SQLite's BEGIN IMMEDIATE
    already serialises writers), so two reviews or uploads cannot both pass their checks."""
    return await session.scalar(
        select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _is_owner(viewer: Identity, registration: Registration) -> bool:
    return Role.bidder in viewer.roles and viewer.organisation_id == registration.organisation_id


async def _section_and_project(session: AsyncSession, section_id: uuid.UUID) -> tuple[Section, Project]:
    section = await get_section(session, section_id)
    project = await session.get(Project, section.project_id)
    assert project is not None
    return section, project


async def visible_registration(
    session: AsyncSession, registration_id: uuid.UUID, viewer: Identity, *, lock: bool = False
) -> tuple[Registration, Section, Project]:
    """A registration the viewer may see: its own bidder, center staff, auditors, supervisors of
    the sector. Anyone else is told it does not exist, so its existence does not leak."""
    registration = (
        await _locked(session, registration_id) if lock else await session.get(Registration, registration_id)
    )
    if registration is None:
        raise not_found("registration", "报名", registration_id)
    section, project = await _section_and_project(session, registration.section_id)
    if not (_is_owner(viewer, registration) or viewer.has(Role.staff) or viewer.supervises(project.sector)):
        raise not_found("registration", "报名", registration_id)
    return registration, section, project


def _own_registration(viewer: Identity, registration: Registration) -> None:
    if not _is_owner(viewer, registration):
        raise not_found("registration", "报名", registration.id)


# ---------------------------------------------------------------------------------------------
# Register


async def register(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    bidder: Identity,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    transferee_answers: list[dict[str, Any]] | None = None,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Registration:
    """The bidder registers its own organisation for a section that is open for registration,
    and gets the deposit sub-account it pays the section's deposit into. A transferee answers the
    transferor's conditions the section's listing states (R-03) here, before staff review it."""
    section, project = await _section_and_project(session, section_id)
    rules.check_registration_window(
        _status_of(section, at),
        now=at,
        zone=zone,
        registration_start=section.registration_start,
        registration_end=section.registration_end,
        bid_deadline=section.bid_deadline,
    )
    organisation = await session.get(Organisation, bidder.organisation_id) if bidder.organisation_id else None
    if organisation is None or "bidder" not in organisation.capacities:
        raise Forbidden(
            "registration.not_a_bidder",
            "只有登记为投标人的单位才能报名",
            "only an organisation registered as a bidder may register for a section",
        )
    if organisation.id in (project.principal_id, project.agency_id):
        raise Forbidden(
            "registration.own_project",
            "招标人或其招标代理机构不得参加本项目的投标（《招标投标法实施条例》第十三条）",
            "the principal and its agency may not bid in their own project (TL Regulation art. 13)",
        )
    existing = await session.scalar(
        select(Registration).where(
            Registration.section_id == section.id,
            Registration.organisation_id == organisation.id,
            Registration.status.in_(LIVE_STATUSES),
        )
    )
    if existing is not None:
        raise _duplicate(existing.id)
    rules.check_no_related_registrant(
        project.sector, organisation, await _live_registrants(session, section.id)
    )
    answers = sale_rules.check_transferee_answers(
        await transferee_conditions(session, section.id), transferee_answers or []
    )
    registration = Registration(
        section_id=section.id,
        organisation_id=organisation.id,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email.strip(),
        status=RegistrationStatus.submitted,
        reason=None,
        registered_at=at,
        registered_by=bidder.user_id,
        transferee_answers=answers,
    )
    try:
        async with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        # Another request of the same bidder registered in between (PostgreSQL's partial index).
        raise _duplicate(None) from None
    if section.deposit_fen > 0:
        subaccount = await open_subaccount(
            session, section_id=section.id, organisation_id=organisation.id, actor=bidder.actor, at=at
        )
        registration.subaccount_number = subaccount.number
    await record(
        session,
        actor=bidder.actor,
        action="registration.registered",
        subject_type="registration",
        subject_id=registration.id,
        data={
            "section_id": str(section.id),
            "organisation_id": str(organisation.id),
            "contact_name": registration.contact_name,
            "contact_phone": registration.contact_phone,
            "contact_email": registration.contact_email,
            "subaccount_number": registration.subaccount_number,
            "transferee_answers": answers,
        },
        at=at,
    )
    await session.flush()
    return registration


async def transferee_conditions(session: AsyncSession, section_id: uuid.UUID) -> list[dict[str, Any]]:
    """The transferor's conditions the section's listing states; none without a listing (the
    listing opens with the disclosure, before registrations, and cannot add conditions later)."""
    conditions = await session.scalar(
        select(Listing.transferee_conditions).where(Listing.section_id == section_id)
    )
    return list(conditions or [])


async def _live_registrants(session: AsyncSession, section_id: uuid.UUID) -> list[Organisation]:
    """The organisations holding a live (submitted or accepted) registration for the section.
    The section's row is locked first (PostgreSQL; SQLite serialises writers anyway), so two
    related units registering at the same moment cannot both pass C-18."""
    await session.scalar(select(Section.id).where(Section.id == section_id).with_for_update())
    rows = await session.scalars(
        select(Organisation)
        .join(Registration, Registration.organisation_id == Organisation.id)
        .where(Registration.section_id == section_id, Registration.status.in_(LIVE_STATUSES))
    )
    return list(rows.all())


def _duplicate(registration_id: uuid.UUID | None) -> Conflict:
    return Conflict(
        "registration.duplicate",
        "本单位已报名该标段，请勿重复报名",
        "your organisation has already registered for this section",
        details={"registration_id": str(registration_id)} if registration_id else None,
    )


# ---------------------------------------------------------------------------------------------
# Qualification documents


async def _check_may_upload(
    session: AsyncSession, registration: Registration, section: Section, at: dt.datetime, zone: ZoneInfo
) -> None:
    _check_before_deadline(section, "upload", at=at, zone=zone)
    if registration.status != RegistrationStatus.submitted:
        raise Conflict(
            "document.registration_reviewed",
            f"报名状态为“{rules.STATUS_ZH_OF[RegistrationStatus(registration.status)]}”，不能再上传资格文件"
            "（审核不通过的可重新报名）",
            f"documents can be added only to a registration awaiting review; this one is "
            f"{registration.status} (a rejected bidder may register again)",
            details={"status": registration.status},
        )
    count = await session.scalar(
        select(func.count())
        .select_from(QualificationDocument)
        .where(QualificationDocument.registration_id == registration.id)
    )
    if (count or 0) >= rules.MAX_DOCUMENTS:
        raise Conflict(
            "document.too_many",
            f"每个报名最多上传{rules.MAX_DOCUMENTS}个资格文件，已达上限",
            f"a registration takes at most {rules.MAX_DOCUMENTS} documents; the limit is reached",
            details={"max_documents": rules.MAX_DOCUMENTS},
        )


async def _store(store: BlobStore, upload: Upload) -> tuple[StoredBlob, str]:
    """Check the content's type by its first bytes, then stream the file into the store."""
    await upload.seek(0)
    head = await upload.read(rules.SNIFF_BYTES)
    media_type = rules.sniff_media_type(head)
    if media_type == rules.OFD:
        await upload.seek(0)
        if not await anyio.to_thread.run_sync(rules.ofd_package, upload.file):
            media_type = None
    if media_type is None:
        raise rules.refuse_file_type(upload.filename)
    await upload.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        while chunk := await upload.read(CHUNK):
            yield chunk

    try:
        blob = await store.put_stream(chunks(), max_bytes=rules.MAX_DOCUMENT_BYTES)
    except UploadTooLarge:
        raise rules.too_large() from None
    return blob, media_type


async def upload_document(
    session: AsyncSession,
    store: BlobStore,
    *,
    registration_id: uuid.UUID,
    upload: Upload,
    kind: rules.DocumentKind,
    bidder: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
    origin: Origin | None = None,
) -> QualificationDocument:
    """The registering bidder adds one qualification document while its registration awaits review.

    The checks run first; their read transaction then ends so that SQLite's write lock is not held
    while the file streams to disk; the checks run again under the row lock before the insert."""
    registration, section, _ = await visible_registration(session, registration_id, bidder)
    _own_registration(bidder, registration)
    await _check_may_upload(session, registration, section, at, zone)
    await session.rollback()

    blob, media_type = await _store(store, upload)

    registration, section, _ = await visible_registration(session, registration_id, bidder, lock=True)
    await _check_may_upload(session, registration, section, at, zone)
    document = QualificationDocument(
        registration_id=registration.id,
        kind=kind,
        file_name=rules.clean_file_name(upload.filename, media_type),
        media_type=media_type,
        size=blob.size,
        sha256=blob.digest,
        uploaded_at=at,
        uploaded_by=bidder.user_id,
        client_address=origin.address if origin else None,
        device_id=origin.device if origin else None,
    )
    session.add(document)
    await session.flush()
    await record(
        session,
        actor=bidder.actor,
        action="registration.document_uploaded",
        subject_type="registration",
        subject_id=registration.id,
        data={
            "document_id": str(document.id),
            "kind": document.kind,
            "file_name": document.file_name,
            "media_type": media_type,
            "size": blob.size,
            "sha256": blob.digest,
        },
        at=at,
    )
    return document


async def documents_of(session: AsyncSession, registration_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list]:
    found: dict[uuid.UUID, list[QualificationDocument]] = {rid: [] for rid in registration_ids}
    if not registration_ids:
        return found
    rows = await session.scalars(
        select(QualificationDocument)
        .where(QualificationDocument.registration_id.in_(list(registration_ids)))
        .order_by(QualificationDocument.id)
    )
    for document in rows:
        found[document.registration_id].append(document)
    return found


async def document_for_download(
    session: AsyncSession, registration_id: uuid.UUID, document_id: uuid.UUID, viewer: Identity
) -> QualificationDocument:
    """A document for its bidder, staff, auditors and the sector's supervisors; 404 for anyone else."""
    await visible_registration(session, registration_id, viewer)
    document = await session.get(QualificationDocument, document_id)
    if document is None or document.registration_id != registration_id:
        raise not_found("document", "资格文件", document_id)
    return document


# ---------------------------------------------------------------------------------------------
# Review and withdrawal


async def review(
    session: AsyncSession,
    registration_id: uuid.UUID,
    action: str,
    *,
    reason: str | None,
    reviewer: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Registration:
    """Center staff accept a registration (its documents checked) or reject it with a reason."""
    registration, section, _ = await visible_registration(session, registration_id, reviewer, lock=True)
    _check_before_deadline(section, "review", at=at, zone=zone)
    target = rules.move(registration.status, action)
    reason = (reason or "").strip() or None
    if action == "reject" and reason is None:
        raise DomainError(
            "registration.reason_required",
            "不通过须说明原因，投标人据此补正后可重新报名",
            "a rejection needs a reason the bidder can act on",
            status=422,
        )
    if action == "accept":
        count = await session.scalar(
            select(func.count())
            .select_from(QualificationDocument)
            .where(QualificationDocument.registration_id == registration.id)
        )
        if not count:
            raise DomainError(
                "registration.no_documents",
                "该报名尚未上传任何资格文件，不能审核通过",
                "the registration has no qualification documents to accept",
                status=422,
            )
    previous = registration.status
    registration.status = target
    registration.reason = reason
    registration.reviewed_at = at
    registration.reviewed_by = reviewer.user_id
    await record(
        session,
        actor=reviewer.actor,
        action=f"registration.{target}",
        subject_type="registration",
        subject_id=registration.id,
        data={"from": previous, "to": target, "reason": reason, "section_id": str(section.id)},
        at=at,
    )
    await session.flush()
    return registration


async def withdraw(
    session: AsyncSession,
    registration_id: uuid.UUID,
    *,
    reason: str | None,
    bidder: Identity,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Registration:
    """The bidder withdraws in writing before the bid deadline; funds then refunds its deposit
    within the period of the sector (C-07: 5 days of the written withdrawal)."""
    registration, section, _ = await visible_registration(session, registration_id, bidder, lock=True)
    _own_registration(bidder, registration)
    _check_before_deadline(section, "withdraw", at=at, zone=zone)
    target = rules.move(registration.status, "withdraw")
    previous = registration.status
    registration.status = target
    registration.reason = (reason or "").strip() or None
    registration.withdrawn_at = at
    registration.withdrawn_by = bidder.user_id
    await record(
        session,
        actor=bidder.actor,
        action="registration.withdrawn",
        subject_type="registration",
        subject_id=registration.id,
        data={"from": previous, "reason": registration.reason, "section_id": str(section.id)},
        at=at,
    )
    publish(
        session,
        "registration.withdrawn",
        {
            "section_id": str(section.id),
            "organisation_id": str(registration.organisation_id),
            "registration_id": str(registration.id),
            "at": at.isoformat(),
        },
        at=at,
    )
    await session.flush()
    return registration


# ---------------------------------------------------------------------------------------------
# Lists


async def registrations_of_bidder(session: AsyncSession, bidder: Identity) -> list[Registration]:
    if bidder.organisation_id is None:
        return []
    rows = await session.scalars(
        select(Registration)
        .where(Registration.organisation_id == bidder.organisation_id)
        .order_by(Registration.id.desc())
    )
    return list(rows.all())


async def section_registrations_for(
    session: AsyncSession, section_id: uuid.UUID, viewer: Identity, *, at: dt.datetime
) -> list[Registration]:
    """Who registered for a section. Before the opening only the center (staff), auditors and the
    sector's supervisors see it; the section's principal and agency see it once the bids are opened
    (TL art. 22: the names and number of potential bidders stay confidential)."""
    section, project = await _section_and_project(session, section_id)
    if not may_see(viewer, project):
        raise not_found("section", "标段", section_id)
    oversees = viewer.has(Role.staff, Role.auditor) or viewer.supervises(project.sector)
    if not oversees and _status_of(section, at) not in rules.REGISTRANTS_DISCLOSED:
        raise Forbidden(
            "registration.list_confidential",
            "开标前，报名单位的名称和数量须保密（《招标投标法》第二十二条），招标人和代理机构不能查看",
            "until the bids are opened, the names and number of registered bidders are confidential "
            "(Tendering Law art. 22); the principal and the agency cannot see them",
        )
    return await registrations_of_section(session, section_id)


def document_out(document: QualificationDocument) -> DocumentOut:
    kind = rules.DocumentKind(document.kind)
    return DocumentOut(
        id=document.id,
        registration_id=document.registration_id,
        kind=kind,
        kind_zh=rules.DOCUMENT_KIND_ZH[kind],
        file_name=document.file_name,
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        uploaded_at=document.uploaded_at,
    )


async def outs(
    session: AsyncSession,
    registrations: Sequence[Registration],
    *,
    with_deposit_at: dt.datetime | None = None,
) -> list[RegistrationOut]:
    """The answers for these registrations; with `with_deposit_at`, each with the bidder's deposit
    position as of that instant (only the bidder's own list shows it)."""
    documents = await documents_of(session, [r.id for r in registrations])
    answers = []
    for registration in registrations:
        section = await session.get(Section, registration.section_id)
        organisation = await session.get(Organisation, registration.organisation_id)
        assert section is not None and organisation is not None
        status = RegistrationStatus(registration.status)
        deposit = None
        if with_deposit_at is not None:
            deposit = await _deposit_position(session, registration, with_deposit_at)
        answers.append(
            RegistrationOut(
                id=registration.id,
                section_id=section.id,
                section_code=section.code,
                section_name=section.name,
                organisation_id=organisation.id,
                organisation_name=organisation.name,
                contact_name=registration.contact_name,
                contact_phone=registration.contact_phone,
                contact_email=registration.contact_email,
                status=status,
                status_zh=rules.STATUS_ZH_OF[status],
                reason=registration.reason,
                subaccount_number=registration.subaccount_number,
                registered_at=registration.registered_at,
                reviewed_at=registration.reviewed_at,
                withdrawn_at=registration.withdrawn_at,
                documents=[document_out(d) for d in documents[registration.id]],
                transferee_answers=registration.transferee_answers or [],
                deposit=deposit,
            )
        )
    return answers


async def _deposit_position(
    session: AsyncSession, registration: Registration, at: dt.datetime
) -> DepositPositionOut:
    position = await deposit_position(
        session, section_id=registration.section_id, organisation_id=registration.organisation_id, at=at
    )
    return DepositPositionOut(
        status=position.status,
        status_zh=DEPOSIT_STATUS_ZH[position.status],
        required=position.required_fen,
        paid=position.paid_fen,
        deadline=position.deadline,
        may_bid=position.may_bid,
    )
